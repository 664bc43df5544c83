// Messages between the load-test panel's host and its page: the settings of a run one way; live
// samples, finished steps, the run's result and comparisons the other. Plain JSON only: figures that
// could not be measured (NaN) may arrive as null, and the page shows them as a dash.
import type { LoadSample, LoadStep, LoadTestResult, StepComparison } from '../services/loadTestTypes';
import type { SavedLoadTest } from '../services/loadTestRuns';
import type { PanelTarget } from './inferenceProtocol';
import { isBoolean, isFiniteNumber, isRecord, isString, messageGuard } from './webviewProtocol';

export type { LatencySummary, LoadSample, LoadStep, LoadTestResult, ServerTimes, StepComparison } from '../services/loadTestTypes';

export const LOAD_TEST_VIEW_TYPE = 'triton.loadTest';

/** What the page's form holds; the host checks every figure before a run. */
export interface LoadTestSettings {
  mode: 'concurrency' | 'rate';
  /** Concurrency levels of a sweep, e.g. [1, 2, 4, 8]. */
  levels: number[];
  /** Length of one sweep step, seconds. */
  stepSeconds: number;
  /** Fixed-rate mode: requests per second and how long, seconds. */
  rate: number;
  durationSeconds: number;
  protocol: 'http' | 'grpc';
  /** Bounds of the whole run. */
  maxRequests: number;
  maxSeconds: number;
}

export interface LoadTestInit {
  type: 'init';
  target: PanelTarget;
  serverName: string;
  grpcAvailable: boolean;
  /** Where the payload comes from, in words (the Run Inference panel's request, or the model's initial one). */
  payload: string;
  sequence: boolean;
  decoupled: boolean;
  settings: LoadTestSettings;
  limits: { maxRequests: number; maxSeconds: number; maxConcurrency: number; maxRate: number };
}

/** A finished run's record without its result. */
export type LoadTestRunInfo = Omit<SavedLoadTest, 'result'>;

export type ToLoadTestPage =
  | LoadTestInit
  | { type: 'loadError'; message: string }
  | { type: 'started'; runId: number; settings: LoadTestSettings }
  | { type: 'sample'; runId: number; sample: LoadSample }
  | { type: 'step'; runId: number; index: number; step: LoadStep }
  /** `run` is what the saved record holds besides the result; the page keeps both to survive a reload. */
  | { type: 'finished'; runId: number; result: LoadTestResult; run: LoadTestRunInfo }
  | { type: 'runError'; runId: number; message: string }
  | { type: 'comparison'; label: string; rows: StepComparison[] }
  | { type: 'notice'; message: string; error?: boolean };

export type FromLoadTestPage =
  | { type: 'start'; settings: LoadTestSettings }
  | { type: 'stop' }
  | { type: 'save' }
  | { type: 'compare' }
  | { type: 'copyCommand'; settings: LoadTestSettings };

const MAX_LEVELS = 64;

export function isLoadTestSettings(x: unknown): x is LoadTestSettings {
  return isRecord(x) && (x.mode === 'concurrency' || x.mode === 'rate')
    && Array.isArray(x.levels) && x.levels.length <= MAX_LEVELS && x.levels.every(isFiniteNumber)
    && isFiniteNumber(x.stepSeconds) && isFiniteNumber(x.rate) && isFiniteNumber(x.durationSeconds)
    && (x.protocol === 'http' || x.protocol === 'grpc') && isFiniteNumber(x.maxRequests) && isFiniteNumber(x.maxSeconds);
}

export const isFromLoadTestPage = messageGuard<FromLoadTestPage>({
  start: (m) => isLoadTestSettings(m.settings),
  stop: () => true,
  save: () => true,
  compare: () => true,
  copyCommand: (m) => isLoadTestSettings(m.settings),
});

const isTarget = (x: unknown): boolean => isRecord(x) && isString(x.serverId) && isString(x.model);

/** The page checks the envelope of the host's messages; their text is rendered as text. */
export const isToLoadTestPage = messageGuard<ToLoadTestPage>({
  init: (m) => isTarget(m.target) && isString(m.serverName) && isBoolean(m.grpcAvailable) && isString(m.payload) && isLoadTestSettings(m.settings) && isRecord(m.limits),
  loadError: (m) => isString(m.message),
  started: (m) => isFiniteNumber(m.runId) && isLoadTestSettings(m.settings),
  sample: (m) => isFiniteNumber(m.runId) && isRecord(m.sample),
  step: (m) => isFiniteNumber(m.runId) && isFiniteNumber(m.index) && isRecord(m.step),
  finished: (m) => isFiniteNumber(m.runId) && isRecord(m.result) && Array.isArray(m.result.steps) && isRecord(m.run),
  runError: (m) => isFiniteNumber(m.runId) && isString(m.message),
  comparison: (m) => isString(m.label) && Array.isArray(m.rows),
  notice: (m) => isString(m.message),
});

/** What the page keeps across reloads, and what brings the panel back after a restart. */
export interface LoadTestPageState {
  target: PanelTarget;
  settings?: LoadTestSettings;
  /**
   * The last finished run as a saved record (SavedLoadTest). Only its shape as an object is checked
   * here: the host reads it back with every field checked (parseSavedLoadTest) when it restores the panel.
   */
  lastRun?: Record<string, unknown>;
}

export function isLoadTestPageState(x: unknown): x is LoadTestPageState {
  return isRecord(x) && isTarget(x.target) && (x.settings === undefined || isLoadTestSettings(x.settings)) && (x.lastRun === undefined || isRecord(x.lastRun));
}
