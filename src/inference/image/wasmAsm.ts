// Just enough of a WebAssembly assembler for the small SIMD kernels of the image code: opcodes by
// name, LEB128, sections, and the slice of the WebAssembly API they use (the project's type
// libraries do not declare it). Kernels are built from these at first use, not shipped as binaries.

/** Unsigned LEB128 (opcodes, sizes, indices). */
export function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32.const). */
export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

export const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
export const name = (s: string): number[] => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// Core opcodes.
export const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
export const GET = 0x20, SET = 0x21, TEE = 0x22, I32_CONST = 0x41;
export const I32_LOAD = 0x28, I32_LOAD8_U = 0x2d, I32_LOAD16_S = 0x2e, I32_STORE = 0x36, I32_STORE8 = 0x3a;
export const IF = 0x04, ELSE = 0x05;
export const I32_EQZ = 0x45, I32_GE_U = 0x4f, I32_GE_S = 0x4e, I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_AND = 0x71, I32_OR = 0x72, I32_SHL = 0x74, I32_SHR_S = 0x75;
export const I32 = 0x7f, V128 = 0x7b;
// SIMD opcodes (0xFD prefix).
const simd = (op: number): number[] => [0xfd, ...leb(op)];
export const V128_LOAD = simd(0x00), V128_STORE = simd(0x0b), V128_CONST = simd(0x0c), I8X16_SHUFFLE = simd(0x0d);
export const LOAD32_ZERO = simd(0x5c), I32X4_SPLAT = simd(0x11), I32X4_EXTRACT = simd(0x1b);
export const I8X16_NARROW_U = simd(0x66), I16X8_NARROW_S = simd(0x85), I16X8_NARROW_U = simd(0x86);
export const I16X8_EXTEND_LOW_U = simd(0x89), I32X4_EXTEND_LOW_U = simd(0xa9);
export const I32X4_ABS = simd(0xa0), I32X4_SHL = simd(0xab), V128_AND = simd(0x4e), V128_OR = simd(0x50), ANY_TRUE = simd(0x53);
export const STORE64_LANE = simd(0x5b);
export const I32X4_SHR_S = simd(0xac), I32X4_ADD = simd(0xae), I32X4_SUB = simd(0xb1), I32X4_MUL = simd(0xb5);

/** v128.const of four i32 lanes. */
export function i32x4Const(a: number, b: number, c: number, d: number): number[] {
  const bytes = new Uint8Array(Int32Array.of(a, b, c, d).buffer);
  return [...V128_CONST, ...bytes];
}

/** A module importing memory m.mem and exporting `funcs`, all of one type (i32 params, no results). */
export function moduleBytes(params: number, funcs: { name: string; body: number[] }[]): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, ...leb(params), ...new Array<number>(params).fill(I32), 0]),
    ...section(2, [1, ...name('m'), ...name('mem'), 0x02, 0x00, 0x01]),
    ...section(3, [funcs.length, ...funcs.map(() => 0)]),
    ...section(7, [funcs.length, ...funcs.flatMap((f, i) => [...name(f.name), 0x00, i])]),
    ...section(10, [funcs.length, ...funcs.flatMap((f) => [...leb(f.body.length), ...f.body])]),
  ]);
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (mod: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
}
export const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Compiles the module, or null where WebAssembly (or its SIMD) is missing. */
export function compileModule(bytes: Uint8Array): object | null {
  try {
    return wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    return null;
  }
}

const PAGE = 65536;
/**
 * Up to this much, the kernels share one memory kept between calls (copying a 1080p image into
 * fresh memory costs more in page faults than a kernel's work); larger calls get their own.
 */
const KEEP_BYTES = 32 * 1024 * 1024;
let shared: WasmMemory | undefined;

/**
 * The exports of `mod` bound to a memory of at least `bytes`, and that memory's current buffer; the
 * instance on the shared memory is kept in `cache`. Undefined where WebAssembly is missing or the
 * memory cannot be had (callers then run their JS path).
 */
export function bind<T>(mod: object, bytes: number, cache: { exports?: T }): { buffer: ArrayBuffer; exports: T } | undefined {
  if (!wasm) return undefined;
  const pages = Math.ceil(bytes / PAGE);
  try {
    if (bytes <= KEEP_BYTES) {
      if (!shared) shared = new wasm.Memory({ initial: pages });
      else if (shared.buffer.byteLength < pages * PAGE) shared.grow(pages - shared.buffer.byteLength / PAGE);
      cache.exports ??= new wasm.Instance(mod, { m: { mem: shared } }).exports as T;
      return { buffer: shared.buffer, exports: cache.exports };
    }
    const memory = new wasm.Memory({ initial: pages });
    return { buffer: memory.buffer, exports: new wasm.Instance(mod, { m: { mem: memory } }).exports as T };
  } catch {
    return undefined;
  }
}
