// image_client.py's parse_model(): which models take one image and give one classification vector,
// and the input geometry read from their metadata and config — with the script's own messages.
import { isDatatype } from '../../triton/datatypes';
import type { ModelConfigJson, ModelMetadata, NumericTypedArray, TritonDatatype } from '../../triton/types';
import type { ImageFormatOrder } from './preprocess';

export interface ImageModelSpec {
  maxBatchSize: number;
  inputName: string;
  outputName: string;
  /** From the metadata shape; -1 where the model leaves the dimension variable. */
  c: number;
  h: number;
  w: number;
  format: ImageFormatOrder;
  datatype: TritonDatatype;
}

/** model_config.proto ModelInput.Format values (HTTP JSON gives names, gRPC gives numbers). */
const FORMAT_NAMES: Record<number, string> = { 0: 'FORMAT_NONE', 1: 'FORMAT_NHWC', 2: 'FORMAT_NCHW' };

export class ImageModelError extends Error {
  override readonly name = 'ImageModelError';
}

function formatName(value: unknown): string {
  if (typeof value === 'number') return FORMAT_NAMES[value] ?? `FORMAT_${value}`;
  if (typeof value === 'string' && value !== '') return value;
  return 'FORMAT_NONE';
}

function dimsOf(shape: readonly (number | string)[]): number[] {
  return shape.map((d) => Number(d));
}

export function imageModelSpec(metadata: ModelMetadata, config: ModelConfigJson): ImageModelSpec {
  if (metadata.inputs.length !== 1) throw new ImageModelError(`expecting 1 input, got ${metadata.inputs.length}`);
  if (metadata.outputs.length !== 1) throw new ImageModelError(`expecting 1 output, got ${metadata.outputs.length}`);
  const configInputs = Array.isArray(config['input']) ? (config['input'] as Record<string, unknown>[]) : [];
  if (configInputs.length !== 1) throw new ImageModelError(`expecting 1 input in model configuration, got ${configInputs.length}`);
  const input = metadata.inputs[0]!;
  const output = metadata.outputs[0]!;
  if (output.datatype !== 'FP32') {
    throw new ImageModelError(`expecting output datatype to be FP32, model '${metadata.name}' output type is ${output.datatype}`);
  }
  const maxBatchSize = Number(config['max_batch_size'] ?? 0) || 0;
  const batching = maxBatchSize > 0;
  // A vector: every dimension but one is 1 (the batch dimension is not counted).
  const outDims = dimsOf(output.shape).slice(batching ? 1 : 0);
  if (outDims.filter((d) => d > 1).length > 1) throw new ImageModelError('expecting model output to be a vector');
  const expected = 3 + (batching ? 1 : 0);
  const inDims = dimsOf(input.shape);
  if (inDims.length !== expected) {
    throw new ImageModelError(`expecting input to have ${expected} dimensions, model '${metadata.name}' input has ${inDims.length}`);
  }
  const fmt = formatName(configInputs[0]!['format']);
  if (fmt !== 'FORMAT_NCHW' && fmt !== 'FORMAT_NHWC') {
    throw new ImageModelError(`unexpected input format ${fmt}, expecting FORMAT_NCHW or FORMAT_NHWC`);
  }
  if (!isDatatype(input.datatype)) throw new ImageModelError(`model '${metadata.name}' input has unknown datatype ${input.datatype}`);
  const [a, b, c] = inDims.slice(batching ? 1 : 0) as [number, number, number];
  const geometry = fmt === 'FORMAT_NHWC' ? { h: a, w: b, c } : { c: a, h: b, w: c };
  return {
    maxBatchSize,
    inputName: input.name,
    outputName: output.name,
    ...geometry,
    format: fmt === 'FORMAT_NHWC' ? 'NHWC' : 'NCHW',
    datatype: input.datatype,
  };
}

/**
 * The requests image_client.py sends for `count` images and batch size `batchSize`: images are taken
 * in order and cyclically, and the request in which the index wraps back to the first image is the last.
 * Returns image indices per request.
 */
export function imageBatches(count: number, batchSize: number, maxBatchSize: number): number[][] {
  if (count <= 0) throw new ImageModelError('no images to send');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ImageModelError(`batch size ${batchSize} must be a positive integer`);
  if (maxBatchSize <= 0 && batchSize !== 1) throw new ImageModelError("This model doesn't support batching.");
  if (maxBatchSize > 0 && batchSize > maxBatchSize) throw new ImageModelError(`batch size ${batchSize} is over the model's max_batch_size ${maxBatchSize}`);
  const requests: number[][] = [];
  let index = 0;
  let last = false;
  while (!last) {
    const batch: number[] = [];
    for (let i = 0; i < batchSize; i++) {
      batch.push(index);
      index = (index + 1) % count;
      if (index === 0) last = true;
    }
    requests.push(batch);
  }
  return requests;
}

/** np.stack(batch, axis=0) for batching models; the single tensor itself otherwise. */
export function stackImages<T extends NumericTypedArray>(tensors: readonly { data: T; shape: readonly number[] }[], maxBatchSize: number): { data: T; shape: number[] } {
  const first = tensors[0];
  if (first === undefined) throw new ImageModelError('no images to stack');
  if (maxBatchSize <= 0) return { data: first.data, shape: [...first.shape] };
  const per = first.data.length;
  const ctor = first.data.constructor as new (n: number) => T;
  const out = new ctor(per * tensors.length);
  tensors.forEach((t, i) => {
    if (t.data.length !== per || t.shape.join() !== first.shape.join()) throw new ImageModelError(`image ${i} has shape [${t.shape.join(', ')}], not [${first.shape.join(', ')}]`);
    (out as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(t.data as ArrayLike<number | bigint>, i * per);
  });
  return { data: out, shape: [tensors.length, ...first.shape] };
}
