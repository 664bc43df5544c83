// Builds HTTP infer request bodies: compact JSON header + binary chunks, byte-identical to tritonclient.http.
import { datatypeInfo, isDatatype } from '../datatypes';
import { TritonError } from '../errors';
import { elementCount, encodeTensor, fixedByteSize } from '../tensor';
import type { InferInput, InferOptions, ParameterValue, RequestedOutput, SharedMemoryRef, TensorData, TritonDatatype } from '../types';
import { jsonScalar, jsonString } from './jsonText';

export interface InferBody {
  /** The JSON header text (pure ASCII). */
  json: string;
  /** JSON header followed by the binary chunks, in input order. */
  chunks: Uint8Array[];
  /** Total byte length of all chunks. */
  byteLength: number;
  /** Set when at least one input travels as binary: the Inference-Header-Content-Length value. */
  headerLength?: number;
}

/** Request parameter names Triton reserves (http-protocol.md §16). */
const RESERVED_PARAMETERS = new Set(['sequence_id', 'sequence_start', 'sequence_end', 'priority', 'timeout', 'headers', 'binary_data_output']);

export function buildInferBody(
  inputs: readonly InferInput[],
  outputs: readonly RequestedOutput[] | undefined,
  options: InferOptions = {},
  where?: string,
): InferBody {
  if (!Array.isArray(inputs)) throw new TritonError('invalid-argument', 'inputs must be an array', { request: where });
  const binaryDefault = options.binaryData ?? true;
  const chunks: Uint8Array[] = [new Uint8Array(0)];
  let binaryBytes = 0;
  let hasBinary = false;

  let json = '{';
  if (options.requestId !== undefined && options.requestId !== '') {
    if (typeof options.requestId !== 'string') throw new TritonError('invalid-argument', 'requestId must be a string', { request: where });
    json += `"id":${jsonString(options.requestId)},`;
  }
  json += '"inputs":[';
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const part = inputJson(input, binaryDefault, where);
    if (i > 0) json += ',';
    json += part.json;
    if (part.chunk !== undefined) {
      chunks.push(part.chunk);
      binaryBytes += part.chunk.byteLength;
      hasBinary = true;
    }
  }
  json += ']';
  if (outputs !== undefined && outputs.length > 0) {
    json += ',"outputs":[';
    for (let i = 0; i < outputs.length; i++) {
      if (i > 0) json += ',';
      json += outputJson(outputs[i]!, binaryDefault, where);
    }
    json += ']';
  }
  const parameters = requestParameters(options, outputs === undefined || outputs.length === 0, binaryDefault, where);
  if (parameters !== '') json += `,"parameters":{${parameters}}`;
  json += '}';

  // Every escape above keeps the text ASCII, so string length is the byte length.
  const header = Buffer.from(json, 'latin1');
  chunks[0] = header;
  return { json, chunks, byteLength: header.byteLength + binaryBytes, headerLength: hasBinary ? header.byteLength : undefined };
}

function requestParameters(options: InferOptions, noOutputs: boolean, binaryDefault: boolean, where?: string): string {
  const parts: string[] = [];
  const seq = options.sequenceId;
  if (seq !== undefined && seq !== 0 && seq !== 0n && seq !== '') {
    if (typeof seq === 'number' && (!Number.isSafeInteger(seq) || seq < 0)) {
      throw new TritonError('invalid-argument', `sequenceId ${seq} must be a non-negative integer (or a bigint / string)`, { request: where });
    }
    if (typeof seq === 'bigint' && (seq < 0n || seq >= 2n ** 64n)) {
      throw new TritonError('invalid-argument', `sequenceId ${seq} does not fit an unsigned 64-bit integer`, { request: where });
    }
    parts.push(`"sequence_id":${jsonScalar(seq)}`, `"sequence_start":${options.sequenceStart ? 'true' : 'false'}`, `"sequence_end":${options.sequenceEnd ? 'true' : 'false'}`);
  }
  if (options.priority !== undefined && options.priority !== 0) {
    parts.push(`"priority":${unsignedInteger(options.priority, 'priority', where)}`);
  }
  if (options.timeoutMicros !== undefined) {
    parts.push(`"timeout":${unsignedInteger(options.timeoutMicros, 'timeoutMicros', where)}`);
  }
  // Without listed outputs every output is returned; binary unless the caller asked for JSON.
  if (noOutputs && binaryDefault) parts.push('"binary_data_output":true');
  if (options.parameters !== undefined) {
    for (const [key, value] of Object.entries(options.parameters)) {
      if (RESERVED_PARAMETERS.has(key) || key.startsWith('triton_')) {
        throw new TritonError('invalid-argument', `parameter '${key}' is reserved by Triton and cannot be set`, { request: where });
      }
      parts.push(`${jsonString(key)}:${parameterValue(key, value, where)}`);
    }
  }
  return parts.join(',');
}

