// Tensor values ↔ the little-endian binary wire layout, with element counts checked against shapes.
import { endianness } from 'node:os';
import { decodeBytesElements, encodeBytesElements } from './bytesCodec';
import { datatypeInfo, isNativeArrayFor } from './datatypes';
import { TritonError } from './errors';
import { toBf16Array, toFp16Array } from './fp16';
import type { NumericTypedArray, TensorData, TritonDatatype } from './types';

const HOST_IS_LE = endianness() === 'LE';

const INT_RANGES: Partial<Record<TritonDatatype, [number, number]>> = {
  INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647],
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Number of elements a shape holds; every dimension must be a non-negative integer. */
export function elementCount(shape: readonly number[], where?: string): number {
  if (!Array.isArray(shape)) throw new TritonError('invalid-argument', 'shape must be an array of non-negative integers', { request: where });
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new TritonError('invalid-argument', `shape [${shape.join(',')}] has a dimension that is not a non-negative integer`, { request: where });
    }
    count *= dim;
  }
  if (!Number.isSafeInteger(count)) throw new TritonError('invalid-argument', `shape [${shape.join(',')}] holds too many elements`, { request: where });
  return count;
}

function bytesOf(array: NumericTypedArray): Uint8Array {
  if (!HOST_IS_LE && array.BYTES_PER_ELEMENT > 1) {
    throw new TritonError('unsupported', 'big-endian hosts are not supported');
  }
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function dataLength(data: TensorData): number {
  return (data as { length: number }).length;
}

/**
 * Wire bytes of a tensor. Matching typed arrays are returned as views (no copy); other inputs are
 * converted. Fails with 'invalid-argument' when the values do not fit the datatype or the shape.
 */
export function encodeTensor(datatype: TritonDatatype, data: TensorData, shape: readonly number[], where?: string): Uint8Array {
  const count = elementCount(shape, where);
  const info = datatypeInfo(datatype);
  if (info === undefined) throw new TritonError('invalid-argument', `unknown datatype '${String(datatype)}'`, { request: where });
  if (data === null || typeof data !== 'object' || typeof dataLength(data) !== 'number') {
    throw new TritonError('invalid-argument', `${datatype} data must be an array or a typed array`, { request: where });
  }
  if (dataLength(data) !== count) {
    throw new TritonError('invalid-argument', `${datatype} data has ${dataLength(data)} element(s) but shape [${shape.join(',')}] needs ${count}`, { request: where });
  }
  if (datatype === 'BYTES') {
    if (ArrayBuffer.isView(data)) throw new TritonError('invalid-argument', 'BYTES data must be an array of strings or Uint8Arrays', { request: where });
    return encodeBytesElements(data as (string | Uint8Array)[], where);
  }
  if (isNativeArrayFor(datatype, data)) {
    if (datatype === 'BOOL') checkBoolBytes(data as Uint8Array, where);
    return bytesOf(data);
  }
  switch (datatype) {
    case 'BOOL': return encodeBool(data, where);
    case 'FP16': return bytesOf(toFp16Array(numberSource(data, datatype, where)));
    case 'BF16': return bytesOf(toBf16Array(numberSource(data, datatype, where)));
    case 'INT64': case 'UINT64': return bytesOf(toBigIntArray(datatype, data, where));
    case 'FP32': return bytesOf(Float32Array.from(numberSource(data, datatype, where)));
    case 'FP64': return bytesOf(Float64Array.from(numberSource(data, datatype, where)));
    default: {
      const source = numberSource(data, datatype, where);
      const [min, max] = INT_RANGES[datatype]!;
      for (let i = 0; i < source.length; i++) {
        const v = source[i]!;
        if (!Number.isInteger(v) || v < min || v > max) {
          throw new TritonError('invalid-argument', `${datatype} element ${i} (${v}) is not an integer in [${min}, ${max}]`, { request: where });
        }
      }
      const Ctor = info.array as Exclude<typeof info.array, BigInt64ArrayConstructor | BigUint64ArrayConstructor | undefined>;
      return bytesOf(Ctor.from(source));
    }
  }
}

function numberSource(data: TensorData, datatype: TritonDatatype, where?: string): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new TritonError('invalid-argument', `${datatype} data cannot be a ${data.constructor.name}`, { request: where });
  }
  if (ArrayBuffer.isView(data)) return data as ArrayLike<number>;
  const list = data as unknown[];
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] !== 'number') {
      throw new TritonError('invalid-argument', `${datatype} element ${i} must be a number, got ${typeof list[i]}`, { request: where });
    }
  }
  return list as number[];
}

function checkBoolBytes(bytes: Uint8Array, where?: string): void {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! > 1) throw new TritonError('invalid-argument', `BOOL element ${i} is ${bytes[i]}, expected 0 or 1`, { request: where });
  }
}

function encodeBool(data: TensorData, where?: string): Uint8Array {
  const list = data as unknown as ArrayLike<unknown>;
  const out = new Uint8Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v !== false && v !== 0) throw new TritonError('invalid-argument', `BOOL element ${i} must be true or false`, { request: where });
  }
  return out;
}

