// The horizontal pass of resize.ts for RGB, as a small WebAssembly SIMD kernel: one pixel's three
// channels (and a spare lane) in one i32x4, so each tap is one load, one multiply and one add for all
// three. The arithmetic is resize.ts's exactly: 32-bit integer sums of pixel × 22-bit weight from
// the same rounding constant, then clip8 (a shift and saturating narrows give the same 0..255 value
// for every sum the weights allow). Where WebAssembly SIMD is missing, callers use the JS pass.

import {
  BLOCK, BR, BR_IF, END, GET, I16X8_EXTEND_LOW_U, I16X8_NARROW_U, I32, I32_ADD, I32_CONST, I32_EQZ, I32_GE_U,
  I32_LOAD, I32_MUL, I32_STORE, I32_SUB, I32X4_ADD, I32X4_EXTEND_LOW_U, I32X4_EXTRACT, I32X4_MUL, I32X4_SHR_S,
  I32X4_SPLAT, I8X16_NARROW_U, LOAD32_ZERO, LOOP, SET, TEE, V128, VOID, bind, compileModule, moduleBytes, sleb,
} from './wasmAsm';

// Parameters, then locals.
const SRC = 0, ROW_STRIDE = 1, ROWS = 2, OUT_W = 3, BOUNDS = 4, K = 5, KSIZE4 = 6, OUT = 7;
const Y = 8, XX = 9, ROW_IN = 10, P = 11, KP = 12, N = 13, BP = 14, ACC = 15;

/** h3(src, rowStride, rows, outW, bounds, k, ksize * 4, out): resize.ts's horizontal3 over memory. */
function kernel(half: number, shift: number): number[] {
  const inc = (local: number, by: number): number[] => [GET, local, I32_CONST, ...sleb(by), I32_ADD, SET, local];
  const taps = [
    BLOCK, VOID, LOOP, VOID,
    GET, N, I32_EQZ, BR_IF, 1,
    GET, ACC,
    GET, P, ...LOAD32_ZERO, 0, 0, ...I16X8_EXTEND_LOW_U, ...I32X4_EXTEND_LOW_U,
    GET, KP, I32_LOAD, 2, 0, ...I32X4_SPLAT,
    ...I32X4_MUL, ...I32X4_ADD, SET, ACC,
    ...inc(P, 3), ...inc(KP, 4), ...inc(N, -1),
    BR, 0, END, END,
  ];
  const pixel = [
    BLOCK, VOID, LOOP, VOID,
    GET, XX, GET, OUT_W, I32_GE_U, BR_IF, 1,
    GET, ROW_IN, GET, BP, I32_LOAD, 2, 0, I32_CONST, 3, I32_MUL, I32_ADD, SET, P,
    GET, BP, I32_LOAD, 2, 4, SET, N,
    GET, K, GET, XX, GET, KSIZE4, I32_MUL, I32_ADD, SET, KP,
    I32_CONST, ...sleb(half), ...I32X4_SPLAT, SET, ACC,
    ...taps,
    // Four bytes stored, the fourth overwritten by the next pixel (the output has a spare byte).
    GET, OUT,
    GET, ACC, I32_CONST, ...sleb(shift), ...I32X4_SHR_S, TEE, ACC, GET, ACC, ...I16X8_NARROW_U,
    TEE, ACC, GET, ACC, ...I8X16_NARROW_U, ...I32X4_EXTRACT, 0,
    I32_STORE, 0, 0,
    ...inc(OUT, 3), ...inc(BP, 8), ...inc(XX, 1),
    BR, 0, END, END,
  ];
  const rowsLoop = [
    BLOCK, VOID, LOOP, VOID,
    GET, Y, GET, ROWS, I32_GE_U, BR_IF, 1,
    GET, SRC, GET, Y, GET, ROW_STRIDE, I32_MUL, I32_ADD, SET, ROW_IN,
    I32_CONST, 0, SET, XX, GET, BOUNDS, SET, BP,
    ...pixel,
    ...inc(Y, 1),
    BR, 0, END, END,
  ];
  return [2, 7, I32, 1, V128, ...rowsLoop, END];
}

// v4's parameters and locals.
const V_SRC = 0, STRIDE = 1, OUT_H = 2, V_BOUNDS = 3, V_K = 4, V_KSIZE4 = 5, V_OUT = 6, FIRST = 7;
const YY = 8, I = 9, BASE = 10, VP = 11, VKP = 12, VN = 13, VBP = 14, O = 15, VACC = 16;

/**
 * v4(src, stride, outH, bounds, k, ksize * 4, out, first): resize.ts's vertical pass, four bytes of a
 * row (whatever their channels) per i32x4; `first` is the input row that src starts at. Reads and
 * writes up to 3 bytes past a row's end (the next row, rewritten in turn, or spare bytes).
 */
