// Load test over any TritonClient: a concurrency sweep (1, 2, 4, … N) or a fixed request rate for a
// duration, with live samples, per-step percentiles, the server's own time split per step from the
// model statistics, and hard bounds on requests and time so a run can never run away.
import type { TritonClient } from '../triton/clientTypes';
import type { InferInput, InferOptions, ModelConfigJson, ModelStatistics, RequestedOutput } from '../triton/types';
import { serverTimesBetween, summarizeLatencies } from './loadTestFigures';
import type { LoadPlan, LoadSample, LoadStep, LoadTestResult, ServerTimes, StopReason } from './loadTestTypes';

export { perfAnalyzerFor } from './loadTestFigures';
export type { LoadPlan, LoadSample, LoadStep, LoadTestResult, StopReason } from './loadTestTypes';

/** Absolute ceilings: whatever a caller asks for, a run stops here. */
export const LOAD_TEST_LIMITS = { maxRequests: 1_000_000, maxDurationMs: 60 * 60 * 1000, maxConcurrency: 1024, maxRate: 100_000 } as const;

export interface LoadRequest {
  inputs: InferInput[];
  outputs?: RequestedOutput[];
  options?: Omit<InferOptions, 'signal' | 'modelVersion'>;
}

export interface LoadTestOptions {
  model: string;
  version?: string;
  /** The same request every time, or one built per request (index counts from 0 over the run). */
  payload: LoadRequest | ((index: number) => LoadRequest);
  plan: LoadPlan;
  /** Requests started over the whole run, at most. */
  maxRequests: number;
  /** Wall time of the whole run, at most. */
  maxDurationMs: number;
  signal?: AbortSignal;
  /** The run stops after this many failed requests (default 1000): a dead server is not hammered until the bounds. */
  maxErrors?: number;
  /** Per-request deadline, ms. */
  requestTimeoutMs?: number;
  /** Live figures of the running step, every sampleIntervalMs (default 500); percentiles of its latest 20,000 answers. */
  onSample?: (sample: LoadSample) => void;
  onStep?: (step: LoadStep) => void;
  sampleIntervalMs?: number;
  /** A sequence model's requests are not independent; it is refused unless this is set. */
  confirmSequence?: boolean;
}

export class LoadTestRefused extends Error {
  override readonly name = 'LoadTestRefused';
}

/** 1, 2, 4, … up to and including max. */
export function sweepLevels(max: number): number[] {
  if (!Number.isInteger(max) || max < 1 || max > LOAD_TEST_LIMITS.maxConcurrency) {
    throw new LoadTestRefused(`the highest concurrency must be a whole number from 1 to ${LOAD_TEST_LIMITS.maxConcurrency}, got ${max}`);
  }
  const levels: number[] = [];
  for (let c = 1; c < max; c *= 2) levels.push(c);
  levels.push(max);
  return levels;
}

/** Why the model must not be load-tested with independent unary requests, or undefined. */
export function refusalFor(config: ModelConfigJson, confirmSequence: boolean): string | undefined {
  const c = config as { sequence_batching?: unknown; model_transaction_policy?: { decoupled?: unknown } };
  if (c.model_transaction_policy?.decoupled === true) {
    return 'the model is decoupled: its answers come over a stream, which this load test does not drive';
  }
  if (c.sequence_batching !== undefined && c.sequence_batching !== null && !confirmSequence) {
    return 'the model is a sequence model: its requests carry state, so repeating one request is not a fair load; confirm to run it anyway';
  }
  return undefined;
}

function checkOptions(o: LoadTestOptions): void {
  const bad = (what: string): never => { throw new LoadTestRefused(what); };
  if (!Number.isInteger(o.maxRequests) || o.maxRequests < 1 || o.maxRequests > LOAD_TEST_LIMITS.maxRequests) bad(`maxRequests must be 1 to ${LOAD_TEST_LIMITS.maxRequests}, got ${o.maxRequests}`);
  if (!(o.maxDurationMs > 0 && o.maxDurationMs <= LOAD_TEST_LIMITS.maxDurationMs)) bad(`maxDurationMs must be above 0 and at most ${LOAD_TEST_LIMITS.maxDurationMs}, got ${o.maxDurationMs}`);
  if (o.maxErrors !== undefined && !(Number.isInteger(o.maxErrors) && o.maxErrors >= 1)) bad(`maxErrors must be a whole number of at least 1, got ${o.maxErrors}`);
  const p = o.plan;
  if (p.mode === 'concurrency') {
    if (p.levels.length === 0) bad('the sweep has no concurrency levels');
    for (const c of p.levels) if (!Number.isInteger(c) || c < 1 || c > LOAD_TEST_LIMITS.maxConcurrency) bad(`concurrency ${c} is not a whole number from 1 to ${LOAD_TEST_LIMITS.maxConcurrency}`);
    if (!(p.stepMs > 0)) bad(`stepMs must be above 0, got ${p.stepMs}`);
  } else {
    if (!(p.requestsPerSecond > 0 && p.requestsPerSecond <= LOAD_TEST_LIMITS.maxRate)) bad(`the request rate must be above 0 and at most ${LOAD_TEST_LIMITS.maxRate}/s, got ${p.requestsPerSecond}`);
    if (!(p.durationMs > 0)) bad(`durationMs must be above 0, got ${p.durationMs}`);
    const cap = p.maxInFlight ?? 256;
    if (!Number.isInteger(cap) || cap < 1 || cap > LOAD_TEST_LIMITS.maxConcurrency) bad(`maxInFlight must be 1 to ${LOAD_TEST_LIMITS.maxConcurrency}, got ${cap}`);
  }
}

