// The datatype table: wire names, element sizes, typed-array types and config-enum names.
import type { NumericTypedArray, TritonDatatype } from './types';

type TypedArrayConstructor =
  | Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor
  | Int32ArrayConstructor | Uint32ArrayConstructor | BigInt64ArrayConstructor | BigUint64ArrayConstructor
  | Float32ArrayConstructor | Float64ArrayConstructor;

export interface DatatypeInfo {
  name: TritonDatatype;
  /** Bytes per element; 0 for BYTES (variable). */
  size: number;
  /** Typed array holding decoded values (BOOL: Uint8Array of 0/1; FP16/BF16: raw bits); undefined for BYTES. */
  array?: TypedArrayConstructor;
  /** model_config.proto DataType name. */
  configType: string;
  /** 64-bit integer types use bigint. */
  bigint: boolean;
  /** Values allowed as JSON `data` (FP16/BF16 are binary only). */
  json: boolean;
}

const TABLE: Record<TritonDatatype, DatatypeInfo> = {
  BOOL: { name: 'BOOL', size: 1, array: Uint8Array, configType: 'TYPE_BOOL', bigint: false, json: true },
  UINT8: { name: 'UINT8', size: 1, array: Uint8Array, configType: 'TYPE_UINT8', bigint: false, json: true },
  UINT16: { name: 'UINT16', size: 2, array: Uint16Array, configType: 'TYPE_UINT16', bigint: false, json: true },
  UINT32: { name: 'UINT32', size: 4, array: Uint32Array, configType: 'TYPE_UINT32', bigint: false, json: true },
  UINT64: { name: 'UINT64', size: 8, array: BigUint64Array, configType: 'TYPE_UINT64', bigint: true, json: true },
  INT8: { name: 'INT8', size: 1, array: Int8Array, configType: 'TYPE_INT8', bigint: false, json: true },
  INT16: { name: 'INT16', size: 2, array: Int16Array, configType: 'TYPE_INT16', bigint: false, json: true },
  INT32: { name: 'INT32', size: 4, array: Int32Array, configType: 'TYPE_INT32', bigint: false, json: true },
  INT64: { name: 'INT64', size: 8, array: BigInt64Array, configType: 'TYPE_INT64', bigint: true, json: true },
  FP16: { name: 'FP16', size: 2, array: Uint16Array, configType: 'TYPE_FP16', bigint: false, json: false },
  BF16: { name: 'BF16', size: 2, array: Uint16Array, configType: 'TYPE_BF16', bigint: false, json: false },
  FP32: { name: 'FP32', size: 4, array: Float32Array, configType: 'TYPE_FP32', bigint: false, json: true },
  FP64: { name: 'FP64', size: 8, array: Float64Array, configType: 'TYPE_FP64', bigint: false, json: true },
  BYTES: { name: 'BYTES', size: 0, configType: 'TYPE_STRING', bigint: false, json: true },
};

export const DATATYPES: readonly TritonDatatype[] = Object.keys(TABLE) as TritonDatatype[];

export function isDatatype(value: unknown): value is TritonDatatype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TABLE, value);
}

export function datatypeInfo(datatype: TritonDatatype): DatatypeInfo {
  return TABLE[datatype];
}

/** Wire datatype for a config enum name ("TYPE_FP32" → "FP32"; "TYPE_STRING" → "BYTES"). */
export function datatypeFromConfigType(configType: string): TritonDatatype | undefined {
  for (const info of Object.values(TABLE)) if (info.configType === configType) return info.name;
  return undefined;
}

/** The typed array class that matches a datatype exactly (so it can be sent without conversion). */
export function isNativeArrayFor(datatype: TritonDatatype, data: unknown): data is NumericTypedArray {
  const ctor = TABLE[datatype].array;
  return ctor !== undefined && data instanceof ctor;
}
