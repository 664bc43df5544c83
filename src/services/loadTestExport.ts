// A load test of a run-inference request: the request draft with its resolved inputs becomes the
// payload every load-test call sends, and the matching perf_analyzer export (its --input-data JSON
// from the run-inference exporter, plus this plan's load options).
import type { RequestDraft } from '../inference/requestDraft';
import { buildPerfAnalyzerExport } from '../inference/exports/perfAnalyzerExport';
import type { PerfAnalyzerExport, PerfAnalyzerOptions } from '../inference/exports/perfAnalyzerExport';
import { inferInputsOf, inferOptionsOf, requestedOutputsOf } from '../inference/exports/resolvedRequest';
import type { ResolvedTensor } from '../inference/exports/resolvedRequest';
import type { LoadRequest } from './loadTest';
import { planLoad, withLoad } from './loadTestFigures';
import type { LoadPlan } from './loadTestTypes';

/**
 * The request a draft describes, built once and sent as it is by every call. The model version
 * goes to the load test's `version` (it also reads that version's config and statistics).
 */
export function loadRequestFromDraft(draft: RequestDraft, inputs: readonly ResolvedTensor[]): LoadRequest {
  if (draft.mode.kind === 'stream') throw new Error(`${draft.model}: a stream request cannot be load-tested with single calls`);
  const { modelVersion: _version, ...options } = inferOptionsOf(draft);
  // Outputs come back binary over HTTP when the request sends binary: what a load-testing client would ask for.
  const request: LoadRequest = { inputs: inferInputsOf(inputs, draft.binary), options: { ...options, binaryData: draft.binary } };
  const outputs = requestedOutputsOf(draft, draft.protocol === 'http' ? draft.binary : undefined);
  if (outputs !== undefined) request.outputs = outputs;
  return request;
}

/** perf_analyzer's `--input-data` file and the command that puts the plan's load on the same request. */
export function loadTestPerfAnalyzerExport(draft: RequestDraft, inputs: readonly ResolvedTensor[], options: PerfAnalyzerOptions, plan: LoadPlan): PerfAnalyzerExport {
  const exported = buildPerfAnalyzerExport(draft, inputs, options);
  return { ...exported, command: withLoad(exported.command, planLoad(plan)) };
}
