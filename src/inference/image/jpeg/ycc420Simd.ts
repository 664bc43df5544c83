// convertYcc420 as a WebAssembly SIMD kernel, one output row per call and four pixels per step:
// the same h2v2 triangle filter (column sums 3 * nearer + further row, then 3 * own + neighbour
// column with the 8/7 biases) and libjpeg's fixed-point YCbCr->RGB, computed with the multipliers
// color.ts builds its tables from (the tables are those products, so the values are identical), and
// its 0..255 clip done by saturating narrows. Where WebAssembly SIMD is missing, ycc420.ts runs.
import {
  BLOCK, BR, BR_IF, END, GET, I16X8_EXTEND_LOW_U, I16X8_NARROW_S, I32, I32_ADD, I32_CONST, I32_GE_U, I32_LOAD,
  I32_LOAD8_U, I32_MUL, I32_STORE, I32X4_ADD, I32X4_EXTEND_LOW_U, I32X4_MUL, I32X4_SHR_S, I32X4_SUB,
  I8X16_NARROW_U, I8X16_SHUFFLE, LOAD32_ZERO, LOOP, SET, V128, V128_LOAD, V128_STORE, VOID, compileModule,
  i32x4Const, moduleBytes, bind,
} from '../wasmAsm';
import { fix } from './color';
import type { Frame } from './frame';

// Parameters of row(), then locals.
const YP = 0, BN = 1, BF = 2, RN = 3, RF = 4, SW = 5, WIDTH = 6, OUT = 7, CSB = 8, CSR = 9;
const J = 10, X = 11, VB = 12, VR = 13, U = 14, V = 15, Y = 16, R = 17, G = 18, B = 19;

const splat = (v: number): number[] => i32x4Const(v, v, v, v);
const inc = (local: number, by: number): number[] => [GET, local, I32_CONST, by, I32_ADD, SET, local];

/** cs[j + 1] = 3 * near[j] + far[j] for j < sw, and the edge sums repeated at cs[0] and cs[sw + 1]. */
function columnSums(cs: number, near: number, far: number): number[] {
  return [
    GET, cs, GET, J, I32_CONST, 4, I32_MUL, I32_ADD,
    GET, near, GET, J, I32_ADD, I32_LOAD8_U, 0, 0, I32_CONST, 3, I32_MUL,
    GET, far, GET, J, I32_ADD, I32_LOAD8_U, 0, 0, I32_ADD,
    I32_STORE, 2, 4,
  ];
}

function edges(cs: number): number[] {
  return [
    GET, cs, GET, cs, I32_LOAD, 2, 4, I32_STORE, 2, 0,
    GET, cs, GET, SW, I32_CONST, 4, I32_MUL, I32_ADD, SET, J,
    GET, J, GET, J, I32_LOAD, 2, 0, I32_STORE, 2, 4,
  ];
}

// i32 lanes (1, 1, 2, 2) and (0, 2, 1, 3) of the column sums c[i-1..i+2]: own and neighbour columns
// of output pixels 2i, 2i+1, 2i+2, 2i+3.
const OWN = [4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11];
const NEIGHBOUR = [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15];
// Bytes R0..R3 G0..G3 B0..B3 to R0 G0 B0 R1 G1 B1 ...
const INTERLEAVE = [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 13, 14, 15];

/** Upsampled chroma of four pixels, minus 128, from the column sums at cs. */
function chroma(cs: number, into: number, vec: number): number[] {
  return [
    GET, cs, GET, X, I32_CONST, 2, I32_MUL, I32_ADD, ...V128_LOAD, 0, 0, SET, vec,
    GET, vec, GET, vec, ...I8X16_SHUFFLE, ...OWN, ...splat(3), ...I32X4_MUL,
    GET, vec, GET, vec, ...I8X16_SHUFFLE, ...NEIGHBOUR, ...I32X4_ADD,
    ...i32x4Const(8, 7, 8, 7), ...I32X4_ADD, I32_CONST, 4, ...I32X4_SHR_S, ...splat(128), ...I32X4_SUB, SET, into,
  ];
}

function rowKernel(): number[] {
  const sums = [
    BLOCK, VOID, LOOP, VOID,
    GET, J, GET, SW, I32_GE_U, BR_IF, 1,
    ...columnSums(CSB, BN, BF), ...columnSums(CSR, RN, RF),
    ...inc(J, 1),
    BR, 0, END, END,
    ...edges(CSB), ...edges(CSR),
  ];
  const pixels = [
    BLOCK, VOID, LOOP, VOID,
    GET, X, GET, WIDTH, I32_GE_U, BR_IF, 1,
    ...chroma(CSB, U, VB), ...chroma(CSR, V, VR),
    ...toRgb(),
    ...inc(X, 4),
    BR, 0, END, END,
  ];
  return [2, 2, I32, 8, V128, ...sums, ...pixels, END];
}

/** Four bytes of a plane row from `row` at X, widened to i32 lanes. */
const four = (row: number): number[] => [GET, row, GET, X, I32_ADD, ...LOAD32_ZERO, 0, 0, ...I16X8_EXTEND_LOW_U, ...I32X4_EXTEND_LOW_U];

/**
 * row444: the same conversion where Cb and Cr are at full resolution (no upsampling), with row()'s
 * signature so the module has one function type: Y, Cb and Cr rows at YP, BN and RN.
 */
