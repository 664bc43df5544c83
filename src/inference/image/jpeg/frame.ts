// The frame (SOF) as the decoder lays it out: per component, its sample plane padded to whole
// MCUs, and for progressive files the coefficients kept until every scan has been read.
import { JpegError } from './jpegError';

/** Natural (row-major) index of each zigzag position. */
export const NATURAL_ORDER = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

export interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly quantIndex: number;
  /** Samples of this component in the image (libjpeg's downsampled_width/height). */
  readonly sampleWidth: number;
  readonly sampleHeight: number;
  /** Blocks covering the samples, as a scan of this component alone visits them. */
  readonly blocksWide: number;
  readonly blocksHigh: number;
  /** Blocks in the padded plane (whole MCUs of an interleaved scan). */
  readonly blocksPerLine: number;
  readonly blocksPerColumn: number;
  /** Decoded samples, (blocksPerLine * 8) wide. */
  readonly plane: Uint8Array;
  /**
   * Progressive only: 64 coefficients per block in zigzag order (the order scans visit them, so the
   * refinement passes walk memory in sequence); NATURAL_ORDER maps them back.
   */
  coefs: Int16Array | null;
  /**
   * Progressive only: per block, the highest zigzag index holding a nonzero AC coefficient (0 for
   * none), so refinement passes over a band's end need not walk the zeros after it.
   */
  readonly lastNonzero: Uint8Array | null;
  /** Dequantisation table latched when the component's first scan starts. */
  quant: Int32Array | null;
  /** Progressive only: per coefficient, the lowest bit position read so far (-1 = none yet). */
  readonly coefBits: Int8Array;
}

export interface Frame {
  readonly progressive: boolean;
  readonly width: number;
  readonly height: number;
  readonly hMax: number;
  readonly vMax: number;
  readonly mcusWide: number;
  readonly mcusHigh: number;
  readonly components: FrameComponent[];
}

export interface JpegLimits {
  /** Largest width or height accepted. */
  maxDimension: number;
  /** Largest decoded image accepted, in bytes (width * height * channels). */
  maxBytes: number;
  /** Most scans accepted: each one walks the whole image, so thousands of tiny scans would stall. */
  maxScans: number;
}

export const DEFAULT_LIMITS: JpegLimits = { maxDimension: 16384, maxBytes: 256 * 1024 * 1024, maxScans: 256 };

/**
 * Parses an SOF segment body (after the length) into the decoder's frame layout. Progressive frames
 * always keep coefficients until the last scan; sequential ones do when `keepCoefficients` (to
 * transform each component in one go rather than block by block).
 */
export function parseFrame(data: Uint8Array, at: number, length: number, progressive: boolean, limits: JpegLimits, keepCoefficients = progressive): Frame {
  if (length < 6) throw new JpegError('corrupt', 'SOF segment is too short', at);
  const precision = data[at];
  const height = (data[at + 1] << 8) | data[at + 2];
  const width = (data[at + 3] << 8) | data[at + 4];
  const count = data[at + 5];
  if (precision !== 8) throw new JpegError('unsupported', `${precision}-bit JPEG samples are not supported (only 8-bit)`, at);
  if (height === 0) throw new JpegError('unsupported', 'JPEG height 0 (height given by a DNL marker) is not supported', at + 1);
  if (width === 0) throw new JpegError('corrupt', 'JPEG width is 0', at + 3);
  if (count !== 1 && count !== 3 && count !== 4) {
    throw new JpegError('unsupported', `JPEG with ${count} components is not supported (1, 3 or 4)`, at + 5);
  }
  if (length < 6 + count * 3) throw new JpegError('corrupt', `SOF segment too short for ${count} components`, at);
  if (width > limits.maxDimension || height > limits.maxDimension) {
    throw new JpegError('too-large', `JPEG is ${width}x${height}; the limit is ${limits.maxDimension} pixels on a side`, at + 1);
  }
  if (width * height * count > limits.maxBytes) {
    throw new JpegError('too-large', `JPEG is ${width}x${height}x${count}, more than the ${limits.maxBytes}-byte limit`, at + 1);
  }
  const raw: { id: number; h: number; v: number; tq: number }[] = [];
  for (let i = 0; i < count; i++) {
    const p = at + 6 + i * 3;
    const h = data[p + 1] >> 4;
    const v = data[p + 1] & 15;
    const tq = data[p + 2];
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new JpegError('corrupt', `component ${data[p]} has sampling factors ${h}x${v} (1 to 4 allowed)`, p + 1);
    if (tq > 3) throw new JpegError('corrupt', `component ${data[p]} names quantisation table ${tq} (0 to 3 allowed)`, p + 2);
    if (raw.some((c) => c.id === data[p])) throw new JpegError('corrupt', `component id ${data[p]} appears twice`, p);
    raw.push({ id: data[p], h, v, tq });
  }
  const hMax = Math.max(...raw.map((c) => c.h));
  const vMax = Math.max(...raw.map((c) => c.v));
  const mcusWide = Math.ceil(width / (8 * hMax));
  const mcusHigh = Math.ceil(height / (8 * vMax));
  const components = raw.map((c): FrameComponent => {
    const sampleWidth = Math.ceil((width * c.h) / hMax);
    const sampleHeight = Math.ceil((height * c.v) / vMax);
    const blocksPerLine = mcusWide * c.h;
    const blocksPerColumn = mcusHigh * c.v;
    return {
      id: c.id,
      h: c.h,
      v: c.v,
      quantIndex: c.tq,
      sampleWidth,
      sampleHeight,
      blocksWide: Math.ceil(sampleWidth / 8),
      blocksHigh: Math.ceil(sampleHeight / 8),
      blocksPerLine,
      blocksPerColumn,
      plane: new Uint8Array(blocksPerLine * blocksPerColumn * 64),
      coefs: progressive || keepCoefficients ? new Int16Array(blocksPerLine * blocksPerColumn * 64) : null,
      lastNonzero: progressive ? new Uint8Array(blocksPerLine * blocksPerColumn) : null,
      quant: null,
      coefBits: new Int8Array(64).fill(-1),
    };
  });
  return { progressive, width, height, hMax, vMax, mcusWide, mcusHigh, components };
}
