// The IDCT of a whole component in one WebAssembly call (progressive files, and sequential ones
// decoded ahead into coefficients): dequantise each block from
// its zigzag-ordered 16-bit coefficients, then jidctint.c's ISLOW passes with their zero-column and
// zero-row shortcuts, and the same range-limit table. i32 arithmetic wraps where idct.ts's JS does
// (products are exact below 2^53 and every result goes through a 32-bit shift), so the samples are
// identical, including for crafted coefficients that overflow. Without WebAssembly, idct.ts runs.
import {
  BLOCK, BR, BR_IF, ELSE, END, GET, I32, I32_ADD, I32_AND, I32_CONST, I32_EQZ, I32_GE_U, I32_LOAD, I32_LOAD16_S,
  I32_LOAD8_U, I32_MUL, I32_OR, I32_SHL, I32_SHR_S, I32_STORE, I32_STORE8, I32_SUB, IF, LOOP, SET, VOID,
  compileModule, leb, moduleBytes, sleb, bind,
  ANY_TRUE, I16X8_NARROW_S, I32X4_ABS, I32X4_ADD, I32X4_MUL, I32X4_SHL, I32X4_SHR_S, I32X4_SUB, I8X16_NARROW_U,
  I8X16_SHUFFLE, STORE64_LANE, V128, V128_AND, V128_LOAD, V128_OR, i32x4Const,
} from '../wasmAsm';
import { NATURAL_ORDER } from './frame';
import { RANGE_LIMIT } from './idct';

export type Expr = number[];
export const get = (l: number): Expr => [GET, l];
export const set = (l: number, e: Expr): Expr => [...e, SET, l];
export const c = (n: number): Expr => [I32_CONST, ...sleb(n)];
const bin = (op: number) => (a: Expr, b: Expr): Expr => [...a, ...b, op];
const add = bin(I32_ADD), sub = bin(I32_SUB), mul = bin(I32_MUL), or = bin(I32_OR), and = bin(I32_AND);
const shl = bin(I32_SHL), shr = bin(I32_SHR_S);
const ld = (addr: Expr, off: number): Expr => [...addr, I32_LOAD, 2, ...leb(off)];
const st = (addr: Expr, off: number, v: Expr): Expr => [...addr, ...v, I32_STORE, 2, ...leb(off)];
export const ifElse = (cond: Expr, then: Expr, otherwise: Expr): Expr => [...cond, IF, VOID, ...then, ELSE, ...otherwise, END];
/** for (l = 0; l < n; l++) body */
const loop = (l: number, n: Expr, body: Expr): Expr => [
  ...set(l, c(0)), BLOCK, VOID, LOOP, VOID, ...get(l), ...n, I32_GE_U, BR_IF, 1, ...body, ...set(l, add(get(l), c(1))), BR, 0, END, END,
];

// Parameters, then locals.
const COEF = 0, BW = 1, BH = 2, BPL = 3, QUANT = 4, NAT = 5, RL = 6, PLANE = 7, BLK = 8, WS = 9;
const ROW = 10, COL = 11, K = 12, CP = 13, SRC = 14, DST = 15, Z1 = 16, Z2 = 17, Z3 = 18, Z4 = 19, Z5 = 20;
const E0 = 21, E1 = 22, E2 = 23, E3 = 24, T10 = 25, T11 = 26, T12 = 27, T13 = 28, O0 = 29, O1 = 30, O2 = 31, O3 = 32;
const STRIDE = 33, V = 34, CI = 35;
const LOCALS = 26;

// jidctint's multipliers, 2^13 scale (as idct.ts).
const F0_298 = 2446, F0_390 = 3196, F0_541 = 4433, F0_765 = 6270, F0_899 = 7373, F1_175 = 9633;
const F1_501 = 12299, F1_847 = 15137, F1_961 = 16069, F2_053 = 16819, F2_562 = 20995, F3_072 = 25172;

/** Arithmetic for the butterfly: i32 scalars here, i32x4 lanes in idctSimd.ts. */
export interface ButterflyOps {
  add(a: Expr, b: Expr): Expr;
  sub(a: Expr, b: Expr): Expr;
  mulConst(a: Expr, k: number): Expr;
  shl13(a: Expr): Expr;
}

