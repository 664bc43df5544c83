// Runs a resolved request the way the draft asks (one, N concurrent, or a gRPC stream) and reports
// views of each response, errors with the server's words, latencies and the server's own timings.
// No vscode import: the integration tests drive it against the reference server.
import { inferMany } from '../../triton/inferMany';
import { TritonError } from '../../triton/errors';
import type { TritonClient } from '../../triton/clientTypes';
import type { InferOptions, InferResult, InferStatistics, ModelStatistics } from '../../triton/types';
import { imagePreview } from '../../inference/outputs/imagePreview';
import { outputView } from '../../inference/outputs/resultSummary';
import { InputError } from '../../inference/inputs/inputError';
import type { ResolvedRequest } from '../../inference/inputs/resolveDraft';
import type { RunMode } from '../../inference/requestDraft';
import type { OutputViewData } from '../../shared/outputViews';
import type { ErrorView, OutputPicture, ResponseView, RunSummary, ServerTimings } from '../../shared/inferenceProtocol';
import { inferThroughSharedMemory } from '../../services/sharedMemory/shmInference';
import type { OutputShape, ShmPlan } from '../../services/sharedMemory/shmInference';
import type { RegionLedger } from '../../services/sharedMemory/regionLedger';
import { describeRequest, describeResponse } from './rawExchange';

export type RunClient = Pick<TritonClient, 'protocol' | 'infer' | 'streamInfer' | 'modelStatistics' | 'registerSystemSharedMemory' | 'unregisterSystemSharedMemory'>;

/** A single request with its tensors in system shared memory (regions made, used and removed per run). */
export interface SharedMemoryRun {
  plan: ShmPlan;
  /** The outputs' shapes as the server will answer them, batch dimension included. */
  outputShapes: OutputShape[];
  serverId: string;
  /** Records the regions while they exist, so a crash mid-run leaves nothing unnoticed. */
  ledger?: RegionLedger;
}

export interface RunCallbacks {
  response(view: ResponseView): void;
  error(view: ErrorView): void;
  /** The full result (host-side only), e.g. to save an output later. */
  result?(result: InferResult): void;
}

/** Responses shown one by one; beyond this a concurrent run reports only its summary. */
const MAX_SHOWN_RESPONSES = 16;

function hintFor(error: TritonError): string | undefined {
  switch (error.kind) {
    case 'unavailable': return 'Is the server running and reachable at this address? Check the server in the Triton view or its entry in triton.servers.';
    case 'not-found': return 'Is the model (and this version) loaded? Refresh the Triton view, or load the model.';
    case 'invalid-argument': return 'The server refused the request: compare the inputs (names, datatypes, shapes) with the model metadata.';
    case 'deadline': return 'The request took too long: raise the timeout or check the server load.';
    case 'unauthenticated': case 'permission-denied': return 'Set the server token or secret headers (Triton: Set Server Token).';
    case 'unsupported': return 'This server or protocol does not support the request (decoupled models need gRPC streaming).';
    default: return undefined;
  }
}

