// Load-test runs kept for later: a versioned JSON record of one run (what was tested, how, and what
// came out), read back with every field checked, and two runs compared step by step.
import type { LoadPlan, LoadStep, LoadTestResult, ServerTimes, StepComparison, StopReason } from './loadTestTypes';

export const SAVED_LOAD_TEST_VERSION = 1;
/** A record with more steps than this is not one this code wrote. */
const MAX_STEPS = 1024;

export interface SavedLoadTest {
  version: typeof SAVED_LOAD_TEST_VERSION;
  /** ISO time the run ended. */
  savedAt: string;
  model: string;
  modelVersion?: string;
  protocol: 'http' | 'grpc';
  url: string;
  plan: LoadPlan;
  result: LoadTestResult;
}

/** JSON text of a run; figures that could not be measured (NaN) are written as null. */
export function serializeLoadTest(run: SavedLoadTest): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}

class RecordError extends Error {}

function num(x: unknown, where: string): number {
  // null stands for a figure that could not be measured (an empty step's percentiles).
  if (x === null) return Number.NaN;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new RecordError(`${where} is not a number`);
  return x;
}

function obj(x: unknown, where: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new RecordError(`${where} is not an object`);
  return x as Record<string, unknown>;
}

function str(x: unknown, where: string): string {
  if (typeof x !== 'string') throw new RecordError(`${where} is not a string`);
  return x;
}

const STOP_REASONS: readonly StopReason[] = ['done', 'cancelled', 'max-requests', 'max-duration', 'max-errors'];

function readStep(x: unknown, where: string): LoadStep {
  const s = obj(x, where);
  const latency = obj(s.latency, `${where}.latency`);
  const step: LoadStep = {
    label: str(s.label, `${where}.label`), requests: num(s.requests, `${where}.requests`), errors: num(s.errors, `${where}.errors`),
    seconds: num(s.seconds, `${where}.seconds`), throughput: num(s.throughput, `${where}.throughput`),
    latency: {
      p50Ms: num(latency.p50Ms, `${where}.latency.p50Ms`), p90Ms: num(latency.p90Ms, `${where}.latency.p90Ms`),
      p99Ms: num(latency.p99Ms, `${where}.latency.p99Ms`), meanMs: num(latency.meanMs, `${where}.latency.meanMs`),
    },
  };
  if (s.concurrency !== undefined) step.concurrency = num(s.concurrency, `${where}.concurrency`);
  if (s.requestsPerSecond !== undefined) step.requestsPerSecond = num(s.requestsPerSecond, `${where}.requestsPerSecond`);
  if (s.lateSends !== undefined) step.lateSends = num(s.lateSends, `${where}.lateSends`);
  if (s.firstError !== undefined) step.firstError = str(s.firstError, `${where}.firstError`);
  if (s.server !== undefined) step.server = readServerTimes(s.server, `${where}.server`);
  if (s.statisticsError !== undefined) step.statisticsError = str(s.statisticsError, `${where}.statisticsError`);
  return step;
}

function readServerTimes(x: unknown, where: string): ServerTimes {
  const s = obj(x, where);
  return {
    requests: num(s.requests, `${where}.requests`), failed: num(s.failed, `${where}.failed`), queueUs: num(s.queueUs, `${where}.queueUs`),
    computeInputUs: num(s.computeInputUs, `${where}.computeInputUs`), computeInferUs: num(s.computeInferUs, `${where}.computeInferUs`),
    computeOutputUs: num(s.computeOutputUs, `${where}.computeOutputUs`),
  };
}

function readPlan(x: unknown): LoadPlan {
  const p = obj(x, 'plan');
  if (p.mode === 'concurrency') {
    if (!Array.isArray(p.levels) || p.levels.length > MAX_STEPS) throw new RecordError('plan.levels is not a list of concurrency levels');
    return { mode: 'concurrency', levels: p.levels.map((l, i) => num(l, `plan.levels[${i}]`)), stepMs: num(p.stepMs, 'plan.stepMs') };
  }
  if (p.mode === 'rate') {
    const plan: LoadPlan = { mode: 'rate', requestsPerSecond: num(p.requestsPerSecond, 'plan.requestsPerSecond'), durationMs: num(p.durationMs, 'plan.durationMs') };
    if (p.maxInFlight !== undefined) plan.maxInFlight = num(p.maxInFlight, 'plan.maxInFlight');
    return plan;
  }
  throw new RecordError(`plan.mode '${String(p.mode)}' is neither 'concurrency' nor 'rate'`);
}

