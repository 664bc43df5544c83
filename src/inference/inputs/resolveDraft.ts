// Turns a RequestDraft into what src/triton's client sends: input tensors, requested outputs and
// call options, checking every input against the model's form first. File reading is injected.
import { isAbsolute, resolve } from 'node:path';
import { datatypeInfo } from '../../triton/datatypes';
import { toBf16Array } from '../../triton/fp16';
import type { InferInput, InferOptions, NumericTypedArray, RequestedOutput, TritonDatatype } from '../../triton/types';
import type { ImageScaling, InputDraft, RequestDraft } from '../requestDraft';
import { checkBytesFileCount, parseBytesText } from './bytesText';
import { fillValues } from './fills';
import { InputError } from './inputError';
import type { FormInput, ModelForm } from './modelForm';
import { parseNumericText } from './numericText';

/** What an image input asks of the image pipeline (image_client.py's preprocess for one batch). */
export interface ImageTensorRequest {
  paths: string[];
  channels: 1 | 3;
  height: number;
  width: number;
  format: 'NCHW' | 'NHWC';
  scaling: ImageScaling;
  datatype: TritonDatatype;
  /** Images per request: the batch size when the model batches, else 1 (no batch dimension). */
  batch: number;
  batched: boolean;
}

export interface LoadedTensor {
  datatype: TritonDatatype;
  shape: number[];
  data: NumericTypedArray;
}

/** Host-side readers; the panel passes real ones, tests may too. Paths given here are absolute. */
export interface InputReaders {
  /** Folder that relative paths in the draft are resolved against. */
  baseDir?: string;
  readFile(path: string): Promise<Uint8Array>;
  readNpy(path: string): Promise<LoadedTensor>;
  loadImages(request: ImageTensorRequest): Promise<LoadedTensor>;
}

export interface ResolvedRequest {
  model: string;
  inputs: InferInput[];
  /** Undefined: every output (the server's default). */
  outputs?: RequestedOutput[];
  options: InferOptions;
}

function absolute(path: string, readers: InputReaders, input: string): string {
  if (path.includes('\0')) throw new InputError(input, 'a file path contains a NUL character');
  if (isAbsolute(path)) return path;
  if (readers.baseDir === undefined) throw new InputError(input, `'${path}' is a relative path and there is no folder to resolve it against; give an absolute path`);
  return resolve(readers.baseDir, path);
}

/** The draft's shape must fit the model: same rank, fixed dims equal, batch within max_batch_size. */
function checkShape(form: ModelForm, spec: FormInput, shape: readonly number[]): void {
  const expected = form.maxBatchSize > 0 ? [-1, ...spec.dims] : spec.dims;
  const show = (dims: readonly number[]): string => `[${dims.join(', ')}]`;
  if (shape.length !== expected.length) {
    const hint = form.maxBatchSize > 0 ? ' (the first dimension is the batch size)' : '';
    throw new InputError(spec.name, `shape ${show(shape)} has ${shape.length} dimension(s); the model expects ${show(expected)}${hint}`);
  }
  shape.forEach((d, i) => {
    const want = expected[i]!;
    if (want >= 0 && d !== want) throw new InputError(spec.name, `dimension ${i} is ${d} but the model fixes it at ${want} (shape ${show(expected)})`);
  });
  if (form.maxBatchSize > 0 && (shape[0]! < 1 || shape[0]! > form.maxBatchSize)) {
    throw new InputError(spec.name, `batch size ${shape[0]} is outside 1..${form.maxBatchSize} (the model's max_batch_size)`);
  }
}

