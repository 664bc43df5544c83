// WebP lossless (VP8L) decoder; lossy VP8 and animated files are refused with a clear message.
// Pixels are exact (lossless), so the result equals what PIL decodes through libwebp: RGBA when the
// file says it uses alpha, else RGB.
import { ImageError, checkDimensions } from './types';
import { BitReader, readCode } from './webpBits';
import type { PrefixCode } from './webpBits';
import type { DecodedImage } from './types';

// (dx, dy) for distance codes 1..120, nearest neighbours first (RFC 9649 §4.2.2).
const DISTANCE_MAP = [
  0, 1, 1, 0, 1, 1, -1, 1, 0, 2, 2, 0, 1, 2, -1, 2, 2, 1, -2, 1, 2, 2, -2, 2, 0, 3, 3, 0, 1, 3, -1, 3,
  3, 1, -3, 1, 2, 3, -2, 3, 3, 2, -3, 2, 0, 4, 4, 0, 1, 4, -1, 4, 4, 1, -4, 1, 3, 3, -3, 3, 2, 4, -2, 4,
  4, 2, -4, 2, 0, 5, 3, 4, -3, 4, 4, 3, -4, 3, 5, 0, 1, 5, -1, 5, 5, 1, -5, 1, 2, 5, -2, 5, 5, 2, -5, 2,
  4, 4, -4, 4, 3, 5, -3, 5, 5, 3, -5, 3, 0, 6, 6, 0, 1, 6, -1, 6, 6, 1, -6, 1, 2, 6, -2, 6, 6, 2, -6, 2,
  4, 5, -4, 5, 5, 4, -5, 4, 3, 6, -3, 6, 6, 3, -6, 3, 0, 7, 7, 0, 1, 7, -1, 7, 5, 5, -5, 5, 7, 1, -7, 1,
  4, 6, -4, 6, 6, 4, -6, 4, 2, 7, -2, 7, 7, 2, -7, 2, 3, 7, -3, 7, 7, 3, -7, 3, 5, 6, -5, 6, 6, 5, -6, 5,
  8, 0, 4, 7, -4, 7, 7, 4, -7, 4, 8, 1, 8, 2, 6, 6, -6, 6, 8, 3, 5, 7, -5, 7, 7, 5, -7, 5, 8, 4, 6, 7,
  -6, 7, 7, 6, -7, 6, 8, 5, 7, 7, -7, 7, 8, 6, 8, 7,
];

export function isWebp(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP';
}

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, end));
}

function prefixValue(symbol: number, br: BitReader): number {
  if (symbol < 4) return symbol + 1;
  const extra = (symbol - 2) >> 1;
  return ((2 + (symbol & 1)) << extra) + br.read(extra) + 1;
}

const ceilDiv = (a: number, bits: number): number => (a + (1 << bits) - 1) >> bits;

/** The entropy-coded image: prefix-code groups, LZ77 copies and the colour cache. */
function readPixels(br: BitReader, width: number, height: number, top: boolean): Uint32Array {
  const useCache = br.read(1) === 1;
  const cacheBits = useCache ? br.read(4) : 0;
  if (useCache && (cacheBits < 1 || cacheBits > 11)) throw new ImageError(`broken WebP: colour cache of ${cacheBits} bits`);
  const cacheSize = cacheBits > 0 ? 1 << cacheBits : 0;
  let metaBits = 0;
  let meta: Uint32Array | undefined;
  let groups = 1;
  if (top && br.read(1)) {
    metaBits = br.read(3) + 2;
    meta = readPixels(br, ceilDiv(width, metaBits), ceilDiv(height, metaBits), false);
    for (let i = 0; i < meta.length; i++) groups = Math.max(groups, ((meta[i]! >> 8) & 0xffff) + 1);
  }
  const codes: PrefixCode[][] = [];
  for (let g = 0; g < groups; g++) {
    codes.push([readCode(br, 256 + 24 + cacheSize), readCode(br, 256), readCode(br, 256), readCode(br, 256), readCode(br, 40)]);
  }
  const out = new Uint32Array(width * height);
  const cache = new Uint32Array(cacheSize);
  const metaWidth = ceilDiv(width, metaBits);
  let cached = 0;
  const total = width * height;
  let x = 0;
  let y = 0;
  for (let pos = 0; pos < total;) {
    // x and y follow pos (copies advance it by many pixels at once).
    while (x >= width) {
      x -= width;
      y++;
    }
    const group = meta === undefined ? codes[0]! : codes[(meta[(y >> metaBits) * metaWidth + (x >> metaBits)]! >> 8) & 0xffff]!;
    const g = group[0]!.read(br);
    if (g < 256) {
      const r = group[1]!.read(br);
      const b = group[2]!.read(br);
      const a = group[3]!.read(br);
      out[pos++] = ((a << 24) | (r << 16) | (g << 8) | b) >>> 0;
      x++;
    } else if (g < 280) {
      const length = prefixValue(g - 256, br);
      const code = prefixValue(group[4]!.read(br), br);
      let dist: number;
      if (code > 120) dist = code - 120;
      else {
        dist = DISTANCE_MAP[(code - 1) * 2]! + DISTANCE_MAP[(code - 1) * 2 + 1]! * width;
        if (dist < 1) dist = 1;
      }
      if (dist > pos || pos + length > total) throw new ImageError(`broken WebP: back reference outside the image at pixel ${pos}`);
      for (let i = 0; i < length; i++, pos++) out[pos] = out[pos - dist]!;
      x += length;
    } else {
      if (g - 280 >= cacheSize) throw new ImageError('broken WebP: colour cache index without a cache');
      out[pos++] = cache[g - 280]!;
      x++;
    }
    if (cacheSize > 0) {
      for (; cached < pos; cached++) cache[Math.imul(0x1e35a7bd, out[cached]!) >>> (32 - cacheBits)] = out[cached]!;
    }
  }
  return out;
}