/** Locals the butterfly works in and leaves its results in. */
export interface ButterflyLocals { z1: number; z2: number; z3: number; z4: number; z5: number; e0: number; e1: number; e2: number; e3: number; t10: number; t11: number; t12: number; t13: number; o0: number; o1: number; o2: number; o3: number }

/** jidctint's 8-point butterfly of one pass, inputs in(0..7); leaves t10..t13 and o0..o3. */
export function butterfly(input: (i: number) => Expr, L: ButterflyLocals, op: ButterflyOps): Expr {
  const g = get;
  return [
    ...set(L.z2, input(2)), ...set(L.z3, input(6)),
    ...set(L.z1, op.mulConst(op.add(g(L.z2), g(L.z3)), F0_541)),
    ...set(L.e2, op.sub(g(L.z1), op.mulConst(g(L.z3), F1_847))),
    ...set(L.e3, op.add(g(L.z1), op.mulConst(g(L.z2), F0_765))),
    ...set(L.z2, input(0)), ...set(L.z3, input(4)),
    ...set(L.e0, op.shl13(op.add(g(L.z2), g(L.z3)))),
    ...set(L.e1, op.shl13(op.sub(g(L.z2), g(L.z3)))),
    ...set(L.t10, op.add(g(L.e0), g(L.e3))), ...set(L.t13, op.sub(g(L.e0), g(L.e3))),
    ...set(L.t11, op.add(g(L.e1), g(L.e2))), ...set(L.t12, op.sub(g(L.e1), g(L.e2))),
    ...set(L.o0, input(7)), ...set(L.o1, input(5)), ...set(L.o2, input(3)), ...set(L.o3, input(1)),
    ...set(L.z1, op.add(g(L.o0), g(L.o3))), ...set(L.z2, op.add(g(L.o1), g(L.o2))),
    ...set(L.z3, op.add(g(L.o0), g(L.o2))), ...set(L.z4, op.add(g(L.o1), g(L.o3))),
    ...set(L.z5, op.mulConst(op.add(g(L.z3), g(L.z4)), F1_175)),
    ...set(L.o0, op.mulConst(g(L.o0), F0_298)), ...set(L.o1, op.mulConst(g(L.o1), F2_053)),
    ...set(L.o2, op.mulConst(g(L.o2), F3_072)), ...set(L.o3, op.mulConst(g(L.o3), F1_501)),
    ...set(L.z1, op.mulConst(g(L.z1), -F0_899)), ...set(L.z2, op.mulConst(g(L.z2), -F2_562)),
    ...set(L.z3, op.add(op.mulConst(g(L.z3), -F1_961), g(L.z5))), ...set(L.z4, op.add(op.mulConst(g(L.z4), -F0_390), g(L.z5))),
    ...set(L.o0, op.add(g(L.o0), op.add(g(L.z1), g(L.z3)))), ...set(L.o1, op.add(g(L.o1), op.add(g(L.z2), g(L.z4)))),
    ...set(L.o2, op.add(g(L.o2), op.add(g(L.z2), g(L.z3)))), ...set(L.o3, op.add(g(L.o3), op.add(g(L.z1), g(L.z4)))),
  ];
}

const SCALAR_OPS: ButterflyOps = { add, sub, mulConst: (a, k) => mul(a, c(k)), shl13: (a) => shl(a, c(13)) };
const SCALAR_LOCALS: ButterflyLocals = { z1: Z1, z2: Z2, z3: Z3, z4: Z4, z5: Z5, e0: E0, e1: E1, e2: E2, e3: E3, t10: T10, t11: T11, t12: T12, t13: T13, o0: O0, o1: O1, o2: O2, o3: O3 };

/** The eight outputs of a butterfly: [even term, odd term, output index] in jidctint's order. */
export const OUTPUTS: [number, number, number, number][] = [
  [T10, O3, 0, 7], [T11, O2, 1, 6], [T12, O1, 2, 5], [T13, O0, 3, 4],
];

