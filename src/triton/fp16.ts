// IEEE binary16 (FP16) and bfloat16 (BF16) conversions; values travel as Uint16Array of raw bits.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Rounds a double to a small binary float with `expBits` exponent and `mantBits` fraction bits,
 * round-to-nearest-even in a single step (no double rounding through float32).
 * All scaling is by powers of two, so every intermediate value is exact.
 */
function toMiniFloat(value: number, expBits: number, mantBits: number, nanBits: number): number {
  const signBit = 1 << (expBits + mantBits);
  if (Number.isNaN(value)) return nanBits;
  const sign = value < 0 || Object.is(value, -0) ? signBit : 0;
  const abs = Math.abs(value);
  const bias = (1 << (expBits - 1)) - 1;
  const maxExp = bias; // largest unbiased exponent of a finite value
  const infBits = ((1 << expBits) - 1) << mantBits;
  if (abs === Infinity) return sign | infBits;
  if (abs === 0) return sign;
  const mantScale = 2 ** mantBits;
  const minNormal = 2 ** (1 - bias);
  if (abs < minNormal) {
    // Subnormal: value / (smallest subnormal step); rounding up to 2^mantBits lands on the smallest normal encoding.
    const m = roundHalfEven(abs / 2 ** (1 - bias - mantBits));
    return sign | m;
  }
  let e = Math.floor(Math.log2(abs));
  if (2 ** e > abs) e -= 1;
  else if (2 ** (e + 1) <= abs) e += 1;
  if (e > maxExp) return sign | infBits;
  let m = roundHalfEven((abs / 2 ** e) * mantScale - mantScale);
  if (m === mantScale) {
    m = 0;
    e += 1;
    if (e > maxExp) return sign | infBits;
  }
  return sign | ((e + bias) << mantBits) | m;
}

/** Nearest FP16 bit pattern of a number (round-to-nearest-even; overflow → ±Inf; NaN → 0x7E00). */
export function numberToFp16Bits(value: number): number {
  return toMiniFloat(value, 5, 10, 0x7e00);
}

/** The number an FP16 bit pattern stands for. */
export function fp16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Nearest BF16 bit pattern of a number (round-to-nearest-even; overflow → ±Inf; NaN → 0x7FC0). */
export function numberToBf16Bits(value: number): number {
  return toMiniFloat(value, 8, 7, 0x7fc0);
}

/** BF16 by dropping the low 16 bits of the float32, as the official Python client does (no rounding). */
export function numberToBf16BitsTruncated(value: number): number {
  f32[0] = value;
  return u32[0]! >>> 16;
}

export function bf16BitsToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16 >>> 0;
  return f32[0]!;
}

type NumberSource = ArrayLike<number>;

/** Converts numbers to FP16 bits. */
export function toFp16Array(values: NumberSource): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToFp16Bits(values[i]!);
  return out;
}

export function fp16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = fp16BitsToNumber(bits[i]!);
  return out;
}

/** Converts numbers to BF16 bits; `truncate` mimics the Python client byte for byte. */
export function toBf16Array(values: NumberSource, mode: 'nearest-even' | 'truncate' = 'nearest-even'): Uint16Array {
  const out = new Uint16Array(values.length);
  if (mode === 'truncate') {
    for (let i = 0; i < values.length; i++) out[i] = numberToBf16BitsTruncated(values[i]!);
  } else if (values instanceof Float32Array) {
    // A float32 is already one rounding away from BF16, so rounding its bits is exact.
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if ((w & 0x7f800000) === 0x7f800000 && (w & 0x7fffff) !== 0) out[i] = 0x7fc0 | ((w >>> 16) & 0x8000);
      else out[i] = (w + 0x7fff + ((w >>> 16) & 1)) >>> 16;
    }
  } else {
    for (let i = 0; i < values.length; i++) out[i] = numberToBf16Bits(values[i]!);
  }
  return out;
}

export function bf16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16 >>> 0;
  return out;
}
