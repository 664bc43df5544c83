// libjpeg's "ISLOW" integer inverse DCT (jidctint.c's algorithm: 13-bit constants, two passes with
// 2 extra bits between them) and its post-IDCT range-limit table, so samples round as libjpeg's do.
// libjpeg-turbo's SIMD versions give the same samples for anything an encoder produces; they part
// from jidctint.c only when dequantised coefficients overflow 16 bits (crafted files), where they
// wrap and saturate instead. This follows jidctint.c there.

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
export const RANGE_LIMIT = (() => {
  const t = new Uint8Array(1024);
  for (let i = 0; i < 1024; i++) t[i] = i < 128 ? i + 128 : i < 512 ? 255 : i < 896 ? 0 : i - 896;
  return t;
})();

/** The sample every pixel of a block takes when only its DC coefficient (already dequantised) is set. */
export function dcOnlySample(dequantisedDc: number): number {
  return RANGE_LIMIT[((((dequantisedDc << 2) + 16) >> 5)) & 1023];
}

/**
 * Which shortcuts idctBlock may take, from the positions (natural order) of the nonzero coefficients:
 * bit c (0..7) when column c has one below row 0, bit 8 when any lies outside column 0. Build it
 * with nonzeroMask(z) for each nonzero position z.
 */
export const ALL_NONZERO = 0x1ff;

/** The idctBlock mask bits that a nonzero coefficient at natural position z sets. */
export function nonzeroMask(z: number): number {
  return (((z + 56) >> 6) << (z & 7)) | (((z & 7) + 7) >> 3 << 8);
}

/**
 * Inverse-transforms one block of dequantised coefficients (natural order), written as 8x8 samples
 * into `out` from `outAt` with row stride `stride`. `ws` is a 64-entry scratch buffer. `mask` (see
 * nonzeroMask, built from the dequantised values) says which columns are zero below row 0, so
 * pass 1 need not test them as jidctint.c does; it gives the same answer as those tests.
 */
export function idctBlock(coefs: Int32Array, out: Uint8Array, outAt: number, stride: number, ws: Int32Array, mask: number = ALL_NONZERO): void {
  // Pass 1: columns, into ws scaled up by 2^2.
  for (let c = 0; c < 8; c++) {
    const p = c;
    if ((mask & (1 << c)) === 0) {
      const dc = coefs[p] << 2;
      ws[c] = dc; ws[c + 8] = dc; ws[c + 16] = dc; ws[c + 24] = dc;
      ws[c + 32] = dc; ws[c + 40] = dc; ws[c + 48] = dc; ws[c + 56] = dc;
      continue;
    }
    let z2 = coefs[p + 16];
    let z3 = coefs[p + 48];
    let z1 = (z2 + z3) * F0_541;
    const e2 = z1 - z3 * F1_847;
    const e3 = z1 + z2 * F0_765;
    z2 = coefs[p];
    z3 = coefs[p + 32];
    const e0 = (z2 + z3) << 13;
    const e1 = (z2 - z3) << 13;
    const t10 = e0 + e3;
    const t13 = e0 - e3;
    const t11 = e1 + e2;
    const t12 = e1 - e2;

    let o0 = coefs[p + 56];
    let o1 = coefs[p + 40];
    let o2 = coefs[p + 24];
    let o3 = coefs[p + 8];
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

  // Pass 2: rows, descaled by 2^(13 + 2 + 3) and range-limited into samples. With every coefficient
  // in column 0, each row of ws is one value repeated (otherwise the rows are tested as jidctint.c does).
  const R = RANGE_LIMIT;
  const flatRows = (mask & 0x100) === 0;
  for (let r = 0; r < 64; r += 8) {
    const q = outAt + (r >> 3) * stride;
    if (flatRows || (ws[r + 1] === 0 && ws[r + 2] === 0 && ws[r + 3] === 0 && ws[r + 4] === 0 &&
        ws[r + 5] === 0 && ws[r + 6] === 0 && ws[r + 7] === 0)) {
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

/**
 * idctBlock for a block whose nonzero coefficients all lie in the top-left 4x4 (rows and columns
 * 0..3): the same arithmetic with the zero terms left out, so the samples are identical.
 */
export function idctBlock4x4(coefs: Int32Array, out: Uint8Array, outAt: number, stride: number, ws: Int32Array): void {
  for (let c = 0; c < 4; c++) {
    const d0 = coefs[c];
    const d1 = coefs[c + 8];
    const d2 = coefs[c + 16];
    const d3 = coefs[c + 24];
    sparse1d(d0, d1, d2, d3, ws, c, 8, 1024, 11);
  }
  for (let c = 4; c < 8; c++) {
    ws[c] = 0; ws[c + 8] = 0; ws[c + 16] = 0; ws[c + 24] = 0;
    ws[c + 32] = 0; ws[c + 40] = 0; ws[c + 48] = 0; ws[c + 56] = 0;
  }
  const R = RANGE_LIMIT;
  const row = SPARSE_ROW;
  for (let r = 0; r < 64; r += 8) {
    sparse1d(ws[r], ws[r + 1], ws[r + 2], ws[r + 3], row, 0, 1, 131072, 18);
    const q = outAt + (r >> 3) * stride;
    for (let x = 0; x < 8; x++) out[q + x] = R[row[x] & 1023];
  }
}

const SPARSE_ROW = new Int32Array(8);

/** One 8-point ISLOW pass whose inputs 4..7 are zero; writes 8 descaled values at `at` with `step`. */
function sparse1d(d0: number, d1: number, d2: number, d3: number, o: Int32Array, at: number, step: number, round: number, shift: number): void {
  const z1e = d2 * F0_541;
  const e2 = z1e;
  const e3 = z1e + d2 * F0_765;
  const e0 = d0 << 13;
  const t10 = e0 + e3;
  const t13 = e0 - e3;
  const t11 = e0 + e2;
  const t12 = e0 - e2;
  const z5 = (d3 + d1) * F1_175;
  const z1 = d1 * -F0_899;
  const z2 = d3 * -F2_562;
  const z3 = d3 * -F1_961 + z5;
  const z4 = d1 * -F0_390 + z5;
  const o0 = z1 + z3;
  const o1 = z2 + z4;
  const o2 = d3 * F3_072 + z2 + z3;
  const o3 = d1 * F1_501 + z1 + z4;
  o[at] = (t10 + o3 + round) >> shift;
  o[at + 7 * step] = (t10 - o3 + round) >> shift;
  o[at + step] = (t11 + o2 + round) >> shift;
  o[at + 6 * step] = (t11 - o2 + round) >> shift;
  o[at + 2 * step] = (t12 + o1 + round) >> shift;
  o[at + 5 * step] = (t12 - o1 + round) >> shift;
  o[at + 3 * step] = (t13 + o0 + round) >> shift;
  o[at + 4 * step] = (t13 - o0 + round) >> shift;
}
