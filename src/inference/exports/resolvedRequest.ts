// What the exports take: a draft (model, options, outputs) plus its inputs already resolved to
// values. The exports share one mapping to the client's request shape, so a curl body is
// byte-for-byte what the extension itself would send.
import type { InferInput, InferOptions, RequestedOutput, TensorData, TritonDatatype } from '../../triton/types';
import type { RequestDraft } from '../requestDraft';

/** One input with its values (as the panel resolves it from the draft's source). */
export interface ResolvedTensor {
  name: string;
  datatype: TritonDatatype;
  /** Full shape sent, batch dimension included. */
  shape: readonly number[];
  data: TensorData;
}

/** A file an export writes next to its main file: a plain name, no folders. */
export interface ExportFile {
  name: string;
  bytes: Uint8Array;
}

/** A safe file name part from a tensor or model name (letters, digits, '-', '_', '.'). */
export function fileNamePart(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned.slice(0, 80);
}

/** Names made unique by a numeric suffix, in order. */
export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let candidate = n;
    for (let i = 2; used.has(candidate); i++) candidate = `${n}_${i}`;
    used.add(candidate);
    return candidate;
  });
}

/** The client options a draft asks for (sequence, priority, timeout, request id, parameters, model version). */
export function inferOptionsOf(draft: RequestDraft): InferOptions {
  const options: InferOptions = {};
  if (draft.modelVersion) options.modelVersion = draft.modelVersion;
  if (draft.requestId) options.requestId = draft.requestId;
  if (draft.sequence) {
    options.sequenceId = draft.sequence.id;
    options.sequenceStart = draft.sequence.start;
    options.sequenceEnd = draft.sequence.end;
  }
  if (draft.priority) options.priority = draft.priority;
  if (draft.timeoutUs !== undefined) options.timeoutMicros = draft.timeoutUs;
  if (draft.parameters && Object.keys(draft.parameters).length > 0) options.parameters = { ...draft.parameters };
  return options;
}

export function requestedOutputsOf(draft: RequestDraft, binary?: boolean): RequestedOutput[] | undefined {
  if (draft.outputs.length === 0) return undefined;
  return draft.outputs.map((o) => {
    const out: RequestedOutput = { name: o.name };
    if (o.classCount) out.classCount = o.classCount;
    if (binary !== undefined) out.binary = binary;
    return out;
  });
}

/** Inputs in the client's shape; `binary` chooses HTTP binary chunks (FP16/BF16 always are). */
export function inferInputsOf(inputs: readonly ResolvedTensor[], binary: boolean): InferInput[] {
  return inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape], data: t.data, binary: binary || t.datatype === 'FP16' || t.datatype === 'BF16' }));
}

export function elementCountOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
