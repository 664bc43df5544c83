// The views of inference outputs, as plain JSON types: what src/inference/outputs builds on the host
// and what the run-inference page draws (src/shared/outputViews.ts takes them from here, type-only).
// No imports beyond types that need nothing of Node, so the page's build can check them.
import type { TritonDatatype } from '../../triton/types';

export interface TopKEntry {
  score: number;
  index: number;
  label?: string;
}

export interface ClassificationView {
  kind: 'classification';
  name: string;
  /** One list per batch entry (a single list when the model does not batch), highest score first. */
  batches: TopKEntry[][];
}

export interface Histogram {
  /** Lower edge of the first bin. */
  readonly start: number;
  /** Width of every bin (0 when all values are equal). */
  readonly width: number;
  /** Values per bin; bin i holds start + i·width ≤ v < start + (i+1)·width (the last bin also holds its upper edge). */
  readonly counts: number[];
}

export interface NumericSummary {
  kind: 'numeric';
  name: string;
  datatype: TritonDatatype;
  shape: number[];
  /** Elements in the tensor. */
  count: number;
  /** The first `firstCount` values as text: exact digits for 64-bit integers, 'NaN'/'Infinity' spelled out. */
  first: string[];
  /** Smallest and largest finite value, as exact text; absent when there is none. */
  min?: string;
  max?: string;
  /** Mean of the finite values (a double); absent when there is none. */
  mean?: number;
  nanCount: number;
  infCount: number;
  histogram?: Histogram;
}

export interface BytesElementView {
  /** 'text' when the shown bytes are valid UTF-8, else 'hex'. */
  encoding: 'text' | 'hex';
  /** The shown part: the text itself, or lowercase hex pairs separated by spaces. */
  value: string;
  /** The element's full length in bytes. */
  byteLength: number;
  /** Bytes not shown (0 when the whole element is shown). */
  moreBytes: number;
}

export interface BytesSummary {
  kind: 'bytes';
  name: string;
  datatype: TritonDatatype;
  shape: number[];
  count: number;
  elements: BytesElementView[];
  /** Elements not shown. */
  moreElements: number;
}

export interface ImageLayout {
  height: number;
  width: number;
  channels: 1 | 3;
  /** Where the channel dimension sits. */
  layout: 'HWC' | 'CHW';
}

export interface SharedMemoryOutputView {
  kind: 'sharedMemory';
  name: string;
  datatype: TritonDatatype;
  shape: number[];
  region: string;
  byteSize: number;
  offset: number;
}

export interface ErrorOutputView {
  kind: 'error';
  name: string;
  datatype: TritonDatatype;
  shape: number[];
  message: string;
}

/** A numeric summary, plus the image layout when the output can be shown as a picture. */
export type NumericOutputView = NumericSummary & { image?: ImageLayout };

export type OutputView = ClassificationView | NumericOutputView | BytesSummary | SharedMemoryOutputView | ErrorOutputView;

export interface TopKAgreement {
  /** Batch entry. */
  batch: number;
  top1Same: boolean;
  /** Classes (by index) in both top-k lists, out of the shorter list's length. */
  common: number;
  k: number;
}

export interface OutputComparison {
  name: string;
  /** Present in each side. */
  inA: boolean;
  inB: boolean;
  a?: { datatype: TritonDatatype; shape: number[] };
  b?: { datatype: TritonDatatype; shape: number[] };
  datatypeEqual: boolean;
  shapeEqual: boolean;
  /** Largest |a − b| over the compared elements (numeric outputs); Infinity when one side is infinite and the other not. */
  maxAbsDiff?: number;
  /** Flat index where maxAbsDiff occurs. */
  maxAbsDiffAt?: number;
  /** Positions where exactly one side is NaN (not counted in maxAbsDiff). */
  nanMismatches?: number;
  /** BYTES: elements that differ. */
  differentElements?: number;
  /** Elements compared, and whether that was every element (false for summaries that kept only the first values). */
  compared: number;
  complete: boolean;
  topK?: TopKAgreement[];
}

export interface ResultComparison {
  a: { model: string; version: string };
  b: { model: string; version: string };
  outputs: OutputComparison[];
  /** Every output present on both sides with equal datatype, shape and values (as far as compared). */
  same: boolean;
}
