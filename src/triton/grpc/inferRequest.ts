// Builds ModelInferRequest messages the way the official Python gRPC client does: raw tensor
// bytes only, and the same parameters set in the same order.
import { isDatatype } from '../datatypes';
import { TritonError, invalidArgument } from '../errors';
import { encodeTensor, fixedByteSize } from '../tensor';
import type { InferInput, InferOptions, ParameterValue, RequestedOutput, SharedMemoryRef } from '../types';

/** One InferParameter, exactly one member set (protobufjs writes any member that is present). */
export type InferParameterMessage =
  | { bool_param: boolean }
  | { int64_param: number | string }
  | { string_param: string }
  | { double_param: number }
  | { uint64_param: number | string };

export interface InputTensorMessage {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: Record<string, InferParameterMessage>;
}

export interface OutputTensorMessage {
  name: string;
  parameters?: Record<string, InferParameterMessage>;
}

/**
 * Plain object in protobufjs's message layout. Fields equal to their proto3 default are left out
 * rather than set, because protobufjs would otherwise write them and the bytes would differ from
 * what Python's protobuf sends.
 */
export interface InferRequestMessage {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, InferParameterMessage>;
  inputs: InputTensorMessage[];
  outputs?: OutputTensorMessage[];
  raw_input_contents?: Uint8Array[];
}

const RESERVED = new Set(['sequence_id', 'sequence_start', 'sequence_end', 'priority', 'timeout', 'headers', 'binary_data_output']);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

export interface StreamExtras {
  enableEmptyFinalResponse?: boolean;
}

/** Where: used to prefix error messages, e.g. "ModelInfer simple". */
export function buildInferRequest(
  model: string,
  inputs: readonly InferInput[],
  outputs: readonly RequestedOutput[] | undefined,
  options: (InferOptions & StreamExtras) | undefined,
  where: string,
): InferRequestMessage {
  if (typeof model !== 'string' || model === '') throw invalidArgument('model name must be a non-empty string', where);
  if (!Array.isArray(inputs)) throw invalidArgument('inputs must be an array', where);
  const message: InferRequestMessage = { model_name: model, inputs: [] };
  const version = versionString(options?.modelVersion, where);
  if (version !== '') message.model_version = version;
  if (options?.requestId !== undefined && options.requestId !== '') {
    if (typeof options.requestId !== 'string') throw invalidArgument('requestId must be a string', where);
    message.id = options.requestId;
  }

  const raw: Uint8Array[] = [];
  for (const input of inputs) {
    const { tensor, bytes } = inputTensor(input, where);
    message.inputs.push(tensor);
    if (bytes) raw.push(bytes);
  }
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) throw invalidArgument('outputs must be an array', where);
    message.outputs = outputs.map((o) => outputTensor(o, where));
  }

  const params = requestParameters(options, where);
  if (params) message.parameters = params;
  if (raw.length > 0) message.raw_input_contents = raw;
  return message;
}

function versionString(version: string | number | undefined, where: string): string {
  if (version === undefined || version === '') return '';
  const text = typeof version === 'number' ? String(version) : version;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw invalidArgument(`model version must be a non-negative integer, got '${String(version)}'`, where);
  }
  return text;
}

