// The HTTP statistics answer checked field by field and filled to the same shape the gRPC transport gives.
import { TritonError } from '../errors';
import type {
  BatchStatistics, InferStatistics, MemoryUsage, ModelStatistics, ResponseStatistics, StatDuration, Uint64,
} from '../types';
import { expectArray, expectObject } from './answers';

const INFER_DURATIONS = ['success', 'fail', 'queue', 'compute_input', 'compute_infer', 'compute_output', 'cache_hit', 'cache_miss'] as const;
const RESPONSE_DURATIONS = ['compute_infer', 'compute_output', 'success', 'fail', 'empty_response', 'cancel'] as const;
const BATCH_DURATIONS = ['compute_input', 'compute_infer', 'compute_output'] as const;

type Obj = Record<string, unknown>;

// Like proto3 over gRPC, a field the server leaves out is its zero value; a field of the wrong type is an error.
class Reader {
  constructor(private readonly request: string) {}

  fail(what: string, key: string, problem: string): never {
    throw new TritonError('protocol', `${what} '${key}' ${problem}`, { request: this.request });
  }

  object(value: unknown, what: string): Obj {
    return expectObject(value, what, this.request);
  }

  optionalObject(obj: Obj, key: string, what: string): Obj {
    const v = obj[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(what, key, 'is not a JSON object');
    return v as Obj;
  }

  list(obj: Obj, key: string, what: string): unknown[] {
    const v = obj[key];
    return v === undefined || v === null ? [] : expectArray(v, `${what} '${key}'`, this.request);
  }

  string(obj: Obj, key: string, what: string): string {
    const v = obj[key] ?? '';
    if (typeof v !== 'string') this.fail(what, key, 'is not a string');
    return v;
  }

  counter(obj: Obj, key: string, what: string): Uint64 {
    const v = obj[key] ?? 0;
    if (typeof v === 'bigint' && v >= 0n) return v;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    return this.fail(what, key, 'is not a non-negative integer');
  }

  duration(obj: Obj, key: string, what: string): StatDuration {
    const d = this.optionalObject(obj, key, what);
    const where = `${what} '${key}'`;
    return { count: this.counter(d, 'count', where), ns: this.counter(d, 'ns', where) };
  }

  durations<K extends string>(obj: Obj, keys: readonly K[], what: string): Record<K, StatDuration> {
    const out = {} as Record<K, StatDuration>;
    for (const key of keys) out[key] = this.duration(obj, key, what);
    return out;
  }
}

function entry(r: Reader, value: unknown, what: string): ModelStatistics {
  const s = r.object(value, what);
  if (typeof s.name !== 'string') r.fail(what, 'name', 'is not a string');
  const inference: InferStatistics = r.durations(r.optionalObject(s, 'inference_stats', what), INFER_DURATIONS, `${what} inference_stats`);
  const responses: Record<string, ResponseStatistics> = {};
  for (const [key, v] of Object.entries(r.optionalObject(s, 'response_stats', what))) {
    responses[key] = r.durations(r.object(v, `${what} response_stats '${key}'`), RESPONSE_DURATIONS, `${what} response_stats '${key}'`);
  }
  const batches = r.list(s, 'batch_stats', what).map((b, i): BatchStatistics => {
    const where = `${what} batch_stats[${i}]`;
    const o = r.object(b, where);
    return { batch_size: r.counter(o, 'batch_size', where), ...r.durations(o, BATCH_DURATIONS, where) };
  });
  const memory = r.list(s, 'memory_usage', what).map((u, i): MemoryUsage => {
    const where = `${what} memory_usage[${i}]`;
    const o = r.object(u, where);
    const id = o.id ?? 0;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) r.fail(where, 'id', 'is not an integer');
    return { type: r.string(o, 'type', where), id, byte_size: r.counter(o, 'byte_size', where) };
  });
  return {
    name: s.name, version: r.string(s, 'version', what),
    last_inference: r.counter(s, 'last_inference', what), inference_count: r.counter(s, 'inference_count', what),
    execution_count: r.counter(s, 'execution_count', what),
    inference_stats: inference, response_stats: responses, batch_stats: batches, memory_usage: memory,
  };
}

/** `model_stats` of a statistics answer; a protocol error names the first field of the wrong type. */
export function toModelStatistics(doc: unknown, request: string): ModelStatistics[] {
  const r = new Reader(request);
  const stats = expectObject(doc, 'statistics', request).model_stats ?? [];
  return expectArray(stats, "statistics 'model_stats'", request).map((s, i) => entry(r, s, `statistics model_stats[${i}]`));
}