// The SIMD path: pass 1 on four columns per i32x4, a transpose, pass 2 on four rows per i32x4,
// without jidctint's zero shortcuts. Those give the same values as the full arithmetic unless a
// shift by 13 overflows, so the block goes this way only when every dequantised coefficient and
// every pass-1 result is below 2^17 in magnitude (any real photo); otherwise the scalar path runs.
const W0 = 36; // pass-1 results: W0 + 2 * row + half (half 0: columns 0-3, 1: columns 4-7)
const VB0 = W0 + 16; // butterfly locals
const VL: ButterflyLocals = { z1: VB0, z2: VB0 + 1, z3: VB0 + 2, z4: VB0 + 3, z5: VB0 + 4, e0: VB0 + 5, e1: VB0 + 6, e2: VB0 + 7, e3: VB0 + 8, t10: VB0 + 9, t11: VB0 + 10, t12: VB0 + 11, t13: VB0 + 12, o0: VB0 + 13, o1: VB0 + 14, o2: VB0 + 15, o3: VB0 + 16 };
const TIN = VB0 + 17; // 8 transposed pass-2 inputs
const VOUT = TIN + 8; // 8 pass-2 outputs
const TT = VOUT + 8; // 4 transpose temporaries
const GUARD = TT + 4;
const V128_LOCALS = GUARD - W0 + 1;
const vsplat = (k: number): Expr => i32x4Const(k, k, k, k);
const vbin = (op: number[]) => (a: Expr, b: Expr): Expr => [...a, ...b, ...op];
const vadd = vbin(I32X4_ADD), vsub = vbin(I32X4_SUB), vor = vbin(V128_OR);
const vshr = (a: Expr, n: number): Expr => [...a, I32_CONST, n, ...I32X4_SHR_S];
const VECTOR_OPS: ButterflyOps = { add: vadd, sub: vsub, mulConst: (a, k) => [...a, ...vsplat(k), ...I32X4_MUL], shl13: (a) => [...a, I32_CONST, 13, ...I32X4_SHL] };
const VOUTPUTS: [number, number, number, number][] = [[VL.t10, VL.o3, 0, 7], [VL.t11, VL.o2, 1, 6], [VL.t12, VL.o1, 2, 5], [VL.t13, VL.o0, 3, 4]];
const lanes = (...l: number[]): number[] => l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]);
const shuffle = (a: Expr, b: Expr, idx: number[]): Expr => [...a, ...b, ...I8X16_SHUFFLE, ...idx];

/** Columns of the 4x4 i32 matrix whose rows are locals r0..r3, into locals out..out+3. */
function transpose(r: number[], out: number): Expr {
  return [
    ...set(TT, shuffle(get(r[0]), get(r[1]), lanes(0, 4, 1, 5))), ...set(TT + 1, shuffle(get(r[0]), get(r[1]), lanes(2, 6, 3, 7))),
    ...set(TT + 2, shuffle(get(r[2]), get(r[3]), lanes(0, 4, 1, 5))), ...set(TT + 3, shuffle(get(r[2]), get(r[3]), lanes(2, 6, 3, 7))),
    ...set(out, shuffle(get(TT), get(TT + 2), lanes(0, 1, 4, 5))), ...set(out + 1, shuffle(get(TT), get(TT + 2), lanes(2, 3, 6, 7))),
    ...set(out + 2, shuffle(get(TT + 1), get(TT + 3), lanes(0, 1, 4, 5))), ...set(out + 3, shuffle(get(TT + 1), get(TT + 3), lanes(2, 3, 6, 7))),
  ];
}

function simdPass1(): Expr {
  const out: Expr = [];
  for (const half of [0, 1]) {
    const input = (i: number): Expr => [GET, BLK, ...V128_LOAD, 0, ...leb(32 * i + 16 * half)];
    out.push(...butterfly(input, VL, VECTOR_OPS));
    for (const [t, o, lo, hi] of VOUTPUTS) {
      out.push(...set(W0 + 2 * lo + half, vshr(vadd(vadd(get(t), get(o)), vsplat(1024)), 11)));
      out.push(...set(W0 + 2 * hi + half, vshr(vadd(vsub(get(t), get(o)), vsplat(1024)), 11)));
    }
  }
  return out;
}