/** Live samples take their percentiles from this many latest answers; a step's final figures from all. */
const LIVE_WINDOW = 20_000;

/** Collects one step's outcomes. */
class StepRecorder {
  readonly latencies: number[] = [];
  errors = 0;
  firstError: string | undefined;
  lateSends = 0;
  readonly startedAt = performance.now();

  constructor(readonly label: string, readonly concurrency?: number, readonly rate?: number) {}

  /** `recent`: percentiles of the latest LIVE_WINDOW answers only, so a live sample costs a bounded sort. */
  figures(recent = false): LoadStep {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const requests = this.latencies.length + this.errors;
    const latencies = recent && this.latencies.length > LIVE_WINDOW ? this.latencies.slice(-LIVE_WINDOW) : this.latencies;
    const step: LoadStep = {
      label: this.label, requests, errors: this.errors, seconds,
      throughput: seconds > 0 ? this.latencies.length / seconds : 0, latency: summarizeLatencies(latencies),
    };
    if (this.concurrency !== undefined) step.concurrency = this.concurrency;
    if (this.rate !== undefined) { step.requestsPerSecond = this.rate; step.lateSends = this.lateSends; }
    if (this.firstError !== undefined) step.firstError = this.firstError;
    return step;
  }
}

/** Runs the load test; resolves with what was measured also when cancelled or bounded. */
export async function runLoadTest(client: TritonClient, o: LoadTestOptions): Promise<LoadTestResult> {
  checkOptions(o);
  if (o.signal?.aborted) throw new LoadTestRefused('cancelled before it started');
  const versioned = o.version === undefined ? {} : { version: o.version };
  const refusal = refusalFor(await client.modelConfig(o.model, { ...versioned, signal: o.signal }), o.confirmSequence === true);
  if (refusal !== undefined) throw new LoadTestRefused(`${o.model}: ${refusal}`);

  type Snapshot = ModelStatistics[] | string;
  /** The model's statistics, or why they could not be read: a failed read never fails the run. */
  const readStats = async (): Promise<Snapshot> => {
    try {
      const stats = await client.modelStatistics(o.model, { ...versioned, deadlineMs: 10_000 });
      if (stats.length === 0) return `the server returned no statistics for '${o.model}'`;
      return stats;
    } catch (e) {
      return `reading the statistics of '${o.model}' failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
  const timesBetween = (from: Snapshot, to: Snapshot): { server: ServerTimes } | { statisticsError: string } => {
    if (typeof from === 'string') return { statisticsError: from };
    if (typeof to === 'string') return { statisticsError: to };
    return { server: serverTimesBetween(from, to) };
  };
  const before = await readStats();

  // One controller stops everything: the caller's signal, the time bound and the request bound.
  const stop = new AbortController();
  let stoppedBy: StopReason = 'done';
  let launching = true;
  /** The request bound only stops new sends; cancellation and the time bound also cut calls short. */
  const halt = (why: StopReason): void => {
    if (!launching && (why === 'max-requests' || stop.signal.aborted)) return;
    if (launching) stoppedBy = why;
    launching = false;
    if (why !== 'max-requests') stop.abort(new Error(why));
  };
  const onCallerAbort = (): void => halt('cancelled');
  o.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const runStart = performance.now();
  const timeLimit = setTimeout(() => halt('max-duration'), o.maxDurationMs);

  let started = 0;
  let errors = 0;
  const maxErrors = o.maxErrors ?? 1000;
  const payloadFor = typeof o.payload === 'function' ? o.payload : ((): LoadRequest => o.payload as LoadRequest);
  /** Claims the next request slot, or false once the run must stop. */
  const claim = (): boolean => {
    if (!launching) return false;
    if (started >= o.maxRequests) { halt('max-requests'); return false; }
    started++;
    return true;
  };
  const send = async (rec: StepRecorder): Promise<void> => {
    const index = started - 1;
    const t0 = performance.now();
    try {
      const req = payloadFor(index);
      const options: InferOptions = { ...req.options, signal: stop.signal };
      if (o.version !== undefined) options.modelVersion = o.version;
      if (o.requestTimeoutMs !== undefined) options.deadlineMs = o.requestTimeoutMs;
      await client.infer(o.model, req.inputs, req.outputs, options);
      rec.latencies.push(performance.now() - t0);
    } catch (e) {
      // Calls cut short by the stop itself are neither results nor errors.
      if (stop.signal.aborted) return;
      rec.errors++;
      rec.firstError ??= e instanceof Error ? e.message : String(e);
      if (++errors >= maxErrors) halt('max-errors');
    }
  };

  const steps: LoadStep[] = [];
  let current: { rec: StepRecorder; index: number } | undefined;
  const sampler = o.onSample === undefined ? undefined : setInterval(() => {
    if (current === undefined) return;
    o.onSample!({ ...current.rec.figures(true), step: current.index, elapsedMs: performance.now() - runStart });
  }, o.sampleIntervalMs ?? 500);

  const plan = o.plan;
  const stepsToRun = plan.mode === 'concurrency'
    ? plan.levels.map((c) => ({ rec: (): StepRecorder => new StepRecorder(`c=${c}`, c), run: (rec: StepRecorder): Promise<void> => runConcurrency(rec, c, plan.stepMs) }))
    : [{ rec: (): StepRecorder => new StepRecorder(`${plan.requestsPerSecond} req/s`, undefined, plan.requestsPerSecond), run: (rec: StepRecorder): Promise<void> => runRate(rec, plan.requestsPerSecond, plan.durationMs, plan.maxInFlight ?? 256) }];

  function stepTimer(ms: number): { over: () => boolean; done: Promise<void>; clear: () => void } {
    let over = false;
    let wake: () => void = () => undefined;
    const done = new Promise<void>((resolve) => { wake = resolve; });
    const finish = (): void => { over = true; wake(); };
    const timer = setTimeout(finish, ms);
    stop.signal.addEventListener('abort', finish, { once: true });
    return { over: () => over, done, clear: () => { clearTimeout(timer); stop.signal.removeEventListener('abort', finish); } };
  }

  async function runConcurrency(rec: StepRecorder, concurrency: number, stepMs: number): Promise<void> {
    const t = stepTimer(stepMs);
    const worker = async (): Promise<void> => {
      while (!t.over() && claim()) await send(rec);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    t.clear();
  }

  async function runRate(rec: StepRecorder, rate: number, durationMs: number, maxInFlight: number): Promise<void> {
    const t = stepTimer(durationMs);
    const running = new Set<Promise<void>>();
    const begin = performance.now();
    let sent = 0;
    let lateCounted = -1;
    while (!t.over() && launching) {
      const due = Math.floor(((performance.now() - begin) / 1000) * rate) + 1;
      while (sent < due && !t.over()) {
        if (running.size >= maxInFlight) {
          // Open-loop sends wait for a slot; a send that had to wait is counted as late once.
          if (lateCounted !== sent) { rec.lateSends++; lateCounted = sent; }
          await Promise.race(running);
          continue;
        }
        if (!claim()) break;
        sent++;
        const p = send(rec).finally(() => running.delete(p));
        running.add(p);
      }
      if (!launching) break;
      const nextAt = begin + (sent / rate) * 1000;
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([t.done, new Promise<void>((r) => { wait = setTimeout(r, Math.max(0, nextAt - performance.now())); })]);
      // A slow rate's pending wait must not outlive the step (it would hold the process open).
      clearTimeout(wait);
    }
    await Promise.all(running);
    t.clear();
  }

  // A step's server times are the difference of the statistics read before it (after the step
  // before, or before the run) and after it. The step's figures are taken before the read and the
  // next step starts after it, so a read's own time is counted in no step (and no live sample is
  // taken during it).
  let last = before;
  try {
    for (const [index, s] of stepsToRun.entries()) {
      if (!launching) break;
      const rec = s.rec();
      current = { rec, index };
      await s.run(rec);
      const figures = rec.figures();
      current = undefined;
      const now = await readStats();
      Object.assign(figures, timesBetween(last, now));
      last = now;
      steps.push(figures);
      o.onStep?.(figures);
    }
  } finally {
    current = undefined;
    clearTimeout(timeLimit);
    if (sampler !== undefined) clearInterval(sampler);
    o.signal?.removeEventListener('abort', onCallerAbort);
  }

  const after = steps.length > 0 ? last : await readStats();
  const result: LoadTestResult = {
    steps, stoppedBy,
    requests: steps.reduce((n, s) => n + s.requests, 0),
    errors: steps.reduce((n, s) => n + s.errors, 0),
    seconds: (performance.now() - runStart) / 1000,
  };
  return Object.assign(result, timesBetween(before, after));
}
