// What the run-inference panel sends for an image classifier: image_client.py's requests (images taken
// cyclically into batches of the chosen size), each with its input tensor and what to show about it.
import type { NumericTypedArray, TritonDatatype } from '../../triton/types';
import type { LoadedImage } from './files';
import { ImageModelError, imageBatches, stackImages } from './modelSpec';
import type { ImageModelSpec } from './modelSpec';
import { preprocessImage } from './preprocess';
import type { ChannelStats, ImageScaling, PreprocessedImage } from './preprocess';

export interface ImageRequestOptions {
  scaling: ImageScaling;
  /** image_client.py's -b; 1 when omitted. */
  batchSize?: number;
  /** Height and width to use where the model leaves them variable (-1). */
  height?: number;
  width?: number;
  /** The datatype sent, when not the model input's own (e.g. FP16 models fed FP16). */
  datatype?: TritonDatatype;
}

export interface ImageRequest {
  /** image_client.py's request id: "1", "2", ... */
  id: string;
  inputName: string;
  datatype: TritonDatatype;
  shape: number[];
  data: NumericTypedArray;
  /** Which images went in, in batch order (an image can appear twice when the batch wraps). */
  images: { name: string; path: string; stats: ChannelStats[]; preview: PreprocessedImage['preview'] }[];
}

function dimension(model: number, given: number | undefined, what: string): number {
  if (model > 0) {
    if (given !== undefined && given !== model) throw new ImageModelError(`the model's input ${what} is ${model}, not ${given}`);
    return model;
  }
  if (given === undefined || !Number.isInteger(given) || given <= 0) throw new ImageModelError(`the model's input ${what} is variable: give a positive ${what}`);
  return given;
}

export function buildImageRequests(images: readonly LoadedImage[], model: ImageModelSpec, options: ImageRequestOptions): ImageRequest[] {
  if (model.c !== 1 && model.c !== 3) throw new ImageModelError(`the model's input has ${model.c} channels; images give 1 (grey) or 3 (RGB)`);
  const spec = {
    channels: model.c as 1 | 3,
    height: dimension(model.h, options.height, 'height'),
    width: dimension(model.w, options.width, 'width'),
    format: model.format,
    scaling: options.scaling,
    datatype: options.datatype ?? model.datatype,
  };
  const batches = imageBatches(images.length, options.batchSize ?? 1, model.maxBatchSize);
  // Each image is preprocessed once, however many batches repeat it.
  const tensors = images.map((loaded) => preprocessImage(loaded.image, spec));
  return batches.map((indices, i) => {
    const stacked = stackImages(indices.map((k) => tensors[k]!), model.maxBatchSize);
    return {
      id: String(i + 1),
      inputName: model.inputName,
      datatype: spec.datatype,
      shape: stacked.shape,
      data: stacked.data,
      images: indices.map((k) => ({ name: images[k]!.name, path: images[k]!.path, stats: tensors[k]!.stats, preview: tensors[k]!.preview })),
    };
  });
}