function requestParameters(options: (InferOptions & StreamExtras) | undefined, where: string): Record<string, InferParameterMessage> | undefined {
  if (!options) return undefined;
  const out: Record<string, InferParameterMessage> = {};
  const seq = options.sequenceId;
  if (seq !== undefined && seq !== 0 && seq !== 0n && seq !== '') {
    if (typeof seq === 'string') out.sequence_id = { string_param: seq };
    else out.sequence_id = { int64_param: sequenceIdBits(seq, where) };
    out.sequence_start = { bool_param: options.sequenceStart === true };
    out.sequence_end = { bool_param: options.sequenceEnd === true };
  }
  if (options.priority !== undefined && options.priority !== 0) {
    if (!Number.isSafeInteger(options.priority) || options.priority < 0) {
      throw invalidArgument(`priority must be a non-negative integer, got ${options.priority}`, where);
    }
    out.priority = { uint64_param: options.priority };
  }
  if (options.timeoutMicros !== undefined) {
    if (!Number.isSafeInteger(options.timeoutMicros) || options.timeoutMicros < 0) {
      throw invalidArgument(`timeout must be a non-negative integer number of microseconds, got ${options.timeoutMicros}`, where);
    }
    out.timeout = { int64_param: options.timeoutMicros };
  }
  for (const [key, value] of Object.entries(options.parameters ?? {})) {
    if (RESERVED.has(key) || key.startsWith('triton_')) {
      throw invalidArgument(`Parameter "${key}" is a reserved parameter and cannot be specified.`, where);
    }
    out[key] = parameterValue(key, value, where);
  }
  if (options.enableEmptyFinalResponse) out.triton_enable_empty_final_response = { bool_param: true };
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A correlation id is a uint64 on the server but travels in int64_param (the server refuses
 * uint64_param). Varints of a uint64 and of its two's-complement int64 are the same bytes, so ids
 * up to 2^64 − 1 arrive intact.
 */
function sequenceIdBits(seq: number | bigint, where: string): number | string {
  if (typeof seq === 'number') {
    if (!Number.isSafeInteger(seq) || seq < 0) throw invalidArgument(`sequence id must be a non-negative integer, got ${seq}`, where);
    return seq;
  }
  if (typeof seq !== 'bigint' || seq < 0n || seq > UINT64_MAX) {
    throw invalidArgument(`sequence id must be a string or an integer in [0, 2^64), got ${String(seq)}`, where);
  }
  return BigInt.asIntN(64, seq).toString();
}

/** Python's mapping: str → string, bool → bool, int → int64, float → double. */
export function parameterValue(key: string, value: ParameterValue, where: string): InferParameterMessage {
  switch (typeof value) {
    case 'string': return { string_param: value };
    case 'boolean': return { bool_param: value };
    case 'number':
      if (Number.isSafeInteger(value)) return { int64_param: value };
      return { double_param: value };
    case 'bigint':
      if (value >= INT64_MIN && value <= INT64_MAX) return { int64_param: value.toString() };
      if (value > INT64_MAX && value <= UINT64_MAX) return { uint64_param: value.toString() };
      throw invalidArgument(`parameter "${key}" (${value}) does not fit in 64 bits`, where);
    default:
      throw invalidArgument(`parameter "${key}" has unsupported type ${typeof value}`, where);
  }
}

function sharedMemoryParameters(ref: SharedMemoryRef, what: string, where: string): Record<string, InferParameterMessage> {
  if (typeof ref.region !== 'string' || ref.region === '') throw invalidArgument(`${what}: shared memory region name is empty`, where);
  if (!Number.isSafeInteger(ref.byteSize) || ref.byteSize < 0) throw invalidArgument(`${what}: shared memory byteSize must be a non-negative integer`, where);
  const offset = ref.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalidArgument(`${what}: shared memory offset must be a non-negative integer`, where);
  const out: Record<string, InferParameterMessage> = {
    shared_memory_region: { string_param: ref.region },
    shared_memory_byte_size: { int64_param: ref.byteSize },
  };
  if (offset !== 0) out.shared_memory_offset = { int64_param: offset };
  return out;
}

function inputTensor(input: InferInput, where: string): { tensor: InputTensorMessage; bytes?: Uint8Array } {
  if (!input || typeof input.name !== 'string' || input.name === '') throw invalidArgument('every input needs a name', where);
  const what = `input '${input.name}'`;
  if (!isDatatype(input.datatype)) throw invalidArgument(`${what}: unknown datatype '${String(input.datatype)}'`, where);
  if (!Array.isArray(input.shape)) throw invalidArgument(`${what}: shape must be an array`, where);
  const sources = Number(input.data !== undefined) + Number(input.raw !== undefined) + Number(input.sharedMemory !== undefined);
  if (sources !== 1) throw invalidArgument(`${what}: give exactly one of data, raw or sharedMemory`, where);

  const tensor: InputTensorMessage = { name: input.name, datatype: input.datatype, shape: input.shape.slice() };
  let params: Record<string, InferParameterMessage> | undefined;
  let bytes: Uint8Array | undefined;
  if (input.sharedMemory) {
    params = sharedMemoryParameters(input.sharedMemory, what, where);
    // The element count is still checked so a bad shape fails here, not on the server.
    fixedByteSize(input.datatype, input.shape, `${where} ${what}`);
  } else if (input.raw !== undefined) {
    if (!(input.raw instanceof Uint8Array)) throw invalidArgument(`${what}: raw must be a Uint8Array`, where);
    const expected = fixedByteSize(input.datatype, input.shape, `${where} ${what}`);
    if (expected !== undefined && expected !== input.raw.byteLength) {
      throw invalidArgument(`${what}: ${input.datatype} shape [${input.shape.join(',')}] needs ${expected} bytes, raw has ${input.raw.byteLength}`, where);
    }
    bytes = input.raw;
  } else {
    try {
      bytes = encodeTensor(input.datatype, input.data!, input.shape, `${where} ${what}`);
    } catch (e) {
      throw TritonError.from(e, where);
    }
  }
  for (const [key, value] of Object.entries(input.parameters ?? {})) {
    params ??= {};
    params[key] = parameterValue(key, value, where);
  }
  if (params) tensor.parameters = params;
  return bytes ? { tensor, bytes } : { tensor };
}

function outputTensor(output: RequestedOutput, where: string): OutputTensorMessage {
  if (!output || typeof output.name !== 'string' || output.name === '') throw invalidArgument('every requested output needs a name', where);
  const what = `output '${output.name}'`;
  const tensor: OutputTensorMessage = { name: output.name };
  const k = output.classCount ?? 0;
  if (!Number.isSafeInteger(k) || k < 0) throw invalidArgument(`${what}: classCount must be a non-negative integer`, where);
  if (k > 0 && output.sharedMemory) throw invalidArgument(`${what}: shared memory can't be set on classification output`, where);
  if (k > 0) tensor.parameters = { classification: { int64_param: k } };
  else if (output.sharedMemory) tensor.parameters = sharedMemoryParameters(output.sharedMemory, what, where);
  return tensor;
}
