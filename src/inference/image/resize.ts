// Image.resize((w, h), Image.BILINEAR) exactly as PIL's ImagingResample does it for 8-bit images:
// a triangle filter whose support grows with the downscale factor (so it antialiases), coefficients
// normalised in double and rounded to 22-bit fixed point, a horizontal pass and then a vertical one.
import { resize3Simd } from './resizeSimd';
import type { Image8 } from './types';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const MAX = ONE * 256;

let useSimd = true;

/** Turns the WebAssembly SIMD horizontal pass off or on (tests compare the two). */
export function setResizeSimd(on: boolean): void {
  useSimd = on;
}

interface Coefficients {
  /** Taps per output pixel (the stride of `k`). */
  ksize: number;
  /** Per output pixel: first input index and number of taps. */
  bounds: Int32Array;
  /** Fixed-point weights, `ksize` per output pixel. */
  k: Int32Array;
}

function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

/** precompute_coeffs + normalize_coeffs_8bpc for the box [0, inSize) mapped onto outSize pixels. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) truncates toward zero; negatives are clamped to 0 right after either way.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const v = triangle((x + xmin - center + 0.5) * ss);
      w[x] = v;
      ww += v;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x]! / ww : w[x]!;
      k[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, k };
}

/** Sums stay within int32 (weights total 2^22, pixels ≤ 255), so integer ops are exact here. */
function clip8(v: number): number {
  if (v >= MAX) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/** Horizontal pass over input rows [y0, y0 + rows). */
function horizontal(src: Uint8Array, inW: number, bands: number, y0: number, rows: number, outW: number, c: Coefficients): Uint8Array {
  if (bands === 3 && useSimd) {
    const fast = resize3Simd(src, inW, y0, rows, outW, c, HALF, PRECISION_BITS);
    if (fast) return fast;
  }
  return horizontalJs(src, inW, bands, y0, rows, outW, c);
}

/** The horizontal pass in plain JS: single-channel images, and RGB where WebAssembly SIMD is missing. */
function horizontalJs(src: Uint8Array, inW: number, bands: number, y0: number, rows: number, outW: number, c: Coefficients): Uint8Array {
  const out = new Uint8Array(outW * rows * bands);
  const { ksize, bounds, k } = c;
  for (let y = 0; y < rows; y++) {
    const rowIn = (y + y0) * inW * bands;
    let o = y * outW * bands;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = bounds[xx * 2]!;
      const xmax = bounds[xx * 2 + 1]!;
      const kb = xx * ksize;
      let p = rowIn + xmin * bands;
      if (bands === 3) {
        // The three channels in one sweep: same sums as three separate ones, a third of the loads of k.
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < xmax; x++, p += 3) {
          const w = k[kb + x]!;
          s0 = (s0 + src[p]! * w) | 0;
          s1 = (s1 + src[p + 1]! * w) | 0;
          s2 = (s2 + src[p + 2]! * w) | 0;
        }
        out[o++] = clip8(s0);
        out[o++] = clip8(s1);
        out[o++] = clip8(s2);
      } else {
        let ss = HALF;
        for (let x = 0; x < xmax; x++, p++) ss = (ss + src[p]! * k[kb + x]!) | 0;
        out[o++] = clip8(ss);
      }
    }
  }
  return out;
}

function vertical(src: Uint8Array, width: number, bands: number, outH: number, c: Coefficients, shift: number): Uint8Array {
  const stride = width * bands;
  const out = new Uint8Array(outH * stride);
  const { ksize, bounds, k } = c;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2]! - shift;
    const ymax = bounds[yy * 2 + 1]!;
    const kb = yy * ksize;
    for (let i = 0; i < stride; i++) {
      let ss = HALF;
      let p = ymin * stride + i;
      for (let y = 0; y < ymax; y++, p += stride) ss = (ss + src[p]! * k[kb + y]!) | 0;
      out[yy * stride + i] = clip8(ss);
    }
  }
  return out;
}

export function resizeBilinear(image: Image8, width: number, height: number): Image8 {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`resize to ${width}×${height}: both sides must be positive integers`);
  }
  const bands = image.mode === 'RGB' ? 3 : 1;
  if (width === image.width && height === image.height) {
    return { ...image, data: image.data.slice() };
  }
  let data = image.data;
  let curW = image.width;
  const needH = width !== image.width;
  const needV = height !== image.height;
  const cv = coefficients(image.height, height);
  let shift = 0;
  if (needH) {
    const ch = coefficients(image.width, width);
    // Only the rows the vertical pass reads are resampled horizontally (as PIL does).
    const first = cv.bounds[0]!;
    const last = cv.bounds[height * 2 - 2]! + cv.bounds[height * 2 - 1]!;
    const rows = needV ? last - first : image.height;
    const y0 = needV ? first : 0;
    if (bands === 3 && needV && useSimd) {
      const both = resize3Simd(data, image.width, y0, rows, width, ch, HALF, PRECISION_BITS, { outH: height, c: cv });
      if (both) return { width, height, mode: image.mode, data: both };
    }
    data = horizontal(data, image.width, bands, y0, rows, width, ch);
    curW = width;
    shift = y0;
  }
  if (needV) data = vertical(data, curW, bands, height, cv, shift);
  return { width, height, mode: image.mode, data };
}