async function resolveInput(draft: InputDraft, spec: FormInput, form: ModelForm, readers: InputReaders, binary: boolean): Promise<InferInput> {
  const { name, datatype, shape } = draft;
  const source = draft.source;
  const count = shape.reduce((a, b) => a * b, 1);
  const isBytes = datatype === 'BYTES';
  const numericOnly = (): void => {
    if (isBytes) throw new InputError(name, `${source.kind} values are for numeric inputs; a BYTES input takes lines, a JSON array of strings or files`);
  };
  switch (source.kind) {
    case 'json':
      numericOnly();
      return { name, datatype, shape, data: parseNumericText(source.text, datatype, shape, name), binary };
    case 'fill':
      numericOnly();
      return { name, datatype, shape, data: fillValues(source, datatype, count, name), binary };
    case 'bytes':
      if (!isBytes) throw new InputError(name, `text elements are for BYTES inputs; this input is ${datatype}`);
      return { name, datatype, shape, data: parseBytesText(source.text, source.format, shape, name), binary };
    case 'files': {
      if (!isBytes) throw new InputError(name, `one file per element is for BYTES inputs; this input is ${datatype} (use a .npy file)`);
      checkBytesFileCount(source.paths, shape, name);
      const data = await Promise.all(source.paths.map(async (p) => {
        const path = absolute(p, readers, name);
        try {
          return await readers.readFile(path);
        } catch (error) {
          throw new InputError(name, `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }));
      return { name, datatype, shape, data, binary };
    }
    case 'npy': {
      numericOnly();
      const path = absolute(source.path, readers, name);
      let tensor: LoadedTensor;
      try {
        tensor = await readers.readNpy(path);
      } catch (error) {
        throw new InputError(name, `${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (datatype === 'BF16' && tensor.datatype === 'FP32') tensor = { ...tensor, datatype, data: toBf16Array(tensor.data as Float32Array) };
      if (tensor.datatype !== datatype) throw new InputError(name, `${path} holds ${tensor.datatype} values but the input is ${datatype}`);
      if (tensor.data.length !== count) {
        throw new InputError(name, `${path} has shape [${tensor.shape.join(', ')}] (${tensor.data.length} elements) but the input's shape [${shape.join(', ')}] needs ${count}`);
      }
      return { name, datatype, shape, data: tensor.data, binary };
    }
    case 'image': {
      if (spec.image === undefined || spec.format === undefined) {
        throw new InputError(name, 'this input is not an image: it needs 3 dimensions (plus batch), 1 or 3 channels and format FORMAT_NCHW or FORMAT_NHWC in the config');
      }
      if (source.paths.length === 0) throw new InputError(name, 'no image chosen');
      const batched = form.maxBatchSize > 0;
      const tensor = await readers.loadImages({
        paths: source.paths.map((p) => absolute(p, readers, name)),
        ...spec.image,
        scaling: source.scaling,
        datatype,
        batch: batched ? shape[0]! : 1,
        batched,
      });
      if (tensor.data.length !== count) throw new InputError(name, `the images make shape [${tensor.shape.join(', ')}] but the input's shape is [${shape.join(', ')}]`);
      return { name, datatype, shape, data: tensor.data, binary: true };
    }
  }
}

/** Options of the call: sequence, priority, timeout, request id, parameters, HTTP binary or JSON. */
export function draftOptions(draft: RequestDraft): InferOptions {
  const options: InferOptions = { binaryData: draft.binary };
  if (draft.modelVersion !== undefined && draft.modelVersion !== '') options.modelVersion = draft.modelVersion;
  if (draft.requestId !== undefined && draft.requestId !== '') options.requestId = draft.requestId;
  if (draft.sequence !== undefined) {
    options.sequenceId = draft.sequence.id;
    options.sequenceStart = draft.sequence.start;
    options.sequenceEnd = draft.sequence.end;
  }
  if (draft.priority !== undefined && draft.priority !== 0) options.priority = draft.priority;
  if (draft.timeoutUs !== undefined && draft.timeoutUs !== 0) options.timeoutMicros = draft.timeoutUs;
  if (draft.parameters !== undefined && Object.keys(draft.parameters).length > 0) options.parameters = { ...draft.parameters };
  return options;
}

/**
 * Resolves every input of the draft (all problems of one input at a time, in the model's input
 * order). Inputs the model does not have, required inputs left out and control inputs are refused.
 */
export async function resolveDraft(draft: RequestDraft, form: ModelForm, readers: InputReaders): Promise<ResolvedRequest> {
  const specs = new Map(form.inputs.map((i) => [i.name, i]));
  for (const input of draft.inputs) {
    if (form.controlInputs.includes(input.name)) throw new InputError(input.name, 'is a sequence control input: the server fills it from the sequence start/end flags; remove it');
    if (!specs.has(input.name)) throw new InputError(input.name, `model '${form.model}' has no such input (it has ${form.inputs.map((i) => i.name).join(', ') || 'none'})`);
  }
  const given = new Map(draft.inputs.map((i) => [i.name, i]));
  const inputs: InferInput[] = [];
  const binary = draft.protocol === 'grpc' || draft.binary;
  for (const spec of form.inputs) {
    const input = given.get(spec.name);
    if (input === undefined) {
      if (spec.optional) continue;
      throw new InputError(spec.name, 'no value given; the model requires this input');
    }
    if (input.datatype !== spec.datatype) throw new InputError(spec.name, `the draft says ${input.datatype} but the model takes ${spec.datatype}`);
    checkShape(form, spec, input.shape);
    if (!binary && !datatypeInfo(input.datatype).json) throw new InputError(spec.name, `${input.datatype} cannot be sent as JSON over HTTP; choose binary tensors`);
    inputs.push(await resolveInput(input, spec, form, readers, binary));
  }
  const outputNames = new Set(form.outputs.map((o) => o.name));
  for (const o of draft.outputs) {
    if (!outputNames.has(o.name)) throw new Error(`output '${o.name}': model '${form.model}' has no such output (it has ${[...outputNames].join(', ') || 'none'})`);
  }
  const outputs: RequestedOutput[] | undefined = draft.outputs.length === 0
    ? undefined
    : draft.outputs.map((o) => ({ name: o.name, ...(o.classCount ? { classCount: o.classCount } : {}), ...(draft.protocol === 'http' ? { binary: draft.binary } : {}) }));
  return { model: draft.model, inputs, ...(outputs ? { outputs } : {}), options: draftOptions(draft) };
}
