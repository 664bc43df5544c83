// BMP decoder following PIL's BmpImagePlugin: 1/4/8-bit palette images (mode '1' or 'L' when the palette
// is plain black/white or a grey ramp, else 'P'), 16/24/32-bit colour, bitfields, RLE4/RLE8, both row orders.
import { ImageError, checkDimensions, greyPalette } from './types';
import type { DecodedImage } from './types';

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function decodeBmp(bytes: Uint8Array): DecodedImage {
  if (!isBmp(bytes)) throw new ImageError('not a BMP file (no "BM" signature)');
  if (bytes.length < 26) throw new ImageError(`truncated BMP at byte ${bytes.length}: headers need at least 26 bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (14 + headerSize > bytes.length) throw new ImageError(`truncated BMP at byte ${bytes.length}: ${headerSize}-byte info header`);
  let width: number, height: number, bpp: number, compression = BI_RGB, colorsUsed = 0;
  let masks: number[] | undefined;
  if (headerSize === 12) {
    width = view.getUint16(18, true);
    height = view.getInt16(20, true);
    bpp = view.getUint16(24, true);
  } else if (headerSize >= 40) {
    width = view.getInt32(18, true);
    height = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    colorsUsed = view.getUint32(46, true);
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // Masks follow a 40-byte header; larger headers hold them at the same offset.
      const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
      if (54 + count * 4 > bytes.length) throw new ImageError(`truncated BMP at byte ${bytes.length}: colour masks`);
      masks = [];
      for (let i = 0; i < count; i++) masks.push(view.getUint32(54 + i * 4, true));
      if (count === 3) masks.push(0);
    }
  } else {
    throw new ImageError(`unsupported BMP header size ${headerSize}`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  checkDimensions('BMP', width, height);
  const base = { format: 'BMP' as const, width, height };

  if (bpp <= 8) {
    if (![1, 4, 8].includes(bpp)) throw new ImageError(`unsupported BMP bit depth ${bpp}`);
    const colors = colorsUsed > 0 ? colorsUsed : 1 << bpp;
    if (colors > 256) throw new ImageError(`unsupported BMP palette of ${colors} colours`);
    const entry = headerSize === 12 ? 3 : 4;
    const palStart = 14 + headerSize + (masks !== undefined && headerSize === 40 ? 12 : 0);
    if (palStart + colors * entry > bytes.length) throw new ImageError(`truncated BMP at byte ${bytes.length}: palette of ${colors} colours`);
    const palette = greyPalette();
    let grey = true;
    for (let i = 0; i < colors; i++) {
      const p = palStart + i * entry;
      const [b, g, r] = [bytes[p]!, bytes[p + 1]!, bytes[p + 2]!];
      palette.set([r, g, b], i * 3);
      const want = colors === 2 ? (i === 0 ? 0 : 255) : i;
      if (r !== want || g !== want || b !== want) grey = false;
    }
    const indices = compression === BI_RLE8 || compression === BI_RLE4
      ? decodeRle(bytes, dataOffset, width, height, compression === BI_RLE4)
      : unpackIndexed(bytes, dataOffset, width, height, bpp);
    if (!topDown) flipRows(indices, width, height, 1);
    if (grey && (colors === 2 || bpp === 8)) {
      if (colors === 2) for (let i = 0; i < indices.length; i++) indices[i] = indices[i] ? 255 : 0;
      return { ...base, mode: colors === 2 ? '1' : 'L', data: indices };
    }
    return { ...base, mode: 'P', data: indices, palette };
  }

  if (![16, 24, 32].includes(bpp)) throw new ImageError(`unsupported BMP bit depth ${bpp}`);
  if (compression !== BI_RGB && masks === undefined) throw new ImageError(`unsupported BMP compression ${compression} for ${bpp}-bit pixels`);
  const stride = Math.floor((width * bpp + 31) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) {
    throw new ImageError(`truncated BMP at byte ${bytes.length}: ${height} rows of ${stride} bytes from byte ${dataOffset}`);
  }
  const m = masks ?? (bpp === 16 ? [0x7c00, 0x3e0, 0x1f, 0] : [0xff0000, 0xff00, 0xff, 0]);
  const alpha = m[3] !== 0 && bpp === 32;
  const bands = alpha ? 4 : 3;
  const out = new Uint8Array(width * height * bands);
  const fields = m.map(maskField);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const p = row + (x * bpp) / 8;
      const v = bpp === 16 ? view.getUint16(p, true) : bpp === 24 ? bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) : view.getUint32(p, true);
      const o = (y * width + x) * bands;
      for (let c = 0; c < bands; c++) out[o + c] = fields[c]!(v);
    }
  }
  return { ...base, mode: alpha ? 'RGBA' : 'RGB', data: out };
}

/** Reads one channel under a mask, scaled to 0..255 the way PIL's unpackers do (value * 255 / max). */
function maskField(mask: number): (v: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  if (max === 255) return (v) => (v >>> shift) & 255;
  return (v) => Math.floor((((v & mask) >>> shift) * 255) / max);
}

function unpackIndexed(bytes: Uint8Array, offset: number, width: number, height: number, bpp: number): Uint8Array {
  const stride = Math.floor((width * bpp + 31) / 32) * 4;
  if (offset + stride * height > bytes.length) {
    throw new ImageError(`truncated BMP at byte ${bytes.length}: ${height} rows of ${stride} bytes from byte ${offset}`);
  }
  const out = new Uint8Array(width * height);
  const perByte = 8 / bpp;
  const mask = (1 << bpp) - 1;
  for (let y = 0; y < height; y++) {
    const row = offset + y * stride;
    for (let x = 0; x < width; x++) {
      const byte = bytes[row + Math.floor(x / perByte)]!;
      out[y * width + x] = (byte >> (8 - bpp * ((x % perByte) + 1))) & mask;
    }
  }
  return out;
}

/**
 * RLE8/RLE4 into rows in file order (bottom row first), the way PIL's BmpRleDecoder reads them: pixels
 * form one stream, end-of-line pads it to the next row, runs are clipped at the row's end, an absolute
 * RLE4 block of n pixels reads n/2 bytes (rounded down), and blocks end on an even file offset.
 */
function decodeRle(bytes: Uint8Array, offset: number, width: number, height: number, four: boolean): Uint8Array {
  const total = width * height;
  const out = new Uint8Array(total);
  let n = 0;
  let x = 0;
  let p = offset;
  const push = (v: number): void => {
    if (n < total) out[n] = v;
    n++;
  };
  while (n < total && p + 2 <= bytes.length) {
    const count = bytes[p]!;
    const value = bytes[p + 1]!;
    p += 2;
    if (count > 0) {
      const run = Math.min(count, Math.max(0, width - x));
      for (let i = 0; i < run; i++) push(four ? (i & 1 ? value & 15 : value >> 4) : value);
      x += run;
    } else if (value === 0) {
      while (n % width !== 0) push(0);
      x = 0;
    } else if (value === 1) {
      break;
    } else if (value === 2) {
      if (p + 2 > bytes.length) break;
      const skip = bytes[p]! + bytes[p + 1]! * width;
      p += 2;
      for (let i = 0; i < skip; i++) push(0);
      x = n % width;
    } else {
      const count = four ? value >> 1 : value;
      const end = Math.min(bytes.length, p + count);
      for (; p < end; p++) {
        if (four) {
          push(bytes[p]! >> 4);
          push(bytes[p]! & 15);
        } else {
          push(bytes[p]!);
        }
      }
      x += value;
      if (p % 2 !== 0) p++;
    }
  }
  return out;
}

function flipRows(data: Uint8Array, width: number, height: number, bands: number): void {
  const stride = width * bands;
  const tmp = new Uint8Array(stride);
  for (let y = 0; y < height >> 1; y++) {
    const a = y * stride;
    const b = (height - 1 - y) * stride;
    tmp.set(data.subarray(a, a + stride));
    data.copyWithin(a, b, b + stride);
    data.set(tmp, b);
  }
}