/** Nonzero when some coefficient or pass-1 result reaches 2^17 in magnitude. */
function tooLarge(): Expr {
  let g: Expr = [...get(W0), ...I32X4_ABS];
  for (let w = 1; w < 16; w++) g = vor(g, [...get(W0 + w), ...I32X4_ABS]);
  for (let i = 0; i < 16; i++) g = vor(g, [GET, BLK, ...V128_LOAD, 0, ...leb(16 * i), ...I32X4_ABS]);
  return [...g, ...vsplat(~0x1ffff), ...V128_AND, ...ANY_TRUE];
}

function simdPass2(): Expr {
  const out: Expr = [...set(K, add(add(get(PLANE), mul(shl(get(ROW), c(3)), get(STRIDE))), shl(get(COL), c(3))))];
  // libjpeg's range limit: the low 10 bits as a signed value, + 128, clipped to 0..255 (the narrows).
  const limit = (x: Expr): Expr => [...vshr([...x, I32_CONST, 22, ...I32X4_SHL], 22), ...vsplat(128), ...I32X4_ADD];
  for (const half of [0, 1]) {
    const rows = [0, 1, 2, 3].map((r) => W0 + 2 * (4 * half + r));
    out.push(...transpose(rows, TIN), ...transpose(rows.map((w) => w + 1), TIN + 4));
    out.push(...butterfly((i) => get(TIN + i), VL, VECTOR_OPS));
    for (const [t, o, lo, hi] of VOUTPUTS) {
      out.push(...set(VOUT + lo, limit(vshr(vadd(vadd(get(t), get(o)), vsplat(131072)), 18))));
      out.push(...set(VOUT + hi, limit(vshr(vadd(vsub(get(t), get(o)), vsplat(131072)), 18))));
    }
    // Bytes: columns 0-3 of the four rows, then columns 4-7; each shuffle gathers two rows.
    const narrow = (j: number): Expr => [...get(VOUT + j), ...get(VOUT + j + 1), ...I16X8_NARROW_S];
    out.push(...set(TT, [...narrow(0), ...narrow(2), ...I8X16_NARROW_U]), ...set(TT + 1, [...narrow(4), ...narrow(6), ...I8X16_NARROW_U]));
    for (const r of [0, 2]) {
      const idx = [0, 1].flatMap((d) => [0, 4, 8, 12, 16, 20, 24, 28].map((b) => b + r + d));
      out.push(...set(TT + 2, shuffle(get(TT), get(TT + 1), idx)));
      for (const d of [0, 1]) {
        const y = 4 * half + r + d;
        out.push(...add(get(K), mul(c(y), get(STRIDE))), ...get(TT + 2), ...STORE64_LANE, 0, 0, d);
      }
    }
  }
  return out;
}

