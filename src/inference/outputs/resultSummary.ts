// From an inference result to what the panel shows and history keeps: one small view per output
// (top-k bars, numeric summary, BYTES text/hex, or where a shared-memory output went). Bounded: the
// size of a summary does not grow with the size of the tensors.
import type { InferResult, OutputTensor } from '../../triton/types';
import { summarizeBytes } from './bytesView';
import type { BytesViewOptions } from './bytesView';
import { classificationView } from './classification';
import { imageLayoutOf } from './imagePreview';
import { summarizeNumeric } from './numericSummary';
import type { NumericSummaryOptions } from './numericSummary';
import type { NumericOutputView, OutputView } from './views';

export type OutputViewOptions = NumericSummaryOptions & BytesViewOptions;

export interface ResultSummary {
  model: string;
  version: string;
  id?: string;
  outputs: OutputView[];
}

/** The view of one output. Never throws: a malformed classification string becomes an 'error' view naming it. */
export function outputView(tensor: OutputTensor, options: OutputViewOptions = {}): OutputView {
  const base = { name: tensor.name, datatype: tensor.datatype, shape: [...tensor.shape] };
  if (tensor.sharedMemory !== undefined && tensor.data === undefined) {
    return { kind: 'sharedMemory', ...base, region: tensor.sharedMemory.region, byteSize: tensor.sharedMemory.byteSize, offset: tensor.sharedMemory.offset ?? 0 };
  }
  try {
    const classes = tensor.classification !== undefined ? classificationView(tensor) : undefined;
    if (classes) return classes;
    const bytes = summarizeBytes(tensor, options);
    if (bytes) return bytes;
    const numeric: NumericOutputView | undefined = summarizeNumeric(tensor, options);
    if (numeric) {
      const image = imageLayoutOf(tensor.shape, tensor.datatype);
      if (image) numeric.image = image;
      return numeric;
    }
    return { kind: 'error', ...base, message: `output '${tensor.name}' carries no values` };
  } catch (error) {
    return { kind: 'error', ...base, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Views of every output of a result, in the server's order. */
export function summarizeResult(result: InferResult, options: OutputViewOptions = {}): ResultSummary {
  const summary: ResultSummary = { model: result.modelName, version: result.modelVersion, outputs: result.outputs.map((o) => outputView(o, options)) };
  if (result.id !== undefined && result.id !== '') summary.id = result.id;
  return summary;
}
