// NumPy .npy files (format versions 1.0 to 3.0): written for preprocessed tensors and read as input
// data. Numeric dtypes map one to one onto Triton datatypes; byte and unicode strings map onto BYTES.
import { bf16ArrayToFloat32 } from '../triton/fp16';
import type { NumericTypedArray, TritonDatatype } from '../triton/types';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy's dtype string for each datatype ('|' for one byte, little-endian otherwise). */
const DESCR: Partial<Record<TritonDatatype, string>> = {
  BOOL: '|b1', UINT8: '|u1', UINT16: '<u2', UINT32: '<u4', UINT64: '<u8',
  INT8: '|i1', INT16: '<i2', INT32: '<i4', INT64: '<i8', FP16: '<f2', FP32: '<f4', FP64: '<f8',
};

const KIND_SIZE_TO_DATATYPE: Record<string, TritonDatatype> = {
  b1: 'BOOL', u1: 'UINT8', u2: 'UINT16', u4: 'UINT32', u8: 'UINT64',
  i1: 'INT8', i2: 'INT16', i4: 'INT32', i8: 'INT64', f2: 'FP16', f4: 'FP32', f8: 'FP64',
};

const ARRAYS: Partial<Record<TritonDatatype, new (buffer: ArrayBuffer) => NumericTypedArray>> = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array, FP16: Uint16Array,
  FP32: Float32Array, FP64: Float64Array,
};

export interface NpyArray {
  datatype: TritonDatatype;
  shape: number[];
  /** Numeric: the datatype's typed array (FP16 as raw bits). BYTES: one Uint8Array per element. */
  data: NumericTypedArray | Uint8Array[];
  /** The dtype string as the file gave it, e.g. "<f4" or "|S5". */
  descr: string;
}

export class NpyError extends Error {
  override readonly name = 'NpyError';
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function header(descr: string, shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText(shape)}, }`;
  // numpy pads the header with spaces so the data starts on a 64-byte boundary, and ends it with \n.
  let version = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const out = new Uint8Array(total);
  out.set(MAGIC);
  out[6] = version;
  out[7] = 0;
  const len = total - prefix;
  if (version === 1) new DataView(out.buffer).setUint16(8, len, true);
  else new DataView(out.buffer).setUint32(8, len, true);
  const text = dict.padEnd(len - 1, ' ') + '\n';
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  return out;
}

/**
 * A .npy file for a tensor. BF16 has no numpy dtype and is written as float32 (as tritonclient keeps
 * it); BYTES elements are written as fixed-width byte strings ('|S<longest>').
 */
export function writeNpy(datatype: TritonDatatype, shape: readonly number[], data: NumericTypedArray | readonly (string | Uint8Array)[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new NpyError(`${data.length} values do not fill shape [${shape.join(', ')}]`);
  if (datatype === 'BYTES') {
    const items = (data as readonly (string | Uint8Array)[]).map((v) => (typeof v === 'string' ? new TextEncoder().encode(v) : v));
    const width = Math.max(1, ...items.map((v) => v.length));
    const head = header(`|S${width}`, shape);
    const out = new Uint8Array(head.length + width * count);
    out.set(head);
    items.forEach((v, i) => out.set(v, head.length + i * width));
    return out;
  }
  let values = data as NumericTypedArray;
  let descr = DESCR[datatype];
  if (datatype === 'BF16') {
    values = bf16ArrayToFloat32(values as Uint16Array);
    descr = '<f4';
  }
  if (descr === undefined) throw new NpyError(`no numpy dtype for ${datatype}`);
  const head = header(descr, shape);
  const body = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new NpyError('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let prefix: number;
  let len: number;
  if (major === 1) {
    prefix = 10;
    len = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('truncated .npy header');
    prefix = 12;
    len = view.getUint32(8, true);
  } else {
    throw new NpyError(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (prefix + len > bytes.length) throw new NpyError(`truncated .npy header: ${len} bytes announced, ${bytes.length - prefix} present`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, prefix + len));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeMatch === undefined) {
    throw new NpyError(`unreadable .npy header ${JSON.stringify(text.trim())}: a structured or object array?`);
  }
  const shape = shapeMatch.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const n = Number(s.replace(/L$/, ''));
    if (!Number.isSafeInteger(n) || n < 0) throw new NpyError(`bad dimension ${JSON.stringify(s)} in .npy shape`);
    return n;
  });
  const count = shape.reduce((a, b) => a * b, 1);
  const m = /^([<>|=])([biufSU])(\d+)$/.exec(descr);
  if (m === null) throw new NpyError(`unsupported numpy dtype ${JSON.stringify(descr)}`);
  const [, order, kind, sizeText] = m as unknown as [string, string, string, string];
  const size = Number(sizeText);
  const itemBytes = kind === 'U' ? size * 4 : size;
  const start = prefix + len;
  if (start + itemBytes * count > bytes.length) {
    throw new NpyError(`truncated .npy data: shape [${shape.join(', ')}] of ${descr} needs ${itemBytes * count} bytes, ${bytes.length - start} present`);
  }
  // A copy, aligned for the typed array (Buffer.slice would be a view into a shared pool).
  let raw: Uint8Array = new Uint8Array(itemBytes * count);
  raw.set(bytes.subarray(start, start + itemBytes * count));
  if (fortran === 'True') raw = fortranToC(raw, shape, itemBytes);
  if (kind === 'S' || kind === 'U') return { datatype: 'BYTES', shape, descr, data: stringElements(raw, count, kind, size, order === '>') };
  const datatype = KIND_SIZE_TO_DATATYPE[`${kind}${size}`];
  if (datatype === undefined) throw new NpyError(`numpy dtype ${descr} has no Triton datatype`);
  if (order === '>' && size > 1) swapBytes(raw, size);
  return { datatype, shape, descr, data: new ARRAYS[datatype]!(raw.buffer as ArrayBuffer) };
}

function swapBytes(raw: Uint8Array, size: number): void {
  for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
}

/** numpy strips trailing NULs from 'S' and 'U' items; unicode items are UTF-32 and become UTF-8. */
function stringElements(raw: Uint8Array, count: number, kind: string, size: number, bigEndian: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  const encoder = new TextEncoder();
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < count; i++) {
    if (kind === 'S') {
      const item = raw.subarray(i * size, (i + 1) * size);
      let end = item.length;
      while (end > 0 && item[end - 1] === 0) end--;
      out.push(item.slice(0, end));
    } else {
      let s = '';
      for (let k = 0; k < size; k++) {
        const cp = dv.getUint32((i * size + k) * 4, !bigEndian);
        if (cp === 0) break;
        if (cp > 0x10ffff) throw new NpyError(`bad code point ${cp} in .npy unicode element ${i}`);
        s += String.fromCodePoint(cp);
      }
      out.push(encoder.encode(s));
    }
  }
  return out;
}

/** Column-major (Fortran) items to row-major order. */
function fortranToC(raw: Uint8Array, shape: readonly number[], item: number): Uint8Array {
  const out = new Uint8Array(raw.length);
  const count = raw.length / item;
  const idx = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < count; c++) {
    let f = 0;
    let stride = 1;
    for (let d = 0; d < shape.length; d++) {
      f += idx[d]! * stride;
      stride *= shape[d]!;
    }
    out.set(raw.subarray(f * item, (f + 1) * item), c * item);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}
