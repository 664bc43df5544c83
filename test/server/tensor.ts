// Tensors as raw little-endian buffers: datatype table, BYTES framing, JSON and typed-array conversion.
import type { JsonValue } from './jsonCodec';

export type Datatype = 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES' | 'BF16';

export const DATATYPE_SIZE: Readonly<Record<Datatype, number>> = {
  BOOL: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, INT8: 1, INT16: 2, INT32: 4, INT64: 8, FP16: 2, FP32: 4, FP64: 8, BYTES: 0, BF16: 2,
};

export function isDatatype(s: unknown): s is Datatype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DATATYPE_SIZE, s);
}

export function configTypeToDatatype(t: string): Datatype | undefined {
  if (t === 'TYPE_STRING') return 'BYTES';
  const d = t.replace(/^TYPE_/, '');
  return isDatatype(d) && d !== 'BYTES' ? d : undefined;
}

export interface Tensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  /** Serialized row-major little-endian contents (BYTES: 4-byte length + payload per element). */
  data: Buffer;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Byte size for fixed-size types, undefined for BYTES. */
export function fixedByteSize(datatype: Datatype, shape: readonly number[]): number | undefined {
  return datatype === 'BYTES' ? undefined : elementCount(shape) * DATATYPE_SIZE[datatype];
}

export function splitBytes(data: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let off = 0;
  while (off < data.length) {
    if (off + 4 > data.length) return undefined;
    const len = data.readUInt32LE(off);
    if (off + 4 + len > data.length) return undefined;
    out.push(data.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

export function joinBytes(items: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const b of items) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}

type Num = number | bigint;

export function readElement(data: Buffer, datatype: Datatype, i: number): Num | boolean {
  switch (datatype) {
    case 'BOOL': return data[i] !== 0;
    case 'UINT8': return data.readUInt8(i);
    case 'INT8': return data.readInt8(i);
    case 'UINT16': return data.readUInt16LE(i * 2);
    case 'INT16': return data.readInt16LE(i * 2);
    case 'UINT32': return data.readUInt32LE(i * 4);
    case 'INT32': return data.readInt32LE(i * 4);
    case 'UINT64': return data.readBigUInt64LE(i * 8);
    case 'INT64': return data.readBigInt64LE(i * 8);
    case 'FP32': return data.readFloatLE(i * 4);
    case 'FP64': return data.readDoubleLE(i * 8);
    case 'FP16': return halfToFloat(data.readUInt16LE(i * 2));
    case 'BF16': return new Float32Array(new Uint32Array([data.readUInt16LE(i * 2) << 16]).buffer)[0]!;
    default: throw new Error(`readElement: ${datatype}`);
  }
}

export function writeElement(data: Buffer, datatype: Datatype, i: number, v: Num | boolean): void {
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  const asBig = (): bigint => (typeof n === 'bigint' ? n : BigInt(Math.trunc(n)));
  const asNum = (): number => Number(n);
  switch (datatype) {
    case 'BOOL': data[i] = asNum() ? 1 : 0; return;
    case 'UINT8': data[i] = asNum() & 0xff; return;
    case 'INT8': data.writeInt8(((asNum() << 24) >> 24), i); return;
    case 'UINT16': data.writeUInt16LE(asNum() & 0xffff, i * 2); return;
    case 'INT16': data.writeInt16LE((asNum() << 16) >> 16, i * 2); return;
    case 'UINT32': data.writeUInt32LE(asNum() >>> 0, i * 4); return;
    case 'INT32': data.writeInt32LE(asNum() | 0, i * 4); return;
    case 'UINT64': data.writeBigUInt64LE(BigInt.asUintN(64, asBig()), i * 8); return;
    case 'INT64': data.writeBigInt64LE(BigInt.asIntN(64, asBig()), i * 8); return;
    case 'FP32': data.writeFloatLE(asNum(), i * 4); return;
    case 'FP64': data.writeDoubleLE(asNum(), i * 8); return;
    default: throw new Error(`writeElement: ${datatype}`);
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Numeric view of a tensor (BYTES excluded). */
export function toNumbers(t: Tensor): Array<Num | boolean> {
  const n = elementCount(t.shape);
  const out: Array<Num | boolean> = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readElement(t.data, t.datatype, i);
  return out;
}

export function fromNumbers(name: string, datatype: Datatype, shape: number[], values: ReadonlyArray<Num | boolean>): Tensor {
  const data = Buffer.alloc(values.length * DATATYPE_SIZE[datatype]);
  values.forEach((v, i) => writeElement(data, datatype, i, v));
  return { name, datatype, shape, data };
}

export class TensorDataError extends Error {}

/** Flattens a JSON `data` array into a serialized buffer; messages follow Triton's wording. */
export function tensorFromJson(name: string, datatype: Datatype, shape: number[], data: JsonValue): Buffer {
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw new TensorDataError(`receiving ${datatype} data via JSON is not supported. Please use the binary data format for input ${name}`);
  }
  const expected = elementCount(shape);
  if (expected === 0) return Buffer.alloc(0);
  if (!Array.isArray(data)) throw new TensorDataError(`Unable to parse 'data': attempt to access JSON non-array as array`);
  const flat: JsonValue[] = [];
  const walk = (v: JsonValue, depth: number): void => {
    if (depth > 100) throw new TensorDataError(`Unable to parse 'data': nesting too deep`);
    if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else {
      if (flat.length >= expected) throw new TensorDataError(`Unable to parse 'data': Shape does not match true shape of 'data' field`);
      flat.push(v);
    }
  };
  walk(data, 0);
  if (flat.length !== expected) throw new TensorDataError(`Unable to parse 'data': Shape does not match true shape of 'data' field`);
  if (datatype === 'BYTES') {
    return joinBytes(flat.map((v) => {
      if (typeof v !== 'string') throw new TensorDataError(`Unable to parse JSON bytes array: attempt to access JSON non-string as string`);
      return Buffer.from(v, 'utf8');
    }));
  }
  const buf = Buffer.alloc(expected * DATATYPE_SIZE[datatype]);
  flat.forEach((v, i) => {
    if (datatype === 'BOOL') {
      if (typeof v !== 'boolean') throw new TensorDataError(`Unable to parse 'data': attempt to access JSON non-boolean as boolean`);
      buf[i] = v ? 1 : 0;
      return;
    }
    if (datatype === 'FP32' || datatype === 'FP64') {
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new TensorDataError(`Unable to parse 'data': attempt to access JSON non-number as double`);
      writeElement(buf, datatype, i, Number(v));
      return;
    }
    const unsigned = datatype.startsWith('UINT');
    const isInt = (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
    if (!isInt || (unsigned && v < 0)) {
      throw new TensorDataError(`Unable to parse 'data': attempt to access JSON non-${unsigned ? 'unsigned-integer' : 'integer'} as ${unsigned ? 'unsigned-integer' : 'integer'}`);
    }
    writeElement(buf, datatype, i, v as Num);
  });
  return buf;
}

/** Flat JSON `data` for an output (FP16/BF16 are refused by the caller). */
export function tensorToJson(t: Tensor): JsonValue[] {
  if (t.datatype === 'BYTES') return (splitBytes(t.data) ?? []).map((b) => b.toString('utf8'));
  return toNumbers(t).map((v) => (typeof v === 'bigint' && v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v)) as JsonValue[];
}