function kernel(): Expr {
  const colInput = (i: number): Expr => ld(get(CP), 32 * i);
  const pass1 = loop(CI, c(8), [
    ...set(CP, add(get(BLK), shl(get(CI), c(2)))),
    ...set(K, add(get(WS), shl(get(CI), c(2)))),
    ...ifElse([...or(or(or(colInput(1), colInput(2)), or(colInput(3), colInput(4))), or(or(colInput(5), colInput(6)), colInput(7))), I32_EQZ],
      [...set(V, shl(colInput(0), c(2))), ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((r) => st(get(K), 32 * r, get(V)))],
      [...butterfly(colInput, SCALAR_LOCALS, SCALAR_OPS), ...OUTPUTS.flatMap(([t, o, lo, hi]) => [
        ...st(get(K), 32 * lo, shr(add(add(get(t), get(o)), c(1024)), c(11))),
        ...st(get(K), 32 * hi, shr(add(sub(get(t), get(o)), c(1024)), c(11))),
      ])]),
  ]);
  const rowInput = (i: number): Expr => ld(get(CP), 4 * i);
  const limit = (v: Expr): Expr => [...add(get(RL), and(v, c(1023))), I32_LOAD8_U, 0, 0];
  const put = (j: number, v: Expr): Expr => [...get(DST), ...v, I32_STORE8, 0, ...leb(j)];
  const pass2 = loop(CI, c(8), [
    ...set(CP, add(get(WS), shl(get(CI), c(5)))),
    ...set(DST, add(add(get(PLANE), mul(add(shl(get(ROW), c(3)), get(CI)), get(STRIDE))), shl(get(COL), c(3)))),
    ...ifElse([...or(or(or(rowInput(1), rowInput(2)), or(rowInput(3), rowInput(4))), or(or(rowInput(5), rowInput(6)), rowInput(7))), I32_EQZ],
      [...set(V, limit(shr(add(rowInput(0), c(16)), c(5)))), ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((j) => put(j, get(V)))],
      [...butterfly(rowInput, SCALAR_LOCALS, SCALAR_OPS), ...OUTPUTS.flatMap(([t, o, lo, hi]) => [
        ...put(lo, limit(shr(add(add(get(t), get(o)), c(131072)), c(18)))),
        ...put(hi, limit(shr(add(sub(get(t), get(o)), c(131072)), c(18)))),
      ])]),
  ]);
  const dequantise = loop(K, c(64), [
    ...set(V, ld(add(get(NAT), shl(get(K), c(2))), 0)),
    ...st(add(get(BLK), shl(get(V), c(2))), 0,
      mul([...add(get(SRC), shl(get(K), c(1))), I32_LOAD16_S, 1, 0], ld(add(get(QUANT), shl(get(V), c(2))), 0))),
  ]);
  const body = [
    ...set(STRIDE, shl(get(BPL), c(3))),
    ...loop(ROW, get(BH), loop(COL, get(BW), [
      ...set(SRC, add(get(COEF), shl(add(mul(get(ROW), get(BPL)), get(COL)), c(7)))),
      ...dequantise, ...simdPass1(),
      ...ifElse(tooLarge(), [...pass1, ...pass2], simdPass2()),
    ])),
  ];
  return [2, LOCALS, I32, V128_LOCALS, V128, ...body, END];
}

type Kernel = (coef: number, bw: number, bh: number, bpl: number, quant: number, nat: number, rl: number, plane: number, blk: number, ws: number) => void;

let compiled: object | null | undefined;
const cache: { exports?: { idct: Kernel } } = {};
const MAX_BYTES = 256 * 1024 * 1024;
const align = (n: number): number => (n + 15) & ~15;


function compiledKernel(): object | null {
  if (compiled === undefined) compiled = compileModule(moduleBytes(10, [{ name: 'idct', body: kernel() }]));
  return compiled;
}

/** Whether this runtime has WebAssembly for idctComponentWasm. */
export function wasmIdctAvailable(): boolean {
  return compiledKernel() !== null;
}

export interface IdctComponent {
  readonly blocksWide: number;
  readonly blocksHigh: number;
  readonly blocksPerLine: number;
  readonly plane: Uint8Array;
}

/**
 * Dequantises and inverse-transforms every block of a component (coefficients zigzag-ordered, 64 per
 * block, blocksPerLine to a row) into its plane; false where WebAssembly is missing or the component
 * too big, and the caller runs idct.ts.
 */
export function idctComponentWasm(comp: IdctComponent, coefs: Int16Array, quant: Int32Array): boolean {
  const coefAt = 0;
  const quantAt = align(coefs.length * 2);
  const natAt = quantAt + 256;
  const rlAt = natAt + 256;
  const blkAt = rlAt + 1024;
  const wsAt = blkAt + 256;
  const planeAt = wsAt + 256;
  const total = planeAt + comp.plane.length;
  if (total > MAX_BYTES) return false;
  const mod = compiledKernel();
  if (!mod) return false;
  const bound = bind(mod, total, cache);
  if (!bound) return false;
  const { idct } = bound.exports;
  const buf = bound.buffer;
  new Int16Array(buf, coefAt, coefs.length).set(coefs);
  new Int32Array(buf, quantAt, 64).set(quant);
  new Int32Array(buf, natAt, 64).set(NATURAL_ORDER);
  new Uint8Array(buf, rlAt, 1024).set(RANGE_LIMIT);
  const plane = new Uint8Array(buf, planeAt, comp.plane.length);
  plane.set(comp.plane);
  idct(coefAt, comp.blocksWide, comp.blocksHigh, comp.blocksPerLine, quantAt, natAt, rlAt, planeAt, blkAt, wsAt);
  comp.plane.set(plane);
  return true;
}