function parameterValue(key: string, value: ParameterValue, where?: string): string {
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return jsonScalar(value);
  // Integers as integers, other numbers as Python floats, as the Python client would send int/float values.
  if (typeof value === 'number' && Number.isFinite(value)) return Number.isInteger(value) ? BigInt(value).toString() : jsonDouble(value);
  throw new TritonError('invalid-argument', `parameter '${key}' must be a string, a finite number, a boolean or a bigint`, { request: where });
}

function unsignedInteger(value: number, what: string, where?: string): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TritonError('invalid-argument', `${what} must be a non-negative integer, got ${String(value)}`, { request: where });
  }
  return String(value);
}

function shmParameters(ref: SharedMemoryRef, what: string, where?: string): string {
  if (typeof ref.region !== 'string' || ref.region === '') throw new TritonError('invalid-argument', `${what}: shared-memory region name is empty`, { request: where });
  let out = `"shared_memory_region":${jsonString(ref.region)},"shared_memory_byte_size":${unsignedInteger(ref.byteSize, `${what} byteSize`, where)}`;
  if (ref.offset !== undefined && ref.offset !== 0) out += `,"shared_memory_offset":${unsignedInteger(ref.offset, `${what} offset`, where)}`;
  return out;
}

function extraParameters(params: Record<string, string | number | boolean> | undefined, where?: string): string {
  if (params === undefined) return '';
  let out = '';
  for (const [key, value] of Object.entries(params)) out += `,${jsonString(key)}:${parameterValue(key, value, where)}`;
  return out;
}

function inputJson(input: InferInput, binaryDefault: boolean, where?: string): { json: string; chunk?: Uint8Array } {
  if (input === null || typeof input !== 'object') throw new TritonError('invalid-argument', 'each input must be an object', { request: where });
  const what = `input '${String(input.name)}'`;
  if (typeof input.name !== 'string' || input.name === '') throw new TritonError('invalid-argument', 'an input has no name', { request: where });
  if (!isDatatype(input.datatype)) throw new TritonError('invalid-argument', `${what}: unknown datatype '${String(input.datatype)}'`, { request: where });
  const inWhere = where ? `${where} ${what}` : what;
  elementCount(input.shape, inWhere);
  const sources = Number(input.data !== undefined) + Number(input.raw !== undefined) + Number(input.sharedMemory !== undefined);
  if (sources !== 1) {
    throw new TritonError('invalid-argument', `${what} must give exactly one of data, raw or sharedMemory`, { request: where });
  }
  let json = `{"name":${jsonString(input.name)},"shape":[${input.shape.join(',')}],"datatype":"${input.datatype}"`;
  if (input.sharedMemory !== undefined) {
    json += `,"parameters":{${shmParameters(input.sharedMemory, what, where)}${extraParameters(input.parameters, where)}}}`;
    return { json };
  }
  if (input.raw !== undefined) {
    if (!(input.raw instanceof Uint8Array)) throw new TritonError('invalid-argument', `${what}: raw must be a Uint8Array`, { request: where });
    const expected = fixedByteSize(input.datatype, input.shape, inWhere);
    if (expected !== undefined && expected !== input.raw.byteLength) {
      throw new TritonError('invalid-argument', `${what}: raw data is ${input.raw.byteLength} bytes but shape [${input.shape.join(',')}] of ${input.datatype} needs ${expected}`, { request: where });
    }
    json += `,"parameters":{"binary_data_size":${input.raw.byteLength}${extraParameters(input.parameters, where)}}}`;
    return { json, chunk: input.raw };
  }
  if (input.binary ?? binaryDefault) {
    const chunk = encodeTensor(input.datatype, input.data!, input.shape, inWhere);
    json += `,"parameters":{"binary_data_size":${chunk.byteLength}${extraParameters(input.parameters, where)}}}`;
    return { json, chunk };
  }
  if (input.parameters !== undefined && Object.keys(input.parameters).length > 0) {
    json += `,"parameters":{${extraParameters(input.parameters, where).slice(1)}}`;
  }
  json += `,"data":${tensorJson(input.datatype, input.data!, input.shape, inWhere)}}`;
  return { json };
}