function toBigIntArray(datatype: 'INT64' | 'UINT64', data: TensorData, where?: string): BigInt64Array | BigUint64Array {
  const list = data as unknown as ArrayLike<unknown>;
  const out = datatype === 'INT64' ? new BigInt64Array(list.length) : new BigUint64Array(list.length);
  const min = datatype === 'INT64' ? INT64_MIN : 0n;
  const max = datatype === 'INT64' ? INT64_MAX : UINT64_MAX;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    let big: bigint;
    if (typeof v === 'bigint') big = v;
    else if (typeof v === 'number' && Number.isInteger(v)) big = BigInt(v);
    else throw new TritonError('invalid-argument', `${datatype} element ${i} must be an integer or a bigint`, { request: where });
    if (big < min || big > max) throw new TritonError('invalid-argument', `${datatype} element ${i} (${big}) is out of range`, { request: where });
    out[i] = big;
  }
  return out;
}

/** Byte size of a fixed-size tensor, or undefined for BYTES. */
export function fixedByteSize(datatype: TritonDatatype, shape: readonly number[], where?: string): number | undefined {
  const size = datatypeInfo(datatype).size;
  return size === 0 ? undefined : elementCount(shape, where) * size;
}

/**
 * Values of a tensor from its wire bytes. Numeric data is a view into `bytes` when aligned, a copy
 * otherwise; sizes are checked against the shape ('protocol' error when they disagree).
 */
export function decodeTensor(datatype: TritonDatatype, bytes: Uint8Array, shape: readonly number[], where?: string): TensorData {
  const count = elementCountOfAnswer(shape, where);
  const info = datatypeInfo(datatype);
  if (info === undefined) throw new TritonError('protocol', `unknown datatype '${String(datatype)}'`, { request: where });
  if (datatype === 'BYTES') return decodeBytesElements(bytes, count, where);
  const expected = count * info.size;
  if (bytes.byteLength !== expected) {
    throw new TritonError('protocol', `${datatype} tensor of shape [${shape.join(',')}] needs ${expected} bytes but ${bytes.byteLength} arrived`, { request: where });
  }
  if (datatype === 'BOOL') {
    const out = new Array<boolean>(count);
    for (let i = 0; i < count; i++) out[i] = bytes[i] !== 0;
    return out;
  }
  if (!HOST_IS_LE && info.size > 1) throw new TritonError('unsupported', 'big-endian hosts are not supported');
  const Ctor = info.array!;
  // new Uint8Array(view) copies into a fresh buffer (Buffer#slice would only make another view).
  const aligned = bytes.byteOffset % info.size === 0 ? bytes : new Uint8Array(bytes);
  return new Ctor(aligned.buffer as ArrayBuffer, aligned.byteOffset, count);
}

/** Like elementCount, but a bad shape is the server's fault, not the caller's. */
export function elementCountOfAnswer(shape: unknown, where?: string): number {
  if (!Array.isArray(shape)) throw new TritonError('protocol', 'tensor shape is not an array', { request: where });
  let count = 1;
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new TritonError('protocol', `tensor shape ${JSON.stringify(shape)} has a dimension that is not a non-negative integer`, { request: where });
    }
    count *= dim;
  }
  if (!Number.isSafeInteger(count)) throw new TritonError('protocol', `tensor shape ${JSON.stringify(shape)} is too large`, { request: where });
  return count;
}

/** Values of a JSON `data` array from a response (flat; nested arrays are flattened). */
export function tensorFromJson(datatype: TritonDatatype, data: unknown, shape: readonly number[], where?: string): TensorData {
  const count = elementCountOfAnswer(shape, where);
  if (!Array.isArray(data)) throw new TritonError('protocol', `'data' of a ${datatype} output is not an array`, { request: where });
  // Triton always answers flat; a nested answer is flattened, anything mixed fails the type checks below.
  const flat = (data.length > 0 && Array.isArray(data[0]) ? data.flat(100) : data) as unknown[];
  if (flat.length !== count) {
    throw new TritonError('protocol', `${datatype} output has ${flat.length} value(s) but shape [${shape.join(',')}] needs ${count}`, { request: where });
  }
  const bad = (i: number, expected: string): TritonError =>
    new TritonError('protocol', `${datatype} output value ${i} (${String(flat[i])}) is not ${expected}`, { request: where });
  switch (datatype) {
    case 'BYTES': {
      const out = new Array<Uint8Array>(count);
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'string') throw bad(i, 'a string');
        out[i] = Buffer.from(v, 'utf8');
      }
      return out;
    }
    case 'BOOL': {
      const out = new Array<boolean>(count);
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v === 'boolean') out[i] = v;
        else if (v === 0 || v === 1) out[i] = v === 1;
        else throw bad(i, 'a boolean');
      }
      return out;
    }
    case 'INT64': case 'UINT64': {
      const out = datatype === 'INT64' ? new BigInt64Array(count) : new BigUint64Array(count);
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v === 'bigint') out[i] = v;
        else if (typeof v === 'number' && Number.isInteger(v)) out[i] = BigInt(v);
        else throw bad(i, 'an integer');
      }
      return out;
    }
    default: {
      const wide = datatype === 'FP16' || datatype === 'BF16';
      // Half floats are rounded from doubles; every other type is filled in place (one pass, no temporary).
      const out = wide ? new Float64Array(count) : new (datatypeInfo(datatype).array as Float64ArrayConstructor)(count);
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v === 'number') out[i] = v;
        else if (typeof v === 'bigint') out[i] = Number(v);
        else throw bad(i, 'a number');
      }
      if (datatype === 'FP16') return toFp16Array(out);
      if (datatype === 'BF16') return toBf16Array(out);
      return out;
    }
  }
}
