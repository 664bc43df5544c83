// The IDCT of a whole component in one WebAssembly call (progressive files, and sequential ones
// decoded ahead into coefficients): dequantise each block from
// its zigzag-ordered 16-bit coefficients, then jidctint.c's ISLOW passes with their zero-column and
// zero-row shortcuts, and the same range-limit table. i32 arithmetic wraps where idct.ts's JS does
// (products are exact below 2^53 and every result goes through a 32-bit shift), so the samples are
// identical, including for crafted coefficients that overflow. Without WebAssembly, idct.ts runs.
import {
  BLOCK, BR, BR_IF, ELSE, END, GET, I32, I32_ADD, I32_AND, I32_CONST, I32_EQZ, I32_GE_U, I32_LOAD, I32_LOAD16_S,
  I32_LOAD8_U, I32_MUL, I32_OR, I32_SHL, I32_SHR_S, I32_STORE, I32_STORE8, I32_SUB, IF, LOOP, SET, VOID,
  compileModule, leb, moduleBytes, sleb, wasm, type WasmApi, type WasmMemory,
} from '../wasmAsm';
import { NATURAL_ORDER } from './frame';
import { RANGE_LIMIT } from './idct';

type Expr = number[];
const get = (l: number): Expr => [GET, l];
const set = (l: number, e: Expr): Expr => [...e, SET, l];
const c = (n: number): Expr => [I32_CONST, ...sleb(n)];
const bin = (op: number) => (a: Expr, b: Expr): Expr => [...a, ...b, op];
const add = bin(I32_ADD), sub = bin(I32_SUB), mul = bin(I32_MUL), or = bin(I32_OR), and = bin(I32_AND);
const shl = bin(I32_SHL), shr = bin(I32_SHR_S);
const ld = (addr: Expr, off: number): Expr => [...addr, I32_LOAD, 2, ...leb(off)];
const st = (addr: Expr, off: number, v: Expr): Expr => [...addr, ...v, I32_STORE, 2, ...leb(off)];
const ifElse = (cond: Expr, then: Expr, otherwise: Expr): Expr => [...cond, IF, VOID, ...then, ELSE, ...otherwise, END];
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

/** The 8-point butterfly of one pass, inputs in(0..7); leaves T10..T13 and O0..O3. */
function butterfly(input: (i: number) => Expr): Expr {
  return [
    ...set(Z2, input(2)), ...set(Z3, input(6)),
    ...set(Z1, mul(add(get(Z2), get(Z3)), c(F0_541))),
    ...set(E2, sub(get(Z1), mul(get(Z3), c(F1_847)))),
    ...set(E3, add(get(Z1), mul(get(Z2), c(F0_765)))),
    ...set(Z2, input(0)), ...set(Z3, input(4)),
    ...set(E0, shl(add(get(Z2), get(Z3)), c(13))),
    ...set(E1, shl(sub(get(Z2), get(Z3)), c(13))),
    ...set(T10, add(get(E0), get(E3))), ...set(T13, sub(get(E0), get(E3))),
    ...set(T11, add(get(E1), get(E2))), ...set(T12, sub(get(E1), get(E2))),
    ...set(O0, input(7)), ...set(O1, input(5)), ...set(O2, input(3)), ...set(O3, input(1)),
    ...set(Z1, add(get(O0), get(O3))), ...set(Z2, add(get(O1), get(O2))),
    ...set(Z3, add(get(O0), get(O2))), ...set(Z4, add(get(O1), get(O3))),
    ...set(Z5, mul(add(get(Z3), get(Z4)), c(F1_175))),
    ...set(O0, mul(get(O0), c(F0_298))), ...set(O1, mul(get(O1), c(F2_053))),
    ...set(O2, mul(get(O2), c(F3_072))), ...set(O3, mul(get(O3), c(F1_501))),
    ...set(Z1, mul(get(Z1), c(-F0_899))), ...set(Z2, mul(get(Z2), c(-F2_562))),
    ...set(Z3, add(mul(get(Z3), c(-F1_961)), get(Z5))), ...set(Z4, add(mul(get(Z4), c(-F0_390)), get(Z5))),
    ...set(O0, add(get(O0), add(get(Z1), get(Z3)))), ...set(O1, add(get(O1), add(get(Z2), get(Z4)))),
    ...set(O2, add(get(O2), add(get(Z2), get(Z3)))), ...set(O3, add(get(O3), add(get(Z1), get(Z4)))),
  ];
}

/** The eight outputs of a butterfly: [even term, odd term, output index] in jidctint's order. */
const OUTPUTS: [number, number, number, number][] = [
  [T10, O3, 0, 7], [T11, O2, 1, 6], [T12, O1, 2, 5], [T13, O0, 3, 4],
];

function kernel(): Expr {
  const colInput = (i: number): Expr => ld(get(CP), 32 * i);
  const pass1 = loop(CI, c(8), [
    ...set(CP, add(get(BLK), shl(get(CI), c(2)))),
    ...set(K, add(get(WS), shl(get(CI), c(2)))),
    ...ifElse([...or(or(or(colInput(1), colInput(2)), or(colInput(3), colInput(4))), or(or(colInput(5), colInput(6)), colInput(7))), I32_EQZ],
      [...set(V, shl(colInput(0), c(2))), ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((r) => st(get(K), 32 * r, get(V)))],
      [...butterfly(colInput), ...OUTPUTS.flatMap(([t, o, lo, hi]) => [
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
      [...butterfly(rowInput), ...OUTPUTS.flatMap(([t, o, lo, hi]) => [
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
      ...dequantise, ...pass1, ...pass2,
    ])),
  ];
  return [1, LOCALS, I32, ...body, END];
}

type Kernel = (coef: number, bw: number, bh: number, bpl: number, quant: number, nat: number, rl: number, plane: number, blk: number, ws: number) => void;

let compiled: object | null | undefined;
const KEEP_BYTES = 32 * 1024 * 1024;
const MAX_BYTES = 256 * 1024 * 1024;
const PAGE = 65536;
let kept: { memory: WasmMemory; idct: Kernel; pages: number } | undefined;
const align = (n: number): number => (n + 15) & ~15;

function instance(api: WasmApi, mod: object, pages: number): { memory: WasmMemory; idct: Kernel } {
  if (kept && kept.pages >= pages) return kept;
  const memory = new api.Memory({ initial: pages });
  const idct = new api.Instance(mod, { m: { mem: memory } }).exports.idct as Kernel;
  if (pages * PAGE <= KEEP_BYTES) kept = { memory, idct, pages };
  return { memory, idct };
}

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
  if (!mod || !wasm) return false;
  const { memory, idct } = instance(wasm, mod, Math.ceil(total / PAGE));
  const buf = memory.buffer;
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
