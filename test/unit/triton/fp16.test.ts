import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bf16ArrayToFloat32, bf16BitsToNumber, fp16ArrayToFloat32, fp16BitsToNumber, numberToBf16Bits,
  numberToBf16BitsTruncated, numberToFp16Bits, toBf16Array, toFp16Array,
} from '../../../src/triton/fp16';

// Expected bit patterns follow from IEEE 754 binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
test('FP16 encodes exact values to their IEEE bit patterns', () => {
  const cases: [number, number][] = [
    [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [-65504, 0xfbff],
    [2 ** -14, 0x0400], [2 ** -24, 0x0001], [1023 * 2 ** -24, 0x03ff], [0, 0x0000],
  ];
  for (const [value, bits] of cases) assert.equal(numberToFp16Bits(value), bits, `${value}`);
  assert.equal(numberToFp16Bits(-0), 0x8000);
});

test('FP16 rounds to nearest, ties to even', () => {
  // 1 + 2^-11 lies halfway between 0x3C00 and 0x3C01: the even one wins.
  assert.equal(numberToFp16Bits(1 + 2 ** -11), 0x3c00);
  // 1 + 3·2^-11 lies halfway between 0x3C01 and 0x3C02: the even one wins.
  assert.equal(numberToFp16Bits(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(numberToFp16Bits(1 + 2 ** -11 + 2 ** -30), 0x3c01);
  // 0.1 → 0x2E66 (0.0999755859375), 1/3 → 0x3555.
  assert.equal(numberToFp16Bits(0.1), 0x2e66);
  assert.equal(numberToFp16Bits(1 / 3), 0x3555);
  // Fraction overflow carries into the exponent: 2 − 2^-12 rounds up to 2.0.
  assert.equal(numberToFp16Bits(2 - 2 ** -12), 0x4000);
});

test('FP16 subnormals round ties to even and underflow to zero', () => {
  assert.equal(numberToFp16Bits(2 ** -25), 0x0000); // halfway between 0 and the smallest subnormal
  assert.equal(numberToFp16Bits(2 ** -25 * 1.0001), 0x0001);
  assert.equal(numberToFp16Bits(3 * 2 ** -25), 0x0002); // halfway between 1 and 2 units
  assert.equal(numberToFp16Bits(-(2 ** -26)), 0x8000);
  // The largest subnormal plus half a unit rounds (to even) into the smallest normal.
  assert.equal(numberToFp16Bits(1023.5 * 2 ** -24), 0x0400);
});

test('FP16 overflow, infinities and NaN', () => {
  assert.equal(numberToFp16Bits(65519.99), 0x7bff);
  assert.equal(numberToFp16Bits(65520), 0x7c00); // halfway to 65536 rounds to even = infinity
  assert.equal(numberToFp16Bits(1e10), 0x7c00);
  assert.equal(numberToFp16Bits(-1e10), 0xfc00);
  assert.equal(numberToFp16Bits(Infinity), 0x7c00);
  assert.equal(numberToFp16Bits(-Infinity), 0xfc00);
  assert.equal(numberToFp16Bits(NaN), 0x7e00);
  assert.equal(fp16BitsToNumber(0x7c00), Infinity);
  assert.equal(fp16BitsToNumber(0xfc00), -Infinity);
  assert.ok(Number.isNaN(fp16BitsToNumber(0x7e01)));
  assert.ok(Object.is(fp16BitsToNumber(0x8000), -0));
});

test('FP16 decode of every bit pattern encodes back to itself', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const value = fp16BitsToNumber(bits);
    if (Number.isNaN(value)) continue;
    assert.equal(numberToFp16Bits(value), bits, `0x${bits.toString(16)}`);
  }
  assert.equal(fp16BitsToNumber(0x3555), 0.333251953125);
  assert.equal(fp16BitsToNumber(0x0001), 2 ** -24);
});

test('FP16 array helpers convert element-wise', () => {
  const bits = toFp16Array([1, -2, 0.5, Infinity]);
  assert.deepEqual(Array.from(bits), [0x3c00, 0xc000, 0x3800, 0x7c00]);
  assert.deepEqual(Array.from(fp16ArrayToFloat32(bits)), [1, -2, 0.5, Infinity]);
  assert.deepEqual(Array.from(toFp16Array(new Float32Array([0.1]))), [0x2e66]);
});

// BF16 is the upper half of an IEEE float32: 8 exponent bits (bias 127), 7 fraction bits.
test('BF16 encodes exact values and rounds ties to even', () => {
  assert.equal(numberToBf16Bits(1), 0x3f80);
  assert.equal(numberToBf16Bits(-2), 0xc000);
  assert.equal(numberToBf16Bits(1 + 2 ** -8), 0x3f80); // halfway, even stays
  assert.equal(numberToBf16Bits(1 + 3 * 2 ** -8), 0x3f82); // halfway, rounds up to even
  assert.equal(numberToBf16Bits(1 + 2 ** -8 + 2 ** -20), 0x3f81);
  assert.equal(numberToBf16Bits(NaN), 0x7fc0);
  assert.equal(numberToBf16Bits(-Infinity), 0xff80);
  assert.equal(numberToBf16Bits(2 ** -133), 0x0001); // smallest subnormal
  assert.equal(numberToBf16Bits(2 ** -134), 0x0000); // tie with zero goes to even
  assert.equal(numberToBf16Bits(3.4028234663852886e38), 0x7f80); // float32 max rounds to infinity
});

test('BF16 from a double rounds once, not through float32', () => {
  // Rounded to float32 first, 1 + 2^-8 + 2^-40 becomes exactly 1 + 2^-8, a tie that would go down to 1.0.
  // Rounded once it is above the halfway point and must go up.
  assert.equal(numberToBf16Bits(1 + 2 ** -8 + 2 ** -40), 0x3f81);
  assert.equal(numberToBf16BitsTruncated(1 + 2 ** -8 + 2 ** -40), 0x3f80);
});

test('BF16 truncation mode matches the Python client, rounding mode differs on ties', () => {
  assert.equal(numberToBf16BitsTruncated(3.4028234663852886e38), 0x7f7f);
  assert.deepEqual(Array.from(toBf16Array([1 + 3 * 2 ** -8], 'truncate')), [0x3f81]);
  assert.deepEqual(Array.from(toBf16Array([1 + 3 * 2 ** -8])), [0x3f82]);
});

test('BF16 float32 fast path agrees with the exact path on every float32 pattern sampled', () => {
  const words = new Uint32Array(1);
  const floats = new Float32Array(words.buffer);
  for (let i = 0; i < 50000; i++) {
    words[0] = (Math.imul(i, 2654435761) ^ (i << 7)) >>> 0;
    const value = floats[0]!;
    const fast = toBf16Array(new Float32Array([value]))[0]!;
    if (Number.isNaN(value)) {
      assert.equal(fast & 0x7fc0, 0x7fc0);
      continue;
    }
    assert.equal(fast, numberToBf16Bits(value), `float32 0x${words[0]!.toString(16)}`);
  }
});

test('BF16 decode of every bit pattern encodes back to itself', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const value = bf16BitsToNumber(bits);
    if (Number.isNaN(value)) continue;
    assert.equal(numberToBf16Bits(value), bits, `0x${bits.toString(16)}`);
  }
  assert.deepEqual(Array.from(bf16ArrayToFloat32(Uint16Array.of(0x3f80, 0xc000))), [1, -2]);
});
