// PNG decoder producing the mode and pixels PIL's PngImagePlugin gives (PIL 9/10 rules): 16-bit colour
// keeps the high byte, 16-bit grey becomes 'I', 16-bit grey+alpha becomes 'RGBA', palette images stay 'P'.
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { ImageError, checkDimensions, greyPalette } from './types';
import type { DecodedImage } from './types';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

/** Samples per pixel for each colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function decodePng(bytes: Uint8Array): DecodedImage {
  if (!isPng(bytes)) throw new ImageError('not a PNG file (bad signature)');
  let pos = 8;
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (!ended) {
    if (pos + 8 > bytes.length) throw new ImageError(`truncated PNG at byte ${pos}: chunk header expected`);
    const length = u32(bytes, pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    const start = pos + 8;
    if (length > 0x7fffffff || start + length > bytes.length) {
      throw new ImageError(`truncated PNG at byte ${Math.min(bytes.length, start)}: chunk ${JSON.stringify(type)} needs ${length} bytes`);
    }
    const body = bytes.subarray(start, start + length);
    if (header === undefined && type !== 'IHDR') throw new ImageError(`broken PNG at byte ${pos}: first chunk is ${JSON.stringify(type)}, not IHDR`);
    switch (type) {
      case 'IHDR':
        if (length < 13) throw new ImageError(`broken PNG at byte ${pos}: IHDR is ${length} bytes`);
        header = { width: u32(body, 0), height: u32(body, 4), depth: body[8]!, colorType: body[9]!, interlace: body[12]! };
        break;
      case 'PLTE':
        palette = body;
        break;
      case 'tRNS':
        trns = body;
        break;
      case 'IDAT':
        idat.push(body);
        break;
      case 'IEND':
        ended = true;
        break;
      default:
        break;
    }
    // A file cut right after its last IDAT still decodes when the data is complete, as in PIL.
    pos = start + length + 4;
    if (!ended && pos >= bytes.length && idat.length > 0) break;
  }
  if (header === undefined) throw new ImageError('broken PNG: no IHDR chunk');
  const { width, height, depth, colorType, interlace } = header;
  const channels = CHANNELS[colorType];
  if (channels === undefined || !ALLOWED_DEPTHS[colorType]!.includes(depth)) {
    throw new ImageError(`unsupported PNG: colour type ${colorType} with bit depth ${depth}`);
  }
  if (interlace > 1) throw new ImageError(`unsupported PNG interlace method ${interlace}`);
  checkDimensions('PNG', width, height);
  if (colorType === 3 && palette === undefined) throw new ImageError('broken PNG: palette image without a PLTE chunk');
  if (idat.length === 0) throw new ImageError('broken PNG: no IDAT chunk');

  const raw = inflate(Buffer.concat(idat), rawSize(header, channels));
  const samples = unfilterAll(raw, header, channels);
  return toPilImage(samples, header, palette, trns);
}

/** Bytes of filtered scanlines the header calls for (every Adam7 pass included). */
function rawSize(h: Header, channels: number): number {
  const passes = h.interlace === 1 ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((h.width - x0) / dx);
    const ph = Math.ceil((h.height - y0) / dy);
    if (pw > 0 && ph > 0) total += ph * (1 + Math.ceil((pw * channels * h.depth) / 8));
  }
  return total;
}

function inflate(data: Buffer, expected: number): Uint8Array {
  // Bounded by what the image needs, so a small file cannot inflate into gigabytes.
  const maxOutputLength = expected + 4096;
  const tooLarge = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'ERR_BUFFER_TOO_LARGE';
  try {
    return inflateSync(data, { maxOutputLength });
  } catch (e) {
    if (tooLarge(e)) throw new ImageError(`broken PNG: image data inflates past the ${expected} bytes the header calls for`);
    // A truncated stream still yields what was there; a check on the size below names the shortfall.
    try {
      return inflateSync(data, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength });
    } catch (e2) {
      if (tooLarge(e2)) throw new ImageError(`broken PNG: image data inflates past the ${expected} bytes the header calls for`);
      throw new ImageError(`broken PNG: image data does not inflate (${e2 instanceof Error ? e2.message : String(e2)})`);
    }
  }
}

/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
] as const;

