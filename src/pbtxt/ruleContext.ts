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