interface Transform {
  type: number;
  /** Width of the image this transform produces (for colour indexing, before packing). */
  width: number;
  bits: number;
  data: Uint32Array;
}

function add(a: number, b: number): number {
  return ((((a & 0xff00ff00) >>> 0) + ((b & 0xff00ff00) >>> 0)) & 0xff00ff00) + (((a & 0x00ff00ff) + (b & 0x00ff00ff)) & 0x00ff00ff) >>> 0;
}

function avg(a: number, b: number): number {
  return (((((a ^ b) & 0xfefefefe) >>> 1) + (a & b)) >>> 0);
}

function clampAddSubtractFull(a: number, b: number, c: number): number {
  let out = 0;
  for (let s = 0; s < 32; s += 8) {
    const v = ((a >>> s) & 255) + ((b >>> s) & 255) - ((c >>> s) & 255);
    out |= (v < 0 ? 0 : v > 255 ? 255 : v) << s;
  }
  return out >>> 0;
}

function clampAddSubtractHalf(a: number, b: number): number {
  let out = 0;
  for (let s = 0; s < 32; s += 8) {
    const x = (a >>> s) & 255;
    const v = x + Math.trunc((x - ((b >>> s) & 255)) / 2);
    out |= (v < 0 ? 0 : v > 255 ? 255 : v) << s;
  }
  return out >>> 0;
}

function select(l: number, t: number, tl: number): number {
  let dl = 0;
  let dt = 0;
  for (let s = 0; s < 32; s += 8) {
    dl += Math.abs(((l >>> s) & 255) - ((tl >>> s) & 255));
    dt += Math.abs(((t >>> s) & 255) - ((tl >>> s) & 255));
  }
  return dt < dl ? l : t;
}

function predict(mode: number, p: Uint32Array, i: number, w: number): number {
  const l = p[i - 1]!;
  const t = p[i - w]!;
  const tl = p[i - w - 1]!;
  const tr = p[i - w + 1]!;
  switch (mode) {
    case 0: return 0xff000000;
    case 1: return l;
    case 2: return t;
    case 3: return tr;
    case 4: return tl;
    case 5: return avg(avg(l, tr), t);
    case 6: return avg(l, tl);
    case 7: return avg(l, t);
    case 8: return avg(tl, t);
    case 9: return avg(t, tr);
    case 10: return avg(avg(l, tl), avg(t, tr));
    case 11: return select(l, t, tl);
    case 12: return clampAddSubtractFull(l, t, tl);
    case 13: return clampAddSubtractHalf(avg(l, t), tl);
    default: throw new ImageError(`broken WebP: predictor mode ${mode}`);
  }
}

