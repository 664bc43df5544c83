// The run-inference form of a model, read from its metadata and config: which inputs the user fills
// (and which dimensions they must choose), which the server fills itself, outputs, batching and mode.
import { datatypeFromConfigType, isDatatype } from '../../triton/datatypes';
import type { ModelConfigJson, ModelMetadata, TritonDatatype } from '../../triton/types';
import { REQUEST_DRAFT_VERSION } from '../requestDraft';
import type { InputDraft, InputSource, RequestDraft } from '../requestDraft';

export interface FormInput {
  name: string;
  datatype: TritonDatatype;
  /** Dims without the batch dimension; -1 marks a dimension the user chooses. */
  dims: number[];
  /** NCHW / NHWC from the config's `format`, when it names one. */
  format?: 'NCHW' | 'NHWC';
  optional: boolean;
  /** Three dims with a known image layout and channel count 1 or 3: an image editor fits. */
  image?: { channels: 1 | 3; height: number; width: number; format: 'NCHW' | 'NHWC' };
}

export interface FormOutput {
  name: string;
  datatype: string;
  dims: number[];
  /** The config names a label file, so top-k classification returns labels. */
  labelled: boolean;
}

export interface ModelForm {
  model: string;
  versions: string[];
  platform: string;
  /** > 0: every input gets a leading batch dimension of 1..maxBatchSize. */
  maxBatchSize: number;
  inputs: FormInput[];
  outputs: FormOutput[];
  /** model_transaction_policy.decoupled: responses come over a gRPC stream. */
  decoupled: boolean;
  /** A sequence-batched (stateful) model: requests carry a sequence id and start/end flags. */
  sequence: boolean;
  /** Control inputs (START, END, READY, CORRID) the server fills from the sequence flags; never asked for. */
  controlInputs: string[];
}

function record(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

function list(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

/** int64 fields come as numbers or (protobuf-JSON) strings. */
function int(x: unknown, fallback: number): number {
  const n = typeof x === 'string' && /^-?\d+$/.test(x.trim()) ? Number(x) : x;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : fallback;
}

function formatOf(x: unknown): 'NCHW' | 'NHWC' | undefined {
  // HTTP gives the enum's name, gRPC-converted JSON may give its number (1 = NHWC, 2 = NCHW).
  if (x === 'FORMAT_NCHW' || x === 2) return 'NCHW';
  if (x === 'FORMAT_NHWC' || x === 1) return 'NHWC';
  return undefined;
}

function imageOf(dims: number[], format: 'NCHW' | 'NHWC' | undefined): FormInput['image'] {
  if (format === undefined || dims.length !== 3) return undefined;
  const [c, h, w] = format === 'NCHW' ? [dims[0]!, dims[1]!, dims[2]!] : [dims[2]!, dims[0]!, dims[1]!];
  if ((c !== 1 && c !== 3) || h <= 0 || w <= 0) return undefined;
  return { channels: c, height: h, width: w, format };
}

/**
 * Builds the form. Metadata is what the server serves (names, datatypes, shapes as it will check
 * them); the config adds what metadata lacks: batching, formats, labels, decoupling, sequences.
 */
export function buildModelForm(metadata: ModelMetadata, config: ModelConfigJson): ModelForm {
  const maxBatchSize = Math.max(0, int(config.max_batch_size, 0));
  const configInputs = new Map(list(config.input).map((i) => [String(record(i).name), record(i)]));
  const configOutputs = new Map(list(config.output).map((o) => [String(record(o).name), record(o)]));
  const seq = config.sequence_batching;
  const controlInputs = list(record(seq).control_input).map((c) => String(record(c).name));
  const controls = new Set(controlInputs);

  const inputs: FormInput[] = [];
  for (const meta of metadata.inputs) {
    if (controls.has(meta.name)) continue;
    const cfg = configInputs.get(meta.name) ?? {};
    const datatype = isDatatype(meta.datatype) ? meta.datatype : datatypeFromConfigType(String(cfg.data_type));
    if (datatype === undefined) continue;
    // Metadata shapes include the batch dimension (-1) when the model batches.
    const dims = maxBatchSize > 0 && meta.shape.length > 0 ? meta.shape.slice(1) : [...meta.shape];
    const format = formatOf(cfg.format);
    const input: FormInput = { name: meta.name, datatype, dims, optional: cfg.optional === true, ...(format ? { format } : {}) };
    const image = datatype !== 'BYTES' && datatype !== 'BOOL' ? imageOf(dims, format) : undefined;
    if (image) input.image = image;
    inputs.push(input);
  }
  const outputs: FormOutput[] = metadata.outputs.map((meta) => {
    const cfg = configOutputs.get(meta.name) ?? {};
    const dims = maxBatchSize > 0 && meta.shape.length > 0 ? meta.shape.slice(1) : [...meta.shape];
    return { name: meta.name, datatype: meta.datatype, dims, labelled: typeof cfg.label_filename === 'string' && cfg.label_filename !== '' };
  });
  return {
    model: metadata.name,
    versions: [...metadata.versions],
    platform: metadata.platform,
    maxBatchSize,
    inputs,
    outputs,
    decoupled: record(config.model_transaction_policy).decoupled === true,
    sequence: seq !== undefined && seq !== null,
    controlInputs,
  };
}

/** The full shape sent for an input: batch first when the model batches, chosen values for -1 dims. */
export function fullShape(form: ModelForm, input: FormInput, batch: number, chosen: readonly number[] = []): number[] {
  let next = 0;
  const dims = input.dims.map((d) => (d >= 0 ? d : (chosen[next++] ?? 1)));
  return form.maxBatchSize > 0 ? [batch, ...dims] : dims;
}

/** Dims as the form shows them: `[batch, 3, 224, 224]` with `-1` spelled `?`. */
export function describeDims(form: ModelForm, dims: readonly number[]): string {
  const parts = dims.map((d) => (d < 0 ? '?' : String(d)));
  return `[${(form.maxBatchSize > 0 ? ['batch', ...parts] : parts).join(', ')}]`;
}

/** A first draft for a model: batch 1, dynamic dims 1, zeros for numbers, one line per BYTES element, images to choose. */
export function initialDraft(form: ModelForm, protocol: 'http' | 'grpc'): RequestDraft {
  const inputs: InputDraft[] = form.inputs.map((input) => {
    const shape = fullShape(form, input, 1);
    const count = shape.reduce((a, b) => a * b, 1);
    const source: InputSource = input.image !== undefined
      ? { kind: 'image', paths: [], scaling: 'NONE' }
      : input.datatype === 'BYTES'
        ? { kind: 'bytes', format: 'lines', text: Array.from({ length: Math.min(count, 1024) }, (_, i) => String(i)).join('\n') }
        : { kind: 'fill', fill: 'zeros' };
    return { name: input.name, datatype: input.datatype, shape, source };
  });
  const outputs = form.outputs.map((o) => ({ name: o.name, ...(o.labelled ? { classCount: 5 } : {}) }));
  return {
    version: REQUEST_DRAFT_VERSION,
    model: form.model,
    protocol: form.decoupled ? 'grpc' : protocol,
    binary: true,
    inputs,
    outputs,
    mode: form.decoupled ? { kind: 'stream' } : { kind: 'single' },
    ...(form.sequence ? { sequence: { id: 1, start: true, end: false } } : {}),
  };
}
