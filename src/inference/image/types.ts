// Decoded images as PIL's Image.open would hold them: a mode, the pixels, and a palette where needed.

/** PIL image modes the decoders produce. */
export type ImageMode = '1' | 'L' | 'LA' | 'P' | 'RGB' | 'RGBA' | 'I' | 'I;16' | 'CMYK';

export interface DecodedImage {
  /** Container format the bytes were recognised as. */
  format: 'PNG' | 'JPEG' | 'BMP' | 'GIF' | 'WEBP';
  width: number;
  height: number;
  mode: ImageMode;
  /**
   * Row-major pixels, channels interleaved. '1', 'L', 'P': one byte per pixel ('1' holds 0 or 255,
   * as PIL stores it). 'LA': 2, 'RGB': 3, 'RGBA'/'CMYK': 4 bytes. 'I': Int32Array, 'I;16': Uint16Array.
   */
  data: Uint8Array | Uint16Array | Int32Array;
  /** Mode 'P': RGB triples, 256 entries (entries the file does not give keep PIL's grey default). */
  palette?: Uint8Array;
  /**
   * PIL's info["transparency"]: a palette index or grey level, an RGB triple, or per-entry palette
   * alpha (PNG tRNS). Conversions to 'L'/'RGB' ignore it, as PIL does.
   */
  transparency?: number | [number, number, number] | Uint8Array;
}

/** An 8-bit image in one of the two modes image_client.py feeds to resize(). */
export interface Image8 {
  width: number;
  height: number;
  mode: 'L' | 'RGB';
  data: Uint8Array;
}

/** Bands per pixel of the 8-bit modes. */
export function bandsOf(mode: ImageMode): number {
  switch (mode) {
    case 'LA':
      return 2;
    case 'RGB':
      return 3;
    case 'RGBA':
    case 'CMYK':
      return 4;
    default:
      return 1;
  }
}

/** Upper bound on decoded pixels, so a hostile header cannot ask for gigabytes (PIL's own bomb limit is 2 × 89.5 MP). */
export const MAX_PIXELS = 178_956_970;

/** An image that cannot be decoded: says which file (when known) and what is wrong. */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(message: string) {
    super(message);
  }
}

export function checkDimensions(format: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ImageError(`${format} has invalid dimensions ${width}×${height}`);
  }
  if (width * height > MAX_PIXELS) {
    throw new ImageError(`${format} dimensions too large: ${width}×${height} is over ${MAX_PIXELS} pixels`);
  }
}

/** PIL's default palette: entry i is (i, i, i) until the file overrides it. */
export function greyPalette(): Uint8Array {
  const p = new Uint8Array(768);
  for (let i = 0; i < 256; i++) p[i * 3] = p[i * 3 + 1] = p[i * 3 + 2] = i;
  return p;
}