function inverse(t: Transform, src: Uint32Array, height: number): Uint32Array {
  const w = t.width;
  if (t.type === 0) {
    const p = src;
    const bw = ceilDiv(w, t.bits);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const pred = y === 0 ? (x === 0 ? 0xff000000 : p[i - 1]!) : x === 0 ? p[i - w]! : predict((t.data[(y >> t.bits) * bw + (x >> t.bits)]! >> 8) & 15, p, i, w);
        p[i] = add(p[i]!, pred);
      }
    }
    return p;
  }
  if (t.type === 1) {
    const bw = ceilDiv(w, t.bits);
    const s8 = (v: number): number => (v << 24) >> 24;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < w; x++) {
        const e = t.data[(y >> t.bits) * bw + (x >> t.bits)]!;
        const i = y * w + x;
        const v = src[i]!;
        const g = s8(v >>> 8);
        const r = ((v >>> 16) + ((s8(e) * g) >> 5)) & 255;
        const b = ((v & 255) + ((s8(e >>> 8) * g) >> 5) + ((s8(e >>> 16) * s8(r)) >> 5)) & 255;
        src[i] = ((v & 0xff00ff00) | (r << 16) | b) >>> 0;
      }
    }
    return src;
  }
  if (t.type === 2) {
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      const g = (v >>> 8) & 255;
      src[i] = ((v & 0xff00ff00) | ((((v >>> 16) + g) & 255) << 16) | (((v & 255) + g) & 255)) >>> 0;
    }
    return src;
  }
  // Colour indexing: each packed pixel's green holds 1 << bits indices, low bits first.
  const outWidth = w;
  const packedWidth = ceilDiv(w, t.bits);
  const out = new Uint32Array(outWidth * height);
  const per = 1 << t.bits;
  const size = 8 >> t.bits;
  const mask = (1 << size) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const packed = (src[y * packedWidth + (x >> t.bits)]! >>> 8) & 255;
      const index = (packed >> ((x & (per - 1)) * size)) & mask;
      out[y * outWidth + x] = index < t.data.length ? t.data[index]! : 0;
    }
  }
  return out;
}

function decodeVp8l(data: Uint8Array, base: number): DecodedImage {
  if (data.length < 5 || data[0] !== 0x2f) throw new ImageError(`broken WebP at byte ${base}: no VP8L signature`);
  const br = new BitReader(data.subarray(1), base + 1);
  const width = br.read(14) + 1;
  const height = br.read(14) + 1;
  const alpha = br.read(1) === 1;
  if (br.read(3) !== 0) throw new ImageError('unsupported WebP: unknown VP8L version');
  checkDimensions('WebP', width, height);
  const transforms: Transform[] = [];
  let w = width;
  while (br.read(1)) {
    const type = br.read(2);
    if (transforms.some((t) => t.type === type)) throw new ImageError(`broken WebP: transform ${type} given twice`);
    if (type === 0 || type === 1) {
      const bits = br.read(3) + 2;
      transforms.push({ type, width: w, bits, data: readPixels(br, ceilDiv(w, bits), ceilDiv(height, bits), false) });
    } else if (type === 2) {
      transforms.push({ type, width: w, bits: 0, data: new Uint32Array() });
    } else {
      const size = br.read(8) + 1;
      const table = readPixels(br, size, 1, false);
      for (let i = 1; i < size; i++) table[i] = add(table[i]!, table[i - 1]!);
      const bits = size <= 2 ? 3 : size <= 4 ? 2 : size <= 16 ? 1 : 0;
      transforms.push({ type, width: w, bits, data: table });
      w = ceilDiv(w, bits);
    }
  }
  let pixels = readPixels(br, w, height, true);
  for (let k = transforms.length - 1; k >= 0; k--) pixels = inverse(transforms[k]!, pixels, height);
  const bands = alpha ? 4 : 3;
  const out = new Uint8Array(width * height * bands);
  for (let i = 0; i < width * height; i++) {
    const v = pixels[i]!;
    out[i * bands] = (v >>> 16) & 255;
    out[i * bands + 1] = (v >>> 8) & 255;
    out[i * bands + 2] = v & 255;
    if (alpha) out[i * bands + 3] = v >>> 24;
  }
  return { format: 'WEBP', width, height, mode: alpha ? 'RGBA' : 'RGB', data: out };
}

export function decodeWebp(bytes: Uint8Array): DecodedImage {
  if (!isWebp(bytes)) throw new ImageError('not a WebP file (no RIFF/WEBP header)');
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const type = ascii(bytes, pos, pos + 4);
    const size = (bytes[pos + 4]! | (bytes[pos + 5]! << 8) | (bytes[pos + 6]! << 16) | (bytes[pos + 7]! << 24)) >>> 0;
    const start = pos + 8;
    if (start + size > bytes.length) throw new ImageError(`truncated WebP at byte ${bytes.length}: chunk "${type}" needs ${size} bytes`);
    if (type === 'VP8 ') throw new ImageError('lossy WebP is not supported (only lossless WebP is): convert it to PNG or JPEG first');
    if (type === 'ANIM') throw new ImageError('animated WebP is not supported: convert its first frame to PNG first');
    if (type === 'VP8L') {
      return decodeVp8l(bytes.subarray(start, start + size), start);
    }
    pos = start + size + (size & 1);
  }
  throw new ImageError(`truncated WebP at byte ${bytes.length}: no image chunk`);
}
