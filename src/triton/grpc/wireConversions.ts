// Converts proto-loader objects (snake_case, 64-bit integers as strings) of the admin RPCs into the
// client's plain API types, and API arguments into request objects.
import { TritonError } from '../errors';
import type {
  BatchStatistics, CudaSharedMemoryStatus, InferStatistics, LogSettings, LogSettingsUpdate, MemoryUsage,
  ModelMetadata, ModelStatistics, RepositoryIndexEntry, ResponseStatistics, StatDuration,
  SystemSharedMemoryStatus, TensorMetadata, TraceSettings, TraceSettingsUpdate, Uint64,
} from '../types';

type Wire = Record<string, unknown>;

function obj(v: unknown): Wire {
  return v !== null && typeof v === 'object' ? (v as Wire) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A 64-bit counter from proto-loader's decimal string: a number while exact, a bigint beyond. */
export function uint64(v: unknown): Uint64 {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) return 0;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
}

function int(v: unknown, where: string, what: string): number {
  const n = uint64(v);
  if (typeof n !== 'number') throw new TritonError('protocol', `${what} ${String(v)} is out of range`, { request: where });
  return n;
}

function duration(v: unknown): StatDuration {
  const d = obj(v);
  return { count: uint64(d.count), ns: uint64(d.ns) };
}

export function modelMetadataFromWire(m: Wire, where: string): ModelMetadata {
  const tensor = (t: unknown): TensorMetadata => {
    const w = obj(t);
    return { name: str(w.name), datatype: str(w.datatype), shape: list(w.shape).map((d) => int(d, where, 'dimension')) };
  };
  return {
    name: str(m.name),
    versions: list(m.versions).map(str),
    platform: str(m.platform),
    inputs: list(m.inputs).map(tensor),
    outputs: list(m.outputs).map(tensor),
  };
}

export function repositoryIndexFromWire(m: Wire): RepositoryIndexEntry[] {
  return list(m.models).map((e) => {
    const w = obj(e);
    const entry: RepositoryIndexEntry = { name: str(w.name) };
    if (str(w.version)) entry.version = str(w.version);
    if (str(w.state)) entry.state = str(w.state);
    if (str(w.reason)) entry.reason = str(w.reason);
    return entry;
  });
}

export function statisticsFromWire(m: Wire, where: string): ModelStatistics[] {
  return list(m.model_stats).map((s) => {
    const w = obj(s);
    const inf = obj(w.inference_stats);
    const inference: InferStatistics = {
      success: duration(inf.success), fail: duration(inf.fail), queue: duration(inf.queue),
      compute_input: duration(inf.compute_input), compute_infer: duration(inf.compute_infer),
      compute_output: duration(inf.compute_output), cache_hit: duration(inf.cache_hit), cache_miss: duration(inf.cache_miss),
    };
    const responses: Record<string, ResponseStatistics> = {};
    for (const [key, value] of Object.entries(obj(w.response_stats))) {
      const r = obj(value);
      responses[key] = {
        compute_infer: duration(r.compute_infer), compute_output: duration(r.compute_output), success: duration(r.success),
        fail: duration(r.fail), empty_response: duration(r.empty_response), cancel: duration(r.cancel),
      };
    }
    const batches = list(w.batch_stats).map((b): BatchStatistics => {
      const x = obj(b);
      return {
        batch_size: uint64(x.batch_size), compute_input: duration(x.compute_input),
        compute_infer: duration(x.compute_infer), compute_output: duration(x.compute_output),
      };
    });
    const memory = list(w.memory_usage).map((u): MemoryUsage => {
      const x = obj(u);
      return { type: str(x.type), id: int(x.id, where, 'memory id'), byte_size: uint64(x.byte_size) };
    });
    return {
      name: str(w.name), version: str(w.version), last_inference: uint64(w.last_inference),
      inference_count: uint64(w.inference_count), execution_count: uint64(w.execution_count),
      inference_stats: inference, response_stats: responses, batch_stats: batches, memory_usage: memory,
    };
  });
}

export function systemRegionsFromWire(m: Wire): SystemSharedMemoryStatus[] {
  return Object.values(obj(m.regions)).map((r) => {
    const w = obj(r);
    return { name: str(w.name), key: str(w.key), offset: uint64(w.offset), byte_size: uint64(w.byte_size) };
  });
}

export function cudaRegionsFromWire(m: Wire): CudaSharedMemoryStatus[] {
  return Object.values(obj(m.regions)).map((r) => {
    const w = obj(r);
    return { name: str(w.name), device_id: uint64(w.device_id), byte_size: uint64(w.byte_size) };
  });
}

/** Every value arrives as a list; `trace_level` stays one, other keys become their single string. */
export function traceSettingsFromWire(m: Wire): TraceSettings {
  const out: TraceSettings = {};
  for (const [key, value] of Object.entries(obj(m.settings))) {
    const values = list(obj(value).value).map(str);
    out[key] = key === 'trace_level' || values.length > 1 ? values : (values[0] ?? '');
  }
  return out;
}

/** null clears a per-model setting, which the wire expresses as a key with no values. */
export function traceSettingsToWire(settings: TraceSettingsUpdate): Record<string, { value: string[] }> {
  const out: Record<string, { value: string[] }> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value === null || value === undefined) out[key] = { value: [] };
    else if (Array.isArray(value)) out[key] = { value: value.map(String) };
    else out[key] = { value: [String(value)] };
  }
  return out;
}

type LogValue = { bool_param: boolean } | { uint32_param: number } | { string_param: string };

/** Kinds as Triton checks them: file and format strings, verbose level uint32, the rest booleans. */
export function logSettingsToWire(settings: LogSettingsUpdate, where: string): Record<string, LogValue> {
  const out: Record<string, LogValue> = {};
  for (const [key, value] of Object.entries(settings) as [string, unknown][]) {
    if (value === undefined) continue;
    if (key === 'log_file' || key === 'log_format') out[key] = { string_param: String(value) };
    else if (key === 'log_verbose_level') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new TritonError('invalid-argument', `log_verbose_level must be a non-negative integer, got ${String(value)}`, { request: where });
      }
      out[key] = { uint32_param: value };
    } else {
      if (typeof value !== 'boolean') throw new TritonError('invalid-argument', `${key} must be a boolean`, { request: where });
      out[key] = { bool_param: value };
    }
  }
  return out;
}

export function logSettingsFromWire(m: Wire): LogSettings {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj(m.settings))) {
    const w = obj(value);
    const choice = str(w.parameter_choice);
    values[key] = choice ? w[choice] : undefined;
  }
  return {
    log_file: str(values.log_file),
    log_info: values.log_info === true,
    log_warning: values.log_warning === true,
    log_error: values.log_error === true,
    log_verbose_level: typeof values.log_verbose_level === 'number' ? values.log_verbose_level : 0,
    log_format: str(values.log_format),
  };
}
