// The load test's figures as plain JSON types: what the engine (loadTest.ts) measures and compares,
// and what the load-test page is sent (src/shared/loadTestProtocol.ts takes them from here,
// type-only). No imports, so the page's build (without Node's types) can check them.

export interface LatencySummary {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Server-side averages over a step or the run, per successful request, in microseconds. */
export interface ServerTimes {
  /** Successful inferences the server counted meanwhile (all versions of the model). */
  requests: number;
  failed: number;
  queueUs: number;
  computeInputUs: number;
  computeInferUs: number;
  computeOutputUs: number;
}

export type LoadPlan =
  | { mode: 'concurrency'; levels: readonly number[]; stepMs: number }
  | { mode: 'rate'; requestsPerSecond: number; durationMs: number; maxInFlight?: number };

export interface LoadStep {
  /** "c=4" or "50 req/s". */
  label: string;
  concurrency?: number;
  requestsPerSecond?: number;
  requests: number;
  errors: number;
  /** First error message of the step, if any. */
  firstError?: string;
  seconds: number;
  throughput: number;
  latency: LatencySummary;
  /** Rate mode: sends that went out late because maxInFlight requests were still running. */
  lateSends?: number;
  /**
   * What the server spent on this step: the model's statistics read before and after it. Absent when
   * they could not be read (statisticsError says why); the reads are not part of the step's time.
   */
  server?: ServerTimes;
  statisticsError?: string;
}

export interface LoadSample extends LoadStep {
  step: number;
  elapsedMs: number;
}

export type StopReason = 'done' | 'cancelled' | 'max-requests' | 'max-duration' | 'max-errors';

export interface LoadTestResult {
  steps: LoadStep[];
  stoppedBy: StopReason;
  requests: number;
  errors: number;
  seconds: number;
  /** Absent when the statistics could not be read (statisticsError says why). */
  server?: ServerTimes;
  statisticsError?: string;
}

export interface StepComparison {
  label: string;
  /** Absent when the step ran in only one of the two runs. */
  base?: LoadStep;
  next?: LoadStep;
  /** next / base; NaN when either side has no figure. */
  throughputRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  errorsDelta: number;
  /** next / base of the server's compute time (input + infer + output) and queue time per inference; NaN when either step has none. */
  computeRatio: number;
  queueRatio: number;
}
