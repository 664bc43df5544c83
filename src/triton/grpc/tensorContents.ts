// Reads typed InferTensorContents, which Triton never sends but other KServe v2 servers may.
import { TritonError } from '../errors';
import { elementCountOfAnswer } from '../tensor';
import type { TensorData, TritonDatatype } from '../types';

interface LongBits {
  low: number;
  high: number;
}

export interface TensorContentsWire {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: (number | LongBits)[];
  uint_contents?: number[];
  uint64_contents?: (number | LongBits)[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

function big(v: number | LongBits, signed: boolean): bigint {
  if (typeof v === 'number') return BigInt(v);
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return signed ? BigInt.asIntN(64, bits) : bits;
}

/** The field that carries each datatype (INT8/16 and UINT8/16 travel widened to 32 bits). */
function valuesFor(datatype: TritonDatatype, c: TensorContentsWire): ArrayLike<unknown> | undefined {
  switch (datatype) {
    case 'BOOL': return c.bool_contents;
    case 'INT8': case 'INT16': case 'INT32': return c.int_contents;
    case 'INT64': return c.int64_contents;
    case 'UINT8': case 'UINT16': case 'UINT32': return c.uint_contents;
    case 'UINT64': return c.uint64_contents;
    case 'FP32': return c.fp32_contents;
    case 'FP64': return c.fp64_contents;
    case 'BYTES': return c.bytes_contents;
    default: return undefined;
  }
}

/** Values of an output given as typed contents, with the count checked against the shape. */
export function tensorFromContents(datatype: TritonDatatype, contents: TensorContentsWire, shape: readonly number[], where: string): TensorData {
  const count = elementCountOfAnswer(shape, where);
  const values = valuesFor(datatype, contents) ?? [];
  if (values.length !== count) {
    throw new TritonError('protocol', `${datatype} output has ${values.length} typed value(s) but shape [${shape.join(',')}] needs ${count}`, { request: where });
  }
  switch (datatype) {
    case 'BOOL': return Array.from(values as boolean[], (v) => v === true);
    case 'INT8': return Int8Array.from(values as number[]);
    case 'INT16': return Int16Array.from(values as number[]);
    case 'INT32': return Int32Array.from(values as number[]);
    case 'UINT8': return Uint8Array.from(values as number[]);
    case 'UINT16': return Uint16Array.from(values as number[]);
    case 'UINT32': return Uint32Array.from(values as number[]);
    case 'INT64': return BigInt64Array.from(values as (number | LongBits)[], (v) => big(v, true));
    case 'UINT64': return BigUint64Array.from(values as (number | LongBits)[], (v) => big(v, false));
    case 'FP32': return Float32Array.from(values as number[]);
    case 'FP64': return Float64Array.from(values as number[]);
    case 'BYTES': return Array.from(values as Uint8Array[]);
    default:
      throw new TritonError('protocol', `${datatype} output has no typed contents form; it must come as raw bytes`, { request: where });
  }
}

/** True when the server filled any typed field. */
export function hasContents(c: TensorContentsWire | null | undefined): c is TensorContentsWire {
  if (!c) return false;
  return Boolean(c.bool_contents?.length || c.int_contents?.length || c.int64_contents?.length || c.uint_contents?.length
    || c.uint64_contents?.length || c.fp32_contents?.length || c.fp64_contents?.length || c.bytes_contents?.length);
}