/** Reads a saved run back; a file that is not one fails with what is wrong and where (`source`). */
export function parseSavedLoadTest(text: string, source: string): SavedLoadTest {
  try {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new RecordError(`not JSON (${(e as Error).message})`);
    }
    const d = obj(doc, 'the file');
    if (d.version !== SAVED_LOAD_TEST_VERSION) throw new RecordError(`version ${JSON.stringify(d.version)} is not ${SAVED_LOAD_TEST_VERSION}`);
    if (d.protocol !== 'http' && d.protocol !== 'grpc') throw new RecordError("protocol is neither 'http' nor 'grpc'");
    const r = obj(d.result, 'result');
    if (!Array.isArray(r.steps) || r.steps.length > MAX_STEPS) throw new RecordError(`result.steps is not a list of at most ${MAX_STEPS} steps`);
    if (!STOP_REASONS.includes(r.stoppedBy as StopReason)) throw new RecordError(`result.stoppedBy '${String(r.stoppedBy)}' is unknown`);
    const result: LoadTestResult = {
      steps: r.steps.map((s, i) => readStep(s, `result.steps[${i}]`)), stoppedBy: r.stoppedBy as StopReason,
      requests: num(r.requests, 'result.requests'), errors: num(r.errors, 'result.errors'), seconds: num(r.seconds, 'result.seconds'),
    };
    if (r.server !== undefined) result.server = readServerTimes(r.server, 'result.server');
    if (r.statisticsError !== undefined) result.statisticsError = str(r.statisticsError, 'result.statisticsError');
    const run: SavedLoadTest = {
      version: SAVED_LOAD_TEST_VERSION, savedAt: str(d.savedAt, 'savedAt'), model: str(d.model, 'model'),
      protocol: d.protocol, url: str(d.url, 'url'), plan: readPlan(d.plan), result,
    };
    if (d.modelVersion !== undefined) run.modelVersion = str(d.modelVersion, 'modelVersion');
    return run;
  } catch (e) {
    if (e instanceof RecordError) throw new Error(`${source}: not a saved load test: ${e.message}`);
    throw e;
  }
}

/** The server's compute time per inference (input + infer + output), µs; undefined without server times. */
export function computeUsOf(step: LoadStep | undefined): number | undefined {
  const s = step?.server;
  return s === undefined ? undefined : s.computeInputUs + s.computeInferUs + s.computeOutputUs;
}

/** The steps of two runs side by side, matched by label (c=4, 50 req/s), in the base run's order. */
export function compareLoadTests(base: LoadTestResult, next: LoadTestResult): StepComparison[] {
  const ratio = (a: number | undefined, b: number | undefined): number => (a === undefined || b === undefined || !(b > 0) ? Number.NaN : a / b);
  const nextByLabel = new Map(next.steps.map((s) => [s.label, s]));
  const labels = [...base.steps.map((s) => s.label), ...next.steps.map((s) => s.label).filter((l) => !base.steps.some((s) => s.label === l))];
  return labels.map((label) => {
    const b = base.steps.find((s) => s.label === label);
    const n = nextByLabel.get(label);
    const row: StepComparison = {
      label,
      throughputRatio: ratio(n?.throughput, b?.throughput),
      p50Ratio: ratio(n?.latency.p50Ms, b?.latency.p50Ms),
      p99Ratio: ratio(n?.latency.p99Ms, b?.latency.p99Ms),
      errorsDelta: (n?.errors ?? 0) - (b?.errors ?? 0),
      computeRatio: ratio(computeUsOf(n), computeUsOf(b)),
      queueRatio: ratio(n?.server?.queueUs, b?.server?.queueUs),
    };
    if (b !== undefined) row.base = b;
    if (n !== undefined) row.next = n;
    return row;
  });
}
