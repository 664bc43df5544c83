// Messages between the run-inference panel's host and its page. Plain JSON only: tensors stay on the
// host, the page gets the form, previews and bounded summaries of results.
import type { ModelForm } from '../inference/inputs/modelForm';
import type { ComparisonView, OutputViewData } from './outputViews';
import type { RequestDraft } from '../inference/requestDraft';
import { isRequestDraft } from '../inference/requestDraft';
import { isFiniteNumber, isRecord, isString, isStringArray, messageGuard } from './webviewProtocol';

export const INFERENCE_VIEW_TYPE = 'triton.inference';

/** What identifies a panel: one per model on one server. */
export interface PanelTarget {
  serverId: string;
  model: string;
  version?: string;
}

/** An image file chosen for an input, with a small data: URL thumbnail when the page can show it. */
export interface ImageItem {
  path: string;
  name: string;
  thumbnail?: string;
  /** Why there is no thumbnail (not an image, unreadable). */
  problem?: string;
}

/** What is really sent for an image input: the tensor's shape and stats, and the resized picture. */
export interface SentPreview {
  shape: number[];
  datatype: string;
  /** Per channel, in channel order. */
  channels: { min: number; max: number; mean: number }[];
  /** The resized image (first of the batch) as RGBA, base64, drawn by the page on a canvas. */
  image?: { width: number; height: number; rgbaBase64: string };
}

/** An output's picture (image-shaped outputs), RGBA base64. */
export interface OutputPicture {
  name: string;
  width: number;
  height: number;
  rgbaBase64: string;
}

export interface ResponseView {
  /** 0-based position in the run (request index, or stream arrival order). */
  index: number;
  model: string;
  version: string;
  id?: string;
  /** Client-side time of this request in ms (stream: since the request was sent). */
  latencyMs: number;
  outputs: OutputViewData[];
  pictures: OutputPicture[];
  parameters?: Record<string, string | number | boolean>;
  final?: boolean;
}

export interface ErrorView {
  /** What failed, in the extension's words. */
  message: string;
  /** The server's own text, when it answered. */
  serverMessage?: string;
  /** What to try next. */
  hint?: string;
  /** The input the problem is in, when it is one input's. */
  input?: string;
  /** Position in the run, for one failed request among many. */
  index?: number;
}

/** The server's own timings for the run: statistics before/after (per successful request, µs). */
export interface ServerTimings {
  requests: number;
  queueUs: number;
  computeInputUs: number;
  computeInferUs: number;
  computeOutputUs: number;
}

/** The raw exchange, described: what was sent and what came back (binary parts by size). */
export interface RawExchange {
  request: string;
  response: string;
}

export interface RunSummary {
  requests: number;
  failed: number;
  wallMs: number;
  latency?: { min: number; p50: number; p90: number; max: number; mean: number };
  serverTimings?: ServerTimings;
  raw?: RawExchange;
  stopped?: boolean;
  /** Tensor bytes that went through system shared memory instead of the socket, and what could not. */
  sharedMemory?: { bytes: number; notes: string[] };
}

export interface HistoryItem {
  id: string;
  timestamp: number;
  latencyMs?: number;
  error?: string;
  protocol?: 'http' | 'grpc';
  mode?: string;
  model: string;
  modelVersion?: string;
  /** False when the request was too big to keep (or is another model's): it cannot be loaded here. */
  canLoad: boolean;
  /** It kept a result summary, so the last run can be compared with it. */
  canCompare: boolean;
}

export type ToInferencePage =
  | { type: 'init'; target: PanelTarget; serverName: string; grpcAvailable: boolean; form: ModelForm; draft: RequestDraft }
  | { type: 'formError'; target: PanelTarget; error: ErrorView }
  | { type: 'images'; input: string; items: ImageItem[] }
  | { type: 'sentPreview'; input: string; preview?: SentPreview; error?: ErrorView }
  | { type: 'setInput'; input: string; draft: RequestDraft }
  | { type: 'runStarted'; runId: number; mode: RequestDraft['mode']['kind']; requests: number }
  | { type: 'response'; runId: number; response: ResponseView }
  | { type: 'runError'; runId: number; error: ErrorView }
  | { type: 'runFinished'; runId: number; summary: RunSummary }
  | { type: 'saved'; message: string }
  /** This model's recent requests in the workspace history, newest first. */
  | { type: 'history'; entries: HistoryItem[] }
  /** The last run against a history entry. */
  | { type: 'comparison'; comparison?: ComparisonView; error?: string; label: string };

