// Model statistics as a readable markdown report: counts, average queue and compute times, per batch size.
import { TritonError } from '../triton/errors';
import type { ModelStatistics, StatDuration, Uint64 } from '../triton/types';

function num(v: Uint64 | undefined): number {
  return v === undefined ? 0 : typeof v === 'bigint' ? Number(v) : v;
}

/** Average of a duration counter in a human unit; "—" when nothing was counted. */
export function averageOf(d: StatDuration | undefined): string {
  const count = num(d?.count);
  if (count === 0) return '—';
  return formatNs(num(d?.ns) / count);
}

export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(2)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

type Path = string;

function fail(path: Path, what: string): never {
  throw new TritonError('protocol', `the statistics answer is malformed: ${path} ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkCounter(v: unknown, path: Path): void {
  if (v === undefined) return;
  if (typeof v === 'bigint' ? v < 0n : typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(path, `is ${describe(v)}, not a non-negative number`);
}

function checkDuration(v: unknown, path: Path): void {
  if (v === undefined) return;
  if (!isObject(v)) fail(path, `is ${describe(v)}, not an object with count and ns`);
  checkCounter(v.count, `${path}.count`);
  checkCounter(v.ns, `${path}.ns`);
}

const inferKeys = ['success', 'fail', 'queue', 'compute_input', 'compute_infer', 'compute_output', 'cache_hit', 'cache_miss'];
const batchKeys = ['compute_input', 'compute_infer', 'compute_output'];
const responseKeys = ['compute_infer', 'compute_output', 'success', 'fail', 'empty_response', 'cancel'];

/** Checks the durations the report reads; fields it does not read are left to newer servers. */
function checkDurations(v: unknown, path: Path, keys: readonly string[]): void {
  if (v === undefined) return;
  if (!isObject(v)) fail(path, `is ${describe(v)}, not an object`);
  for (const k of keys) checkDuration(v[k], `${path}.${k}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Checks the shape of a statistics answer before it is read, so a broken or hostile server gives a
 * protocol error naming the field instead of a TypeError from deep inside the report.
 */
export function checkStatistics(stats: unknown): ModelStatistics[] {
  if (!Array.isArray(stats)) fail('model_stats', `is ${describe(stats)}, not a list`);
  stats.forEach((s: unknown, i) => {
    const at = `model_stats[${i}]`;
    if (!isObject(s)) fail(at, `is ${describe(s)}, not an object`);
    if (typeof s.version !== 'string') fail(`${at}.version`, `is ${describe(s.version)}, not a string`);
    for (const k of ['last_inference', 'inference_count', 'execution_count']) checkCounter(s[k], `${at}.${k}`);
    checkDurations(s.inference_stats, `${at}.inference_stats`, inferKeys);
    if (s.batch_stats !== undefined) {
      if (!Array.isArray(s.batch_stats)) fail(`${at}.batch_stats`, `is ${describe(s.batch_stats)}, not a list`);
      s.batch_stats.forEach((b: unknown, j) => {
        checkDurations(b, `${at}.batch_stats[${j}]`, batchKeys);
        checkCounter((b as Record<string, unknown>).batch_size, `${at}.batch_stats[${j}].batch_size`);
      });
    }
    if (s.response_stats !== undefined) {
      if (!isObject(s.response_stats)) fail(`${at}.response_stats`, `is ${describe(s.response_stats)}, not an object`);
      for (const [k, r] of Object.entries(s.response_stats)) checkDurations(r, `${at}.response_stats.${k}`, responseKeys);
    }
    if (s.memory_usage !== undefined) {
      if (!Array.isArray(s.memory_usage)) fail(`${at}.memory_usage`, `is ${describe(s.memory_usage)}, not a list`);
      s.memory_usage.forEach((m: unknown, j) => {
        const mp = `${at}.memory_usage[${j}]`;
        if (!isObject(m)) fail(mp, `is ${describe(m)}, not an object`);
        if (typeof m.type !== 'string') fail(`${mp}.type`, `is ${describe(m.type)}, not a string`);
        checkCounter(m.id, `${mp}.id`);
        checkCounter(m.byte_size, `${mp}.byte_size`);
      });
    }
  });
  return stats as ModelStatistics[];
}

/** Milliseconds since the epoch as ISO text; a value no Date can hold is shown as the raw number. */
function timeOf(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} (not a valid time)`;
}

export function statisticsMarkdown(model: string, serverName: string, answer: readonly ModelStatistics[], now: Date = new Date()): string {
  const stats = checkStatistics(answer);
  const out = [`# Statistics of ${cell(model)} on ${cell(serverName)}`, '', `Read at ${now.toISOString()}.`, ''];
  if (stats.length === 0) {
    out.push('No statistics: the model has no loaded version.');
    return out.join('\n') + '\n';
  }
  for (const s of [...stats].sort((a, b) => Number(b.version) - Number(a.version))) {
    const i = s.inference_stats;
    const last = num(s.last_inference);
    out.push(`## Version ${cell(s.version)}`, '');
    out.push('| | |', '|---|---|');
    out.push(`| Inferences (batch elements) | ${num(s.inference_count)} |`);
    out.push(`| Executions | ${num(s.execution_count)} |`);
    out.push(`| Successful requests | ${num(i?.success?.count)} (avg ${averageOf(i?.success)}) |`);
    out.push(`| Failed requests | ${num(i?.fail?.count)} |`);
    out.push(`| Average queue time | ${averageOf(i?.queue)} |`);
    out.push(`| Average compute input | ${averageOf(i?.compute_input)} |`);
    out.push(`| Average compute infer | ${averageOf(i?.compute_infer)} |`);
    out.push(`| Average compute output | ${averageOf(i?.compute_output)} |`);
    if (num(i?.cache_hit?.count) + num(i?.cache_miss?.count) > 0) out.push(`| Cache hits / misses | ${num(i?.cache_hit?.count)} / ${num(i?.cache_miss?.count)} |`);
    out.push(`| Last inference | ${last === 0 ? 'never' : timeOf(last)} |`, '');
    const batches = [...(s.batch_stats ?? [])].sort((a, b) => num(a.batch_size) - num(b.batch_size));
    if (batches.length > 0) {
      out.push('### Per batch size', '', '| Batch size | Executions | Avg compute input | Avg compute infer | Avg compute output |', '|---:|---:|---:|---:|---:|');
      for (const b of batches) {
        out.push(`| ${num(b.batch_size)} | ${num(b.compute_infer?.count)} | ${averageOf(b.compute_input)} | ${averageOf(b.compute_infer)} | ${averageOf(b.compute_output)} |`);
      }
      out.push('');
    }
    const responses = Object.entries(s.response_stats ?? {});
    if (responses.length > 0) {
      out.push('### Per response (decoupled)', '', '| Response | Successes | Failures | Empty | Cancelled | Avg compute infer |', '|---:|---:|---:|---:|---:|---:|');
      for (const [k, r] of responses.sort((a, b) => Number(a[0]) - Number(b[0]))) {
        out.push(`| ${cell(k)} | ${num(r.success?.count)} | ${num(r.fail?.count)} | ${num(r.empty_response?.count)} | ${num(r.cancel?.count)} | ${averageOf(r.compute_infer)} |`);
      }
      out.push('');
    }
    if ((s.memory_usage ?? []).length > 0) {
      out.push('### Memory', '', ...s.memory_usage.map((m) => `- ${cell(m.type)} ${m.id}: ${num(m.byte_size)} bytes`), '');
    }
  }
  return out.join('\n');
}
