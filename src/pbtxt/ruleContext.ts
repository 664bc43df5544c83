// Shared state and helpers for the Triton rule checks over one config document.
import type { Diagnostic, ParsedDocument, QuickFix, Range, Severity } from './ast';
import type { MessageView } from './view';

export interface RuleContext {
  doc: ParsedDocument;
  cfg: MessageView;
  /** `name` from the file, else the directory name, else "the model". */
  modelName: string;
  platform: string;
  backend: string;
  maxBatchSize: number;
  out: Diagnostic[];
  /** False when the server runs with --disable-auto-complete-config: the file must then be complete. */
  autoComplete: boolean;
  /** What the model folder tells when the config names neither platform nor backend. */
  detected?: DetectedModel;
  /** The Python model defines auto_complete_config, so the backend may fill in inputs and outputs. */
  pythonAutoComplete?: boolean;
}

/** Backend and platform Triton derives from the model file's name (model.plan → tensorrt_plan, …). */
export interface DetectedModel {
  backend: string;
  /** Empty for backends without a platform (python, openvino). */
  platform: string;
  file: string;
}

export function report(
  ctx: RuleContext, range: Range, severity: Severity, code: string, message: string,
  extra?: { fix?: QuickFix; data?: Record<string, unknown> },
): void {
  const d: Diagnostic = { range, severity, code, message };
  if (extra?.fix !== undefined) d.fix = extra.fix;
  if (extra?.data !== undefined) d.data = extra.data;
  ctx.out.push(d);
}

/** A zero-width range at the start of the document, for facts with no place in the text. */
export function startRange(ctx: RuleContext): Range {
  const p = ctx.doc.positionAt(0);
  return { start: p, end: p };
}

/** Range covering a message's opening bracket, for "this block lacks X" reports. */
export function openRange(ctx: RuleContext, view: MessageView): Range {
  const r = view.node.range;
  const end = ctx.doc.positionAt(Math.min(r.end.offset, r.start.offset + 1));
  return { start: r.start, end };
}

export const PLATFORM_BACKEND: ReadonlyMap<string, string> = new Map([
  ['tensorrt_plan', 'tensorrt'],
  ['onnxruntime_onnx', 'onnxruntime'],
  ['tensorflow_graphdef', 'tensorflow'],
  ['tensorflow_savedmodel', 'tensorflow'],
  ['pytorch_libtorch', 'pytorch'],
  ['torch_aoti', 'pytorch'],
]);

export const FRAMEWORK_BACKENDS: ReadonlySet<string> = new Set(['tensorflow', 'tensorrt', 'onnxruntime', 'pytorch']);

/** The platform the model ends up with: the config's own, else the one Triton derives from the model file. */
export function completedPlatform(ctx: RuleContext): string {
  return ctx.platform !== '' ? ctx.platform : ctx.detected?.platform ?? '';
}

/** The backend that will run the model, from the config or, failing that, from the model file. */
export function completedBackend(ctx: RuleContext): string {
  return ctx.backend !== '' ? ctx.backend : PLATFORM_BACKEND.get(ctx.platform) ?? ctx.detected?.backend ?? '';
}

/** Backends that read inputs and outputs (names, types, shapes) from the model file to complete the config. */
const IO_FILLERS: ReadonlyMap<string, string> = new Map([
  ['onnxruntime', 'the ONNX Runtime backend'], ['tensorrt', 'the TensorRT backend'], ['tensorflow', 'the TensorFlow backend'],
  ['openvino', 'the OpenVINO backend'],
]);

/**
 * Who fills in a tensor's missing data_type or dims when the server auto-completes configs, or
 * undefined when nobody does (auto-complete off, PyTorch, TensorFlow GraphDef, which has no signature,
 * custom backends, Python without auto_complete_config).
 */
export function ioFiller(ctx: RuleContext): string | undefined {
  if (!ctx.autoComplete) return undefined;
  const backend = completedBackend(ctx);
  if (backend === 'python') return ctx.pythonAutoComplete === true ? "the Python backend (model.py's auto_complete_config)" : undefined;
  if (backend === 'tensorflow' && completedPlatform(ctx) !== 'tensorflow_savedmodel') return undefined;
  return IO_FILLERS.get(backend);
}

/** Product of dims, or undefined when any is -1 (variable). */
export function elementCount(dims: readonly number[]): number | undefined {
  let p = 1;
  for (const d of dims) {
    if (d < 0) return undefined;
    p *= d;
  }
  return p;
}

export function formatDims(dims: readonly number[]): string {
  return `[ ${dims.join(', ')} ]`;
}