function outputJson(output: RequestedOutput, binaryDefault: boolean, where?: string): string {
  if (output === null || typeof output !== 'object' || typeof output.name !== 'string' || output.name === '') {
    throw new TritonError('invalid-argument', 'each requested output needs a name', { request: where });
  }
  const what = `output '${output.name}'`;
  let params = '';
  const k = output.classCount ?? 0;
  if (k !== 0) params += `"classification":${unsignedInteger(k, `${what} classCount`, where)},`;
  if (output.sharedMemory !== undefined) {
    if (k !== 0) throw new TritonError('invalid-argument', `${what}: shared memory cannot be combined with classification`, { request: where });
    params += `"binary_data":false,${shmParameters(output.sharedMemory, what, where)}`;
  } else {
    params += `"binary_data":${output.binary ?? binaryDefault ? 'true' : 'false'}`;
  }
  return `{"name":${jsonString(output.name)},"parameters":{${params}}}`;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** JSON `data` text of a tensor, flat (as the Python client sends it). */
export function tensorJson(datatype: TritonDatatype, data: TensorData, shape: readonly number[], where?: string): string {
  const info = datatypeInfo(datatype);
  if (!info.json) throw new TritonError('invalid-argument', `${datatype} data must be sent as binary over HTTP`, { request: where });
  // Encoding first validates the values and the element count against the shape, with clear errors.
  if (datatype === 'BYTES') {
    encodeTensor(datatype, data, shape, where);
    const parts = (data as (string | Uint8Array)[]).map((element, i) => {
      if (typeof element === 'string') return jsonString(element);
      try {
        return jsonString(utf8Strict.decode(element));
      } catch {
        throw new TritonError('invalid-argument', `BYTES element ${i} is not valid UTF-8; send it as binary`, { request: where });
      }
    });
    return `[${parts.join(',')}]`;
  }
  // encodeTensor validates and converts; for a matching typed array it is a view, so this costs no copy.
  const values = decodeForJson(datatype, encodeTensor(datatype, data, shape, where), elementCount(shape, where));
  if (datatype === 'BOOL') {
    return `[${(values as boolean[]).map((b) => (b ? 'true' : 'false')).join(',')}]`;
  }
  if (datatype === 'FP32' || datatype === 'FP64') {
    const arr = values as ArrayLike<number>;
    let out = '[';
    for (let i = 0; i < arr.length; i++) out += (i > 0 ? ',' : '') + jsonDouble(arr[i]!);
    return `${out}]`;
  }
  return `[${Array.prototype.join.call(values, ',')}]`;
}

/**
 * A float as the Python client sends it: numpy floats become Python floats, which python-rapidjson
 * writes like Python's repr() — shortest round-trip digits, fixed notation with a ".0" for integral
 * values when the decimal exponent is in [-4, 16), otherwise "1.5e+16" / "1e-05" (signed, 2+ digits).
 */
export function jsonDouble(value: number): string {
  if (!Number.isFinite(value)) return jsonScalar(value);
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that read back to the same double.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent >= 16 || exponent < -4) {
    const abs = Math.abs(exponent);
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${rest}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

function decodeForJson(datatype: TritonDatatype, bytes: Uint8Array, count: number): ArrayLike<unknown> {
  if (datatype === 'BOOL') return Array.from(bytes, (b) => b !== 0);
  const Ctor = datatypeInfo(datatype).array!;
  const aligned = bytes.byteOffset % datatypeInfo(datatype).size === 0 ? bytes : new Uint8Array(bytes);
  return new Ctor(aligned.buffer as ArrayBuffer, aligned.byteOffset, count);
}