function row444Kernel(): number[] {
  const pixels = [
    BLOCK, VOID, LOOP, VOID,
    GET, X, GET, WIDTH, I32_GE_U, BR_IF, 1,
    ...four(BN), ...splat(128), ...I32X4_SUB, SET, U,
    ...four(RN), ...splat(128), ...I32X4_SUB, SET, V,
    ...toRgb(),
    ...inc(X, 4),
    BR, 0, END, END,
  ];
  return [2, 2, I32, 8, V128, ...pixels, END];
}

/** From U and V (chroma - 128) of pixels X..X+3: R, G, B clipped, interleaved, stored at OUT + 3X. */
function toRgb(): number[] {
  const half = 1 << 15;
  return [
    ...four(YP), SET, Y,
    GET, Y, GET, V, ...splat(fix(1.402)), ...I32X4_MUL, ...splat(half), ...I32X4_ADD, I32_CONST, 16, ...I32X4_SHR_S, ...I32X4_ADD, SET, R,
    GET, Y, GET, U, ...splat(-fix(0.34414)), ...I32X4_MUL, GET, V, ...splat(-fix(0.71414)), ...I32X4_MUL, ...I32X4_ADD,
    ...splat(half), ...I32X4_ADD, I32_CONST, 16, ...I32X4_SHR_S, ...I32X4_ADD, SET, G,
    GET, Y, GET, U, ...splat(fix(1.772)), ...I32X4_MUL, ...splat(half), ...I32X4_ADD, I32_CONST, 16, ...I32X4_SHR_S, ...I32X4_ADD, SET, B,
    // 16 bytes stored for 12: the spare 4 are the next pixels', rewritten in turn (or output padding).
    GET, OUT, GET, X, I32_CONST, 3, I32_MUL, I32_ADD,
    GET, R, GET, G, ...I16X8_NARROW_S, GET, B, GET, B, ...I16X8_NARROW_S, ...I8X16_NARROW_U, SET, Y,
    GET, Y, GET, Y, ...I8X16_SHUFFLE, ...INTERLEAVE,
    ...V128_STORE, 0, 0,
  ];
}

type RowKernel = (yp: number, bn: number, bf: number, rn: number, rf: number, sw: number, width: number, out: number, csb: number, csr: number) => void;

let compiled: object | null | undefined;
const cache: { exports?: { row: RowKernel; row444: RowKernel } } = {};
const MAX_BYTES = 256 * 1024 * 1024;
const align = (n: number): number => (n + 15) & ~15;


function compiledKernels(): object | null {
  if (compiled === undefined) compiled = compileModule(moduleBytes(10, [{ name: 'row', body: rowKernel() }, { name: 'row444', body: row444Kernel() }]));
  return compiled;
}

/**
 * YCbCr->RGB of three full-resolution planes of the same layout (every component sampled alike),
 * as color.ts's yccRow computes it; undefined where WebAssembly SIMD is missing or the image too big.
 */
export function convertYcc444Simd(frame: Frame): Uint8Array | undefined {
  const { width, height } = frame;
  const [cy, cb, cr] = frame.components;
  const bAt = align(cy.plane.length);
  const rAt = align(bAt + cb.plane.length);
  const outAt = align(rAt + cr.plane.length);
  const outBytes = width * height * 3;
  const total = outAt + outBytes + 16;
  if (total > MAX_BYTES) return undefined;
  const mod = compiledKernels();
  if (!mod) return undefined;
  const bound = bind(mod, total, cache);
  if (!bound) return undefined;
  const { row444 } = bound.exports;
  const heap = new Uint8Array(bound.buffer);
  heap.set(cy.plane, 0);
  heap.set(cb.plane, bAt);
  heap.set(cr.plane, rAt);
  const stride = cy.blocksPerLine * 8; // the same for all three
  for (let y = 0; y < height; y++) row444(y * stride, bAt + y * stride, 0, rAt + y * stride, 0, 0, width, outAt + y * width * 3, 0, 0);
  return heap.slice(outAt, outAt + outBytes);
}

/** convertYcc420's pixels, or undefined where WebAssembly SIMD is missing or the image is too big. */
export function convertYcc420Simd(frame: Frame): Uint8Array | undefined {
  const { width, height } = frame;
  const [cy, cb, cr] = frame.components;
  const sw = cb.sampleWidth;
  const yAt = 0;
  const bAt = align(cy.plane.length);
  const rAt = align(bAt + cb.plane.length);
  const csbAt = align(rAt + cr.plane.length);
  const csrAt = align(csbAt + (sw + 8) * 4);
  const outAt = align(csrAt + (sw + 8) * 4);
  const outBytes = width * height * 3;
  const total = outAt + outBytes + 16;
  if (total > MAX_BYTES) return undefined;
  const mod = compiledKernels();
  if (!mod) return undefined;
  const bound = bind(mod, total, cache);
  if (!bound) return undefined;
  const { row } = bound.exports;
  const heap = new Uint8Array(bound.buffer);
  heap.set(cy.plane, yAt);
  heap.set(cb.plane, bAt);
  heap.set(cr.plane, rAt);
  const ys = cy.blocksPerLine * 8;
  const cs = cb.blocksPerLine * 8; // Cb and Cr share the layout
  const lastRow = cb.sampleHeight - 1;
  for (let y = 0; y < height; y++) {
    const iy = y >> 1;
    // The row above the first and below the last is the edge row repeated (libjpeg's context rows).
    const far = (y & 1) === 1 ? Math.min(iy + 1, lastRow) : Math.max(iy - 1, 0);
    row(yAt + y * ys, bAt + iy * cs, bAt + far * cs, rAt + iy * cs, rAt + far * cs, sw, width, outAt + y * width * 3, csbAt, csrAt);
  }
  return heap.slice(outAt, outAt + outBytes);
}