function verticalKernel(half: number, shift: number): number[] {
  const inc = (local: number, by: number): number[] => [GET, local, I32_CONST, ...sleb(by), I32_ADD, SET, local];
  const taps = [
    BLOCK, VOID, LOOP, VOID,
    GET, VN, I32_EQZ, BR_IF, 1,
    GET, VACC,
    GET, VP, ...LOAD32_ZERO, 0, 0, ...I16X8_EXTEND_LOW_U, ...I32X4_EXTEND_LOW_U,
    GET, VKP, I32_LOAD, 2, 0, ...I32X4_SPLAT,
    ...I32X4_MUL, ...I32X4_ADD, SET, VACC,
    GET, VP, GET, STRIDE, I32_ADD, SET, VP, ...inc(VKP, 4), ...inc(VN, -1),
    BR, 0, END, END,
  ];
  const quad = [
    BLOCK, VOID, LOOP, VOID,
    GET, I, GET, STRIDE, I32_GE_U, BR_IF, 1,
    GET, BASE, GET, I, I32_ADD, SET, VP,
    GET, V_K, GET, YY, GET, V_KSIZE4, I32_MUL, I32_ADD, SET, VKP,
    GET, VBP, I32_LOAD, 2, 4, SET, VN,
    I32_CONST, ...sleb(half), ...I32X4_SPLAT, SET, VACC,
    ...taps,
    GET, O, GET, I, I32_ADD,
    GET, VACC, I32_CONST, ...sleb(shift), ...I32X4_SHR_S, TEE, VACC, GET, VACC, ...I16X8_NARROW_U,
    TEE, VACC, GET, VACC, ...I8X16_NARROW_U, ...I32X4_EXTRACT, 0,
    I32_STORE, 0, 0,
    ...inc(I, 4),
    BR, 0, END, END,
  ];
  const rowsLoop = [
    BLOCK, VOID, LOOP, VOID,
    GET, YY, GET, OUT_H, I32_GE_U, BR_IF, 1,
    GET, V_BOUNDS, GET, YY, I32_CONST, 8, I32_MUL, I32_ADD, SET, VBP,
    GET, V_SRC, GET, VBP, I32_LOAD, 2, 0, GET, FIRST, I32_SUB, GET, STRIDE, I32_MUL, I32_ADD, SET, BASE,
    GET, V_OUT, GET, YY, GET, STRIDE, I32_MUL, I32_ADD, SET, O,
    I32_CONST, 0, SET, I,
    ...quad,
    ...inc(YY, 1),
    BR, 0, END, END,
  ];
  return [2, 8, I32, 1, V128, ...rowsLoop, END];
}

export interface SimdCoefficients {
  ksize: number;
  bounds: Int32Array;
  k: Int32Array;
}

type Kernel = (src: number, rowStride: number, rows: number, outW: number, bounds: number, k: number, ksize4: number, out: number) => void;

let compiled: object | null | undefined;
const cache: { exports?: { h3: Kernel; v4: Kernel } } = {};

function compile(half: number, shift: number): object | null {
  if (compiled === undefined) compiled = compileModule(moduleBytes(8, [{ name: 'h3', body: kernel(half, shift) }, { name: 'v4', body: verticalKernel(half, shift) }]));
  return compiled;
}

/** Above this much working memory the JS pass runs instead. */
const MAX_BYTES = 128 * 1024 * 1024;

const align = (n: number): number => (n + 15) & ~15;

/**
 * resize.ts's horizontal pass for 3-channel rows [y0, y0 + rows) of an inW-wide image, then, when
 * `vertical` is given, its vertical pass over those rows (the first being input row y0) to outH rows;
 * or undefined when WebAssembly SIMD is unavailable or the image is too big for it (the caller runs
 * the JS passes). `half` and `shift` are resize.ts's rounding constant and precision bits.
 */
export function resize3Simd(src: Uint8Array, inW: number, y0: number, rows: number, outW: number, c: SimdCoefficients,
  half: number, shift: number, vertical?: { outH: number; c: SimdCoefficients }): Uint8Array | undefined {
  const inBytes = rows * inW * 3;
  const boundsAt = align(inBytes + 4); // the last pixel's 4-byte load reads a spare byte
  const kAt = boundsAt + outW * 8;
  const midAt = align(kAt + c.k.length * 4);
  const midBytes = rows * outW * 3;
  const vBoundsAt = align(midAt + midBytes + 4);
  const vkAt = vBoundsAt + (vertical ? vertical.outH * 8 : 0);
  const outAt = align(vkAt + (vertical ? vertical.c.k.length * 4 : 0));
  const outBytes = vertical ? vertical.outH * outW * 3 : 0;
  const total = outAt + outBytes + 4;
  if (total > MAX_BYTES) return undefined;
  const mod = compile(half, shift);
  if (!mod) return undefined;
  const bound = bind(mod, total, cache);
  if (!bound) return undefined;
  const { h3, v4 } = bound.exports;
  const heap = new Uint8Array(bound.buffer);
  heap.set(src.subarray(y0 * inW * 3, y0 * inW * 3 + inBytes), 0);
  new Int32Array(bound.buffer, boundsAt, outW * 2).set(c.bounds.subarray(0, outW * 2));
  new Int32Array(bound.buffer, kAt, c.k.length).set(c.k);
  h3(0, inW * 3, rows, outW, boundsAt, kAt, c.ksize * 4, midAt);
  if (!vertical) return heap.slice(midAt, midAt + midBytes);
  const v = vertical.c;
  new Int32Array(bound.buffer, vBoundsAt, vertical.outH * 2).set(v.bounds.subarray(0, vertical.outH * 2));
  new Int32Array(bound.buffer, vkAt, v.k.length).set(v.k);
  v4(midAt, outW * 3, vertical.outH, vBoundsAt, vkAt, v.ksize * 4, outAt, y0);
  return heap.slice(outAt, outAt + outBytes);
}
