// Reads a decoded ModelInferResponse into an InferResult, checking every raw output against the
// shape and datatype the server states.
import { bytesToStrings } from '../bytesCodec';
import { isDatatype } from '../datatypes';
import { TritonError } from '../errors';
import { requireRequestedOutputs } from '../outputs';
import { decodeTensor, elementCountOfAnswer } from '../tensor';
import { hasContents, tensorFromContents } from './tensorContents';
import type { TensorContentsWire } from './tensorContents';
import type { ClassificationEntry, InferResult, OutputTensor, ParameterValue, RequestedOutput, SharedMemoryRef } from '../types';

/** What protobufjs decodes an int64/uint64 into: a number, or a Long when the value is large. */
interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}

type Int64Value = number | LongLike;

export interface InferParameterWire {
  bool_param?: boolean;
  int64_param?: Int64Value;
  string_param?: string;
  double_param?: number;
  uint64_param?: Int64Value;
  parameter_choice?: string;
}

export interface OutputTensorWire {
  name: string;
  datatype: string;
  shape: Int64Value[];
  parameters?: Record<string, InferParameterWire>;
  contents?: TensorContentsWire | null;
}

export interface InferResponseWire {
  model_name: string;
  model_version: string;
  id: string;
  parameters?: Record<string, InferParameterWire>;
  outputs: OutputTensorWire[];
  raw_output_contents: Uint8Array[];
}

/** A 64-bit wire integer as a number when exact, else a bigint. */
export function int64Value(v: Int64Value, unsigned: boolean): number | bigint {
  if (typeof v === 'number') return v;
  if (v.high === 0) return v.low >>> 0;
  if (!unsigned && v.high === -1 && v.low < 0) return v.low;
  const big = unsigned ? (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0) : (BigInt(v.high | 0) << 32n) | BigInt(v.low >>> 0);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** The value of whichever member of the oneof is set; undefined for an empty parameter. */
export function parameterFromWire(p: InferParameterWire): ParameterValue | undefined {
  switch (p.parameter_choice) {
    case 'bool_param': return p.bool_param === true;
    case 'int64_param': return int64Value(p.int64_param ?? 0, false);
    case 'string_param': return p.string_param ?? '';
    case 'double_param': return p.double_param ?? 0;
    case 'uint64_param': return int64Value(p.uint64_param ?? 0, true);
    default: return undefined;
  }
}

export function parametersFromWire(map: Record<string, InferParameterWire> | undefined): Record<string, ParameterValue> | undefined {
  if (!map) return undefined;
  let out: Record<string, ParameterValue> | undefined;
  for (const key of Object.keys(map)) {
    const value = parameterFromWire(map[key]!);
    if (value === undefined) continue;
    out ??= {};
    out[key] = value;
  }
  return out;
}

function shapeFromWire(shape: Int64Value[], where: string): number[] {
  const out = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const v = int64Value(shape[i]!, false);
    if (typeof v !== 'number' || v < 0) throw new TritonError('protocol', `output shape has an invalid dimension ${String(v)}`, { request: where });
    out[i] = v;
  }
  return out;
}

/** "score:index[:label]" as Triton formats top-k classification strings. */
export function parseClassification(entries: readonly Uint8Array[], where: string): ClassificationEntry[] {
  return bytesToStrings(entries).map((text) => {
    const first = text.indexOf(':');
    const second = first < 0 ? -1 : text.indexOf(':', first + 1);
    const scoreText = first < 0 ? text : text.slice(0, first);
    const indexText = first < 0 ? '' : second < 0 ? text.slice(first + 1) : text.slice(first + 1, second);
    const score = Number(scoreText);
    const index = Number(indexText);
    if (scoreText === '' || !Number.isFinite(score) || indexText === '' || !Number.isInteger(index)) {
      throw new TritonError('protocol', `classification entry '${text}' is not 'score:index[:label]'`, { request: where });
    }
    const entry: ClassificationEntry = { score, index };
    if (second >= 0) entry.label = text.slice(second + 1);
    return entry;
  });
}

/**
 * `requested` tells which outputs went to shared memory and which are classifications. Outputs are
 * matched to raw entries by index, as the server allocates them; a count mismatch or a raw entry
 * whose size disagrees with the shape is a protocol error, never an out-of-bounds read.
 */
export function inferResultFromWire(response: InferResponseWire, requested: readonly RequestedOutput[] | undefined, where: string): InferResult {
  const byName = new Map<string, RequestedOutput>();
  for (const r of requested ?? []) byName.set(r.name, r);
  const raw = response.raw_output_contents ?? [];
  const wireOutputs = response.outputs ?? [];
  if (raw.length !== 0 && raw.length !== wireOutputs.length) {
    throw new TritonError('protocol', `response has ${wireOutputs.length} output(s) but ${raw.length} raw_output_contents entries`, { request: where });
  }
  const outputs: OutputTensor[] = new Array<OutputTensor>(wireOutputs.length);
  for (let i = 0; i < wireOutputs.length; i++) {
    const wire = wireOutputs[i]!;
    const at = `${where} output '${wire.name}'`;
    if (!isDatatype(wire.datatype)) throw new TritonError('protocol', `unknown datatype '${wire.datatype}'`, { request: at });
    const shape = shapeFromWire(wire.shape ?? [], at);
    const out: OutputTensor = { name: wire.name, datatype: wire.datatype, shape };
    const params = parametersFromWire(wire.parameters);
    if (params) out.parameters = params;
    const req = byName.get(wire.name);
    const shm = sharedMemoryOf(req, params);
    if (shm) {
      out.sharedMemory = shm;
    } else {
      const bytes = raw[i];
      if (bytes === undefined && hasContents(wire.contents)) {
        out.data = tensorFromContents(wire.datatype, wire.contents, shape, at);
      } else if (bytes === undefined) {
        if (elementCountOfAnswer(shape, at) !== 0) throw new TritonError('protocol', 'no raw_output_contents entry for this output', { request: at });
        out.data = decodeTensor(wire.datatype, new Uint8Array(0), shape, at);
      } else {
        // A plain Uint8Array view: decodeTensor copies misaligned data with slice(), which on a
        // Buffer would be another view and fail for 8-byte types.
        out.data = decodeTensor(wire.datatype, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), shape, at);
      }
      if (req?.classCount && wire.datatype === 'BYTES') out.classification = parseClassification(out.data as Uint8Array[], at);
    }
    outputs[i] = out;
  }
  const result: InferResult = { modelName: response.model_name, modelVersion: response.model_version, outputs };
  if (response.id) result.id = response.id;
  const params = parametersFromWire(response.parameters);
  if (params) result.parameters = params;
  return result;
}

/** A unary answer must carry every output the request named (a stream response may carry none). */
export function unaryResult(response: InferResponseWire, requested: readonly RequestedOutput[] | undefined, where: string): InferResult {
  const result = inferResultFromWire(response, requested, where);
  requireRequestedOutputs(result, requested, where);
  return result;
}

function sharedMemoryOf(req: RequestedOutput | undefined, params: Record<string, ParameterValue> | undefined): SharedMemoryRef | undefined {
  if (req?.sharedMemory) return { ...req.sharedMemory };
  const region = params?.shared_memory_region;
  if (typeof region !== 'string') return undefined;
  const size = params?.shared_memory_byte_size;
  const offset = params?.shared_memory_offset;
  const ref: SharedMemoryRef = { region, byteSize: typeof size === 'number' ? size : 0 };
  if (typeof offset === 'number' && offset !== 0) ref.offset = offset;
  return ref;
}
