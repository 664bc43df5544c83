// libjpeg's "ISLOW" integer inverse DCT (jidctint.c's algorithm: 13-bit constants, two passes with
// 2 extra bits between them) and its post-IDCT range-limit table, so samples round as libjpeg's do.

// Multipliers scaled by 2^13, as jidctint defines them.
const F0_298 = 2446;
const F0_390 = 3196;
const F0_541 = 4433;
const F0_765 = 6270;
const F0_899 = 7373;
const F1_175 = 9633;
const F1_501 = 12299;
const F1_847 = 15137;
const F1_961 = 16069;
const F2_053 = 16819;
const F2_562 = 20995;
const F3_072 = 25172;

/**
 * libjpeg's table for the IDCT output, indexed by (value & 1023) where value is the centred sample:
 * -128..383 map to clamp(value + 128); beyond that the index wraps (out-of-range garbage stays bounded).
 */
const RANGE_LIMIT = (() => {
  const t = new Uint8Array(1024);
  for (let i = 0; i < 1024; i++) t[i] = i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896;
  return t;
})();

/** The sample every pixel of a block takes when only its DC coefficient (already dequantised) is set. */
export function dcOnlySample(dequantisedDc: number): number {
  return RANGE_LIMIT[((((dequantisedDc << 2) + 16) >> 5)) & 1023];
}

/**
 * Inverse-transforms one block: `coefs` (natural order, from `at`) times `quant`, written as 8x8
 * samples into `out` from `outAt` with row stride `stride`. `ws` is a 64-entry scratch buffer.
 */
export function idctBlock(coefs: Int16Array, at: number, quant: Int32Array, out: Uint8Array, outAt: number, stride: number, ws: Int32Array): void {
  // Pass 1: columns, into ws scaled up by 2^2.
  for (let c = 0; c < 8; c++) {
    const p = at + c;
    if (coefs[p + 8] === 0 && coefs[p + 16] === 0 && coefs[p + 24] === 0 && coefs[p + 32] === 0 &&
        coefs[p + 40] === 0 && coefs[p + 48] === 0 && coefs[p + 56] === 0) {
      const dc = (coefs[p] * quant[c]) << 2;
      ws[c] = dc; ws[c + 8] = dc; ws[c + 16] = dc; ws[c + 24] = dc;
      ws[c + 32] = dc; ws[c + 40] = dc; ws[c + 48] = dc; ws[c + 56] = dc;
      continue;
    }
    let z2 = coefs[p + 16] * quant[c + 16];
    let z3 = coefs[p + 48] * quant[c + 48];
    let z1 = (z2 + z3) * F0_541;
    const e2 = z1 - z3 * F1_847;
    const e3 = z1 + z2 * F0_765;
    z2 = coefs[p] * quant[c];
    z3 = coefs[p + 32] * quant[c + 32];
    const e0 = (z2 + z3) << 13;
    const e1 = (z2 - z3) << 13;
    const t10 = e0 + e3;
    const t13 = e0 - e3;
    const t11 = e1 + e2;
    const t12 = e1 - e2;

    let o0 = coefs[p + 56] * quant[c + 56];
    let o1 = coefs[p + 40] * quant[c + 40];
    let o2 = coefs[p + 24] * quant[c + 24];
    let o3 = coefs[p + 8] * quant[c + 8];
    z1 = o0 + o3;
    z2 = o1 + o2;
    z3 = o0 + o2;
    let z4 = o1 + o3;
    const z5 = (z3 + z4) * F1_175;
    o0 *= F0_298;
    o1 *= F2_053;
    o2 *= F3_072;
    o3 *= F1_501;
    z1 *= -F0_899;
    z2 *= -F2_562;
    z3 = z3 * -F1_961 + z5;
    z4 = z4 * -F0_390 + z5;
    o0 += z1 + z3;
    o1 += z2 + z4;
    o2 += z2 + z3;
    o3 += z1 + z4;

    ws[c] = (t10 + o3 + 1024) >> 11;
    ws[c + 56] = (t10 - o3 + 1024) >> 11;
    ws[c + 8] = (t11 + o2 + 1024) >> 11;
    ws[c + 48] = (t11 - o2 + 1024) >> 11;
    ws[c + 16] = (t12 + o1 + 1024) >> 11;
    ws[c + 40] = (t12 - o1 + 1024) >> 11;
    ws[c + 24] = (t13 + o0 + 1024) >> 11;
    ws[c + 32] = (t13 - o0 + 1024) >> 11;
  }

  // Pass 2: rows, descaled by 2^(13 + 2 + 3) and range-limited into samples.
  const R = RANGE_LIMIT;
  for (let r = 0; r < 64; r += 8) {
    const q = outAt + (r >> 3) * stride;
    if (ws[r + 1] === 0 && ws[r + 2] === 0 && ws[r + 3] === 0 && ws[r + 4] === 0 &&
        ws[r + 5] === 0 && ws[r + 6] === 0 && ws[r + 7] === 0) {
      const v = R[((ws[r] + 16) >> 5) & 1023];
      out[q] = v; out[q + 1] = v; out[q + 2] = v; out[q + 3] = v;
      out[q + 4] = v; out[q + 5] = v; out[q + 6] = v; out[q + 7] = v;
      continue;
    }
    let z2 = ws[r + 2];
    let z3 = ws[r + 6];
    let z1 = (z2 + z3) * F0_541;
    const e2 = z1 - z3 * F1_847;
    const e3 = z1 + z2 * F0_765;
    const e0 = (ws[r] + ws[r + 4]) << 13;
    const e1 = (ws[r] - ws[r + 4]) << 13;
    const t10 = e0 + e3;
    const t13 = e0 - e3;
    const t11 = e1 + e2;
    const t12 = e1 - e2;

    let o0 = ws[r + 7];
    let o1 = ws[r + 5];
    let o2 = ws[r + 3];
    let o3 = ws[r + 1];
    z1 = o0 + o3;
    z2 = o1 + o2;
    z3 = o0 + o2;
    let z4 = o1 + o3;
    const z5 = (z3 + z4) * F1_175;
    o0 *= F0_298;
    o1 *= F2_053;
    o2 *= F3_072;
    o3 *= F1_501;
    z1 *= -F0_899;
    z2 *= -F2_562;
    z3 = z3 * -F1_961 + z5;
    z4 = z4 * -F0_390 + z5;
    o0 += z1 + z3;
    o1 += z2 + z4;
    o2 += z2 + z3;
    o3 += z1 + z4;

    out[q] = R[((t10 + o3 + 131072) >> 18) & 1023];
    out[q + 7] = R[((t10 - o3 + 131072) >> 18) & 1023];
    out[q + 1] = R[((t11 + o2 + 131072) >> 18) & 1023];
    out[q + 6] = R[((t11 - o2 + 131072) >> 18) & 1023];
    out[q + 2] = R[((t12 + o1 + 131072) >> 18) & 1023];
    out[q + 5] = R[((t12 - o1 + 131072) >> 18) & 1023];
    out[q + 3] = R[((t13 + o0 + 131072) >> 18) & 1023];
    out[q + 4] = R[((t13 - o0 + 131072) >> 18) & 1023];
  }
}
