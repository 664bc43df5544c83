// Figures of a load test: latency percentiles, the server-side time split from two statistics
// snapshots, and the perf_analyzer command line that runs the same load.
import type { TritonClient } from '../triton/clientTypes';
import type { ModelStatistics, StatDuration } from '../triton/types';
import type { LatencySummary, LoadPlan, ServerTimes } from './loadTestTypes';
import { shellQuote } from './curlRequest';

/** Nearest-rank percentile of ascending values (p in 0..1); NaN when empty. */
export function percentileOf(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p50Ms: percentileOf(sorted, 0.5), p90Ms: percentileOf(sorted, 0.9), p99Ms: percentileOf(sorted, 0.99),
    meanMs: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

type TimedField = 'success' | 'fail' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output';
const FIELDS: readonly TimedField[] = ['success', 'fail', 'queue', 'compute_input', 'compute_infer', 'compute_output'];

function totals(stats: readonly ModelStatistics[]): Record<TimedField, { count: number; ns: number }> {
  const out = Object.fromEntries(FIELDS.map((f) => [f, { count: 0, ns: 0 }])) as Record<TimedField, { count: number; ns: number }>;
  for (const entry of stats) {
    for (const field of FIELDS) {
      const d: StatDuration | undefined = entry.inference_stats?.[field];
      if (d === undefined) continue;
      out[field].count += Number(d.count);
      out[field].ns += Number(d.ns);
    }
  }
  return out;
}

/** What the server spent on the run: the difference of the model's statistics after and before. */
export function serverTimesBetween(before: readonly ModelStatistics[], after: readonly ModelStatistics[]): ServerTimes {
  const a = totals(before);
  const b = totals(after);
  const delta = (f: TimedField): { count: number; ns: number } => ({ count: b[f].count - a[f].count, ns: b[f].ns - a[f].ns });
  const success = delta('success');
  const perRequestUs = (f: TimedField): number => {
    const d = delta(f);
    return d.count > 0 ? d.ns / d.count / 1000 : Number.NaN;
  };
  return {
    requests: success.count, failed: delta('fail').count,
    queueUs: perRequestUs('queue'), computeInputUs: perRequestUs('compute_input'),
    computeInferUs: perRequestUs('compute_infer'), computeOutputUs: perRequestUs('compute_output'),
  };
}

export interface PerfAnalyzerLoad {
  model: string;
  version?: string;
  /** host:port; a scheme in front is dropped. */
  url: string;
  protocol: 'http' | 'grpc';
  /** Concurrency levels of a sweep, or one request rate. */
  concurrency?: readonly number[];
  requestRate?: number;
  /** Length of one measurement window, ms. */
  measurementMs: number;
  /** The `--input-data` JSON file written next to the command, when the payload is exported too. */
  inputDataFile?: string;
  /** Batch size for `-b` when the model batches. */
  batchSize?: number;
}

/** `start:end:step` when the levels are evenly spaced, else undefined. */
function evenRange(levels: readonly number[]): string | undefined {
  if (levels.length === 1) return String(levels[0]);
  const step = levels[1]! - levels[0]!;
  if (step <= 0 || levels.some((v, i) => i > 0 && v - levels[i - 1]! !== step)) return undefined;
  return `${levels[0]}:${levels[levels.length - 1]}:${step}`;
}

/** The perf_analyzer command that puts the same load on the same model. */
export function perfAnalyzerCommand(load: PerfAnalyzerLoad): string {
  const command = perfAnalyzerLine(load);
  // perf_analyzer takes TLS settings as separate options that depend on the certificates in use.
  return /^(https|grpcs):\/\//i.test(load.url) ? `${command}  # the server uses TLS: add perf_analyzer's --ssl-* options` : command;
}

function perfAnalyzerLine(load: PerfAnalyzerLoad): string {
  const host = load.url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  const args = ['perf_analyzer', '-m', shellQuote(load.model)];
  if (load.version !== undefined && load.version !== '') args.push('-x', shellQuote(load.version));
  args.push('-u', shellQuote(host), '-i', load.protocol);
  if (load.batchSize !== undefined && load.batchSize > 1) args.push('-b', String(load.batchSize));
  if (load.inputDataFile !== undefined) args.push('--input-data', shellQuote(load.inputDataFile));
  return withLoad(args.join(' '), load);
}

/**
 * A perf_analyzer command (model, server, data) extended with the load: measurement window, p99,
 * and the concurrency range or request rate. perf_analyzer's concurrency range steps by addition,
 * so a doubling sweep becomes a shell loop over the levels.
 */
export function withLoad(base: string, load: Pick<PerfAnalyzerLoad, 'concurrency' | 'requestRate' | 'measurementMs'>): string {
  const args = [base, '--measurement-interval', String(Math.max(1, Math.round(load.measurementMs))), '--percentile=99'];
  if (load.requestRate !== undefined) return [...args, '--request-rate-range', String(load.requestRate)].join(' ');
  const levels = load.concurrency ?? [1];
  const range = evenRange(levels);
  if (range !== undefined) return [...args, '--concurrency-range', range].join(' ');
  return `for c in ${levels.join(' ')}; do ${[...args, '--concurrency-range', '"$c"'].join(' ')}; done`;
}

/** The load part of perf_analyzer's options for a plan. */
export function planLoad(plan: LoadPlan): Pick<PerfAnalyzerLoad, 'concurrency' | 'requestRate' | 'measurementMs'> {
  return plan.mode === 'concurrency'
    ? { concurrency: plan.levels, measurementMs: plan.stepMs }
    : { requestRate: plan.requestsPerSecond, measurementMs: plan.durationMs };
}

/** The perf_analyzer command line that puts this plan's load on the same model and server. */
export function perfAnalyzerFor(
  client: Pick<TritonClient, 'url' | 'protocol'>,
  o: { model: string; version?: string; plan: LoadPlan },
  extras: { inputDataFile?: string; batchSize?: number } = {},
): string {
  return perfAnalyzerCommand({ model: o.model, version: o.version, url: client.url, protocol: client.protocol, ...extras, ...planLoad(o.plan) });
}