export type FromInferencePage =
  | { type: 'draftChanged'; draft: RequestDraft }
  | { type: 'run'; draft: RequestDraft }
  | { type: 'stop' }
  /** Ask the host for files through its own dialog (the reliable way to get paths). */
  | { type: 'pickFiles'; input: string; purpose: 'image' | 'bytesFiles' | 'npy'; draft: RequestDraft }
  /** Files dropped on an input: `text/uri-list` entries, checked by the host. */
  | { type: 'droppedFiles'; input: string; uris: string[]; draft: RequestDraft }
  | { type: 'previewImages'; input: string; draft: RequestDraft }
  | { type: 'saveOutput'; output: string; format: 'npy' | 'json' }
  | { type: 'openRaw' }
  | { type: 'saveRequest'; draft: RequestDraft }
  | { type: 'exportRequest'; kind: 'curl' | 'python' | 'perf_analyzer'; draft: RequestDraft }
  /** Open the load test with this request as its payload. */
  | { type: 'loadTest'; draft: RequestDraft }
  | { type: 'loadHistory'; id: string }
  | { type: 'compareHistory'; id: string }
  | { type: 'retryForm' };

const isPurpose = (x: unknown): boolean => x === 'image' || x === 'bytesFiles' || x === 'npy';

export const isFromInferencePage = messageGuard<FromInferencePage>({
  draftChanged: (m) => isRequestDraft(m.draft),
  run: (m) => isRequestDraft(m.draft),
  stop: () => true,
  pickFiles: (m) => isString(m.input) && isPurpose(m.purpose) && isRequestDraft(m.draft),
  droppedFiles: (m) => isString(m.input) && isStringArray(m.uris) && m.uris.length <= 1000 && isRequestDraft(m.draft),
  previewImages: (m) => isString(m.input) && isRequestDraft(m.draft),
  saveOutput: (m) => isString(m.output) && (m.format === 'npy' || m.format === 'json'),
  openRaw: () => true,
  saveRequest: (m) => isRequestDraft(m.draft),
  exportRequest: (m) => (m.kind === 'curl' || m.kind === 'python' || m.kind === 'perf_analyzer') && isRequestDraft(m.draft),
  loadTest: (m) => isRequestDraft(m.draft),
  loadHistory: (m) => isString(m.id) && m.id.length <= 200,
  compareHistory: (m) => isString(m.id) && m.id.length <= 200,
  retryForm: () => true,
});

const isTarget = (x: unknown): boolean => isRecord(x) && isString(x.serverId) && isString(x.model);
const isError = (x: unknown): boolean => isRecord(x) && isString(x.message);

/** The page checks the host's messages too: only their envelope (the host is trusted, its data is escaped on render). */
export const isToInferencePage = messageGuard<ToInferencePage>({
  init: (m) => isTarget(m.target) && isString(m.serverName) && isRecord(m.form) && isRequestDraft(m.draft),
  formError: (m) => isTarget(m.target) && isError(m.error),
  images: (m) => isString(m.input) && Array.isArray(m.items),
  sentPreview: (m) => isString(m.input),
  setInput: (m) => isString(m.input) && isRequestDraft(m.draft),
  runStarted: (m) => isFiniteNumber(m.runId) && isString(m.mode),
  response: (m) => isFiniteNumber(m.runId) && isRecord(m.response),
  runError: (m) => isFiniteNumber(m.runId) && isError(m.error),
  runFinished: (m) => isFiniteNumber(m.runId) && isRecord(m.summary),
  saved: (m) => isString(m.message),
  history: (m) => Array.isArray(m.entries),
  comparison: (m) => isString(m.label),
});

/** What the page saves with setState, and what the serializer gets back after a restart. */
export interface InferencePageState {
  target: PanelTarget;
  draft?: RequestDraft;
}

export function isInferencePageState(x: unknown): x is InferencePageState {
  return isRecord(x) && isTarget(x.target) && (x.draft === undefined || isRequestDraft(x.draft));
}