export function errorView(error: unknown, index?: number): ErrorView {
  const at = index !== undefined ? { index } : {};
  if (error instanceof InputError) return { message: error.message, input: error.input, hint: 'Fix the value of this input and run again.', ...at };
  if (error instanceof TritonError) {
    const view: ErrorView = { message: error.message, ...at };
    if (error.serverMessage !== undefined) view.serverMessage = error.serverMessage;
    const hint = hintFor(error);
    if (hint !== undefined) view.hint = hint;
    return view;
  }
  return { message: error instanceof Error ? error.message : String(error), ...at };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bounded view of one result: output summaries and pictures of image-shaped outputs. */
export function responseView(result: InferResult, index: number, latencyMs: number, final?: boolean): ResponseView {
  const pictures: OutputPicture[] = [];
  const outputs = result.outputs.map((tensor): OutputViewData => {
    const view = outputView(tensor);
    if (view.kind === 'numeric' && view.image !== undefined) {
      const preview = imagePreview(tensor);
      if (preview) pictures.push({ name: tensor.name, width: preview.width, height: preview.height, rgbaBase64: base64(preview.rgba) });
    }
    return view;
  });
  const view: ResponseView = { index, model: result.modelName, version: result.modelVersion, latencyMs, outputs, pictures };
  if (result.id !== undefined && result.id !== '') view.id = result.id;
  if (result.parameters !== undefined) {
    view.parameters = Object.fromEntries(Object.entries(result.parameters).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
  }
  if (final !== undefined) view.final = final;
  return view;
}

async function statistics(client: RunClient, request: ResolvedRequest, signal: AbortSignal): Promise<InferStatistics | undefined> {
  try {
    const version = request.options.modelVersion;
    const all: ModelStatistics[] = await client.modelStatistics(request.model, { signal, deadlineMs: 2000, ...(version !== undefined ? { version } : {}) });
    // One entry per version: add them (the request went to one of them).
    const sum = (pick: (s: InferStatistics) => { count: number | bigint; ns: number | bigint }): { count: number; ns: number } =>
      all.reduce((acc, s) => ({ count: acc.count + Number(pick(s.inference_stats).count), ns: acc.ns + Number(pick(s.inference_stats).ns) }), { count: 0, ns: 0 });
    const d = (k: keyof InferStatistics): { count: number; ns: number } => sum((s) => s[k]);
    return { success: d('success'), fail: d('fail'), queue: d('queue'), compute_input: d('compute_input'), compute_infer: d('compute_infer'), compute_output: d('compute_output'), cache_hit: d('cache_hit'), cache_miss: d('cache_miss') };
  } catch {
    return undefined; // timings are a bonus: a server without statistics still runs requests
  }
}

function timingsBetween(before: InferStatistics | undefined, after: InferStatistics | undefined): ServerTimings | undefined {
  if (before === undefined || after === undefined) return undefined;
  const n = Number(after.success.count) - Number(before.success.count);
  if (n <= 0) return undefined;
  const per = (k: 'queue' | 'compute_input' | 'compute_infer' | 'compute_output'): number => (Number(after[k].ns) - Number(before[k].ns)) / n / 1000;
  return { requests: n, queueUs: per('queue'), computeInputUs: per('compute_input'), computeInferUs: per('compute_infer'), computeOutputUs: per('compute_output') };
}

function latencyStats(ms: number[]): RunSummary['latency'] {
  if (ms.length === 0) return undefined;
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { min: s[0]!, p50: q(0.5), p90: q(0.9), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/** Runs the request; resolves with the summary (never rejects: failures go to `callbacks.error`). */
export async function runInference(client: RunClient, request: ResolvedRequest, mode: RunMode, signal: AbortSignal, callbacks: RunCallbacks, shm?: SharedMemoryRun): Promise<RunSummary> {
  const started = performance.now();
  let viaShm: RunSummary['sharedMemory'];
  const latencies: number[] = [];
  let failed = 0;
  let shown = 0;
  let lastResult: InferResult | undefined;
  const before = mode.kind === 'stream' ? undefined : await statistics(client, request, signal);
  const options: InferOptions = { ...request.options, signal };
  const report = (result: InferResult, index: number, ms: number, final?: boolean): void => {
    lastResult = result;
    callbacks.result?.(result);
    if (shown++ < MAX_SHOWN_RESPONSES || final === true) callbacks.response(responseView(result, index, ms, final));
  };
  try {
    if (shm !== undefined && mode.kind !== 'single') {
      throw new TritonError('invalid-argument', 'shared memory runs one request at a time: choose One request, or turn shared memory off');
    }
    if (mode.kind === 'single' && shm !== undefined) {
      const t0 = performance.now();
      const outcome = await inferThroughSharedMemory(
        { client, serverId: shm.serverId, ...(shm.ledger ? { ledger: shm.ledger } : {}) },
        { model: request.model, inputs: request.inputs, outputs: request.outputs ?? [], outputShapes: shm.outputShapes, options },
        shm.plan,
      );
      latencies.push(performance.now() - t0);
      viaShm = { bytes: outcome.bytesViaShm, notes: outcome.notes };
      report(outcome.result, 0, latencies[0]!);
    } else if (mode.kind === 'single') {
      const t0 = performance.now();
      const result = await client.infer(request.model, request.inputs, request.outputs, options);
      latencies.push(performance.now() - t0);
      report(result, 0, latencies[0]!);
    } else if (mode.kind === 'concurrent') {
      // Each response is shown as it completes (in completion order), not when the whole run is over.
      let seq = 0;
      const timed = async (...args: Parameters<RunClient['infer']>): Promise<InferResult> => {
        const i = seq++;
        const t0 = performance.now();
        try {
          const result = await client.infer(...args);
          const ms = performance.now() - t0;
          latencies.push(ms);
          report(result, i, ms);
          return result;
        } catch (error) {
          failed++;
          if (failed <= MAX_SHOWN_RESPONSES && !signal.aborted) callbacks.error(errorView(TritonError.from(error), i));
          throw error;
        }
      };
      const requests = Array.from({ length: mode.count }, (_, i) => ({
        model: request.model, inputs: request.inputs, ...(request.outputs ? { outputs: request.outputs } : {}),
        options: { ...request.options, ...(request.options.requestId ? { requestId: `${request.options.requestId}-${i + 1}` } : {}) },
      }));
      const outcomes = await inferMany(timed, requests, { concurrency: mode.concurrency, signal }, mode.concurrency);
      // Requests never started (Stop) count as failed too.
      failed = outcomes.filter((o) => !o.ok).length;
    } else {
      if (client.protocol !== 'grpc') throw new TritonError('unsupported', 'streaming needs gRPC: choose gRPC for this run');
      const t0 = performance.now();
      const stream = client.streamInfer({ signal });
      stream.send({ model: request.model, inputs: request.inputs, ...(request.outputs ? { outputs: request.outputs } : {}), options: { ...request.options, requestId: request.options.requestId ?? 'stream-1', enableEmptyFinalResponse: true } });
      stream.end();
      let index = 0;
      for await (const item of stream) {
        if (item.error !== undefined) {
          failed++;
          callbacks.error(errorView(item.error, index++));
          continue;
        }
        const ms = performance.now() - t0;
        latencies.push(ms);
        report(item.result, index++, ms, item.final);
      }
    }
  } catch (error) {
    if (signal.aborted) return { requests: latencies.length + failed, failed, wallMs: performance.now() - started, latency: latencyStats(latencies), stopped: true };
    failed++;
    callbacks.error(errorView(error));
  }
  const wallMs = performance.now() - started;
  const after = before === undefined ? undefined : await statistics(client, request, signal);
  const summary: RunSummary = { requests: latencies.length + failed, failed, wallMs };
  const latency = latencyStats(latencies);
  if (latency) summary.latency = latency;
  const timings = timingsBetween(before, after);
  if (timings) summary.serverTimings = timings;
  summary.raw = { request: describeRequest(client.protocol, request), response: lastResult ? describeResponse(lastResult) : '(no response)' };
  if (viaShm) summary.sharedMemory = viaShm;
  if (signal.aborted) summary.stopped = true;
  return summary;
}
