// Element-wise access to an output tensor's values without copying them: every reader here looks
// at one element at a time, so a 64 MiB output never gets a second, widened copy.
import { bf16BitsToNumber, fp16BitsToNumber } from '../../triton/fp16';
import { isNativeArrayFor } from '../../triton/datatypes';
import { encodeTensor } from '../../triton/tensor';
import type { NumericTypedArray, OutputTensor, TensorData, TritonDatatype } from '../../triton/types';

export interface ElementReader {
  readonly datatype: TritonDatatype;
  readonly count: number;
  /** The element as a double (64-bit integers rounded past 2^53; use `exact` for every digit). */
  number(i: number): number;
  /** The element as text: exact digits for 64-bit integers, shortest round-trip text for floats. */
  exact(i: number): string;
  /** 64-bit integer types: the element as a bigint. */
  bigint?(i: number): bigint;
}

export function isNumericDatatype(datatype: TritonDatatype): boolean {
  return datatype !== 'BYTES';
}

/** Text for a double that JSON could not carry (NaN, ±Infinity) as well as ordinary values. */
export function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return Object.is(value, -0) ? '-0' : String(value);
}

type Indexed<T> = { readonly length: number; readonly [i: number]: T };

/**
 * A reader over a numeric output's values (BOOL reads as 0/1, FP16/BF16 are decoded per element).
 * Undefined when the output carries no values (shared memory) or is BYTES.
 */
export function elementReader(tensor: OutputTensor): ElementReader | undefined {
  const data = tensor.data;
  if (data === undefined || tensor.datatype === 'BYTES') return undefined;
  const datatype = tensor.datatype;
  const count = (data as { length: number }).length;
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const values = data as unknown as Indexed<bigint | number>;
    const big = (i: number): bigint => {
      const v = values[i]!;
      return typeof v === 'bigint' ? v : BigInt(v);
    };
    return { datatype, count, number: (i) => Number(values[i]!), exact: (i) => big(i).toString(), bigint: big };
  }
  if (datatype === 'FP16' || datatype === 'BF16') {
    const bits = data as unknown as Indexed<number>;
    const decode = datatype === 'FP16' ? fp16BitsToNumber : bf16BitsToNumber;
    return { datatype, count, number: (i) => decode(bits[i]!), exact: (i) => numberText(decode(bits[i]!)) };
  }
  if (datatype === 'BOOL') {
    const values = data as unknown as Indexed<boolean | number>;
    const num = (i: number): number => (values[i] ? 1 : 0);
    return { datatype, count, number: num, exact: (i) => (values[i] ? 'true' : 'false') };
  }
  const values = data as unknown as Indexed<number>;
  return { datatype, count, number: (i) => Number(values[i]!), exact: (i) => numberText(Number(values[i]!)) };
}

/**
 * Values in the typed array the client uses for a datatype (BOOL as 0/1 bytes, FP16/BF16 as raw
 * bits): the data itself when it already is one, else decoded from its wire bytes (a copy).
 */
export function nativeArrayOf(datatype: Exclude<TritonDatatype, 'BYTES'>, data: TensorData, shape: readonly number[], where?: string): NumericTypedArray {
  if (isNativeArrayFor(datatype, data)) return data;
  const copy = encodeTensor(datatype, data, shape, where).slice();
  switch (datatype) {
    case 'BOOL': case 'UINT8': return copy;
    case 'INT8': return new Int8Array(copy.buffer);
    case 'UINT16': case 'FP16': case 'BF16': return new Uint16Array(copy.buffer);
    case 'INT16': return new Int16Array(copy.buffer);
    case 'UINT32': return new Uint32Array(copy.buffer);
    case 'INT32': return new Int32Array(copy.buffer);
    case 'UINT64': return new BigUint64Array(copy.buffer);
    case 'INT64': return new BigInt64Array(copy.buffer);
    case 'FP32': return new Float32Array(copy.buffer);
    case 'FP64': return new Float64Array(copy.buffer);
  }
}