/** Unfilters every pass and returns one sample per channel per pixel (values at the file's depth). */
function unfilterAll(raw: Uint8Array, h: Header, channels: number): Uint16Array {
  const out = new Uint16Array(h.width * h.height * channels);
  const passes = h.interlace === 1 ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((h.width - x0) / dx);
    const ph = Math.ceil((h.height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const rowBytes = Math.ceil((pw * channels * h.depth) / 8);
    const bpp = Math.max(1, (channels * h.depth) >> 3);
    let prev = new Uint8Array(rowBytes);
    let cur = new Uint8Array(rowBytes);
    for (let r = 0; r < ph; r++) {
      if (offset + 1 + rowBytes > raw.length) {
        throw new ImageError(`truncated PNG: image data ends at byte ${raw.length} of the inflated stream, row ${y0 + r * dy} needs ${offset + 1 + rowBytes}`);
      }
      const filter = raw[offset]!;
      unfilterRow(filter, raw.subarray(offset + 1, offset + 1 + rowBytes), cur, prev, bpp, y0 + r * dy);
      offset += 1 + rowBytes;
      const y = y0 + r * dy;
      for (let i = 0; i < pw; i++) {
        const x = x0 + i * dx;
        const base = (y * h.width + x) * channels;
        for (let c = 0; c < channels; c++) out[base + c] = sampleAt(cur, i * channels + c, h.depth);
      }
      const t = prev;
      prev = cur;
      cur = t;
    }
  }
  return out;
}

function sampleAt(row: Uint8Array, index: number, depth: number): number {
  switch (depth) {
    case 8:
      return row[index]!;
    case 16:
      return (row[index * 2]! << 8) | row[index * 2 + 1]!;
    default: {
      const bit = index * depth;
      const shift = 8 - depth - (bit & 7);
      return (row[bit >> 3]! >> shift) & ((1 << depth) - 1);
    }
  }
}

function unfilterRow(filter: number, src: Uint8Array, cur: Uint8Array, prev: Uint8Array, bpp: number, y: number): void {
  const n = src.length;
  switch (filter) {
    case 0:
      cur.set(src);
      return;
    case 1:
      for (let i = 0; i < n; i++) cur[i] = (src[i]! + (i >= bpp ? cur[i - bpp]! : 0)) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i++) cur[i] = (src[i]! + prev[i]!) & 255;
      return;
    case 3:
      for (let i = 0; i < n; i++) cur[i] = (src[i]! + (((i >= bpp ? cur[i - bpp]! : 0) + prev[i]!) >> 1)) & 255;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? cur[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        cur[i] = (src[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      return;
    default:
      throw new ImageError(`broken PNG: unknown filter type ${filter} on row ${y}`);
  }
}

function toPilImage(s: Uint16Array, h: Header, plte: Uint8Array | undefined, trns: Uint8Array | undefined): DecodedImage {
  const { width, height, depth, colorType } = h;
  const n = width * height;
  const base = { format: 'PNG' as const, width, height };
  const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
  if (colorType === 0) {
    const transparency = trns !== undefined && trns.length >= 2 ? u16(trns, 0) : undefined;
    if (depth === 16) return { ...base, mode: 'I', data: Int32Array.from(s), ...(transparency !== undefined ? { transparency } : {}) };
    // PIL's L;2 and L;4 unpackers stretch to 0..255; a 1-bit image is mode '1' stored as 0/255.
    const scale = depth === 1 ? 255 : depth === 2 ? 0x55 : depth === 4 ? 0x11 : 1;
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = s[i]! * scale;
    return { ...base, mode: depth === 1 ? '1' : 'L', data, ...(transparency !== undefined ? { transparency } : {}) };
  }
  if (colorType === 3) {
    const palette = greyPalette();
    palette.set(plte!.subarray(0, Math.min(768, plte!.length - (plte!.length % 3))));
    const data = Uint8Array.from(s);
    return { ...base, mode: 'P', data, palette, ...(trns !== undefined ? { transparency: Uint8Array.from(trns) } : {}) };
  }
  const shift = depth === 16 ? 8 : 0;
  if (colorType === 2) {
    const data = new Uint8Array(n * 3);
    for (let i = 0; i < n * 3; i++) data[i] = s[i]! >> shift;
    const transparency: [number, number, number] | undefined =
      trns !== undefined && trns.length >= 6 ? [u16(trns, 0), u16(trns, 2), u16(trns, 4)] : undefined;
    return { ...base, mode: 'RGB', data, ...(transparency !== undefined ? { transparency } : {}) };
  }
  if (colorType === 4 && depth === 8) {
    return { ...base, mode: 'LA', data: Uint8Array.from(s) };
  }
  const data = new Uint8Array(n * 4);
  if (colorType === 4) {
    // 16-bit grey+alpha opens as RGBA in PIL (rawmode LA;16B).
    for (let i = 0; i < n; i++) {
      const l = s[i * 2]! >> 8;
      data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = l;
      data[i * 4 + 3] = s[i * 2 + 1]! >> 8;
    }
  } else {
    for (let i = 0; i < n * 4; i++) data[i] = s[i]! >> shift;
  }
  return { ...base, mode: 'RGBA', data };
}
