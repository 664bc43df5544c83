// The result views the run-inference page draws, as plain JSON types. src/inference/outputs builds
// them host-side; the host assigns its values to these types, so the compiler catches any drift.

export interface TopKEntryView {
  score: number;
  index: number;
  label?: string;
}

export interface HistogramView {
  readonly start: number;
  readonly width: number;
  readonly counts: number[];
}

export interface ClassificationOutputView {
  kind: 'classification';
  name: string;
  batches: TopKEntryView[][];
}

export interface NumericOutputView {
  kind: 'numeric';
  name: string;
  datatype: string;
  shape: number[];
  count: number;
  first: string[];
  min?: string;
  max?: string;
  mean?: number;
  nanCount: number;
  infCount: number;
  histogram?: HistogramView;
}

export interface BytesOutputView {
  kind: 'bytes';
  name: string;
  datatype: string;
  shape: number[];
  count: number;
  elements: { encoding: 'text' | 'hex'; value: string; byteLength: number; moreBytes: number }[];
  moreElements: number;
}

export interface SharedMemoryOutputView {
  kind: 'sharedMemory';
  name: string;
  datatype: string;
  shape: number[];
  region: string;
  byteSize: number;
  offset: number;
}

export interface ErrorOutputView {
  kind: 'error';
  name: string;
  datatype: string;
  shape: number[];
  message: string;
}

export type OutputViewData = ClassificationOutputView | NumericOutputView | BytesOutputView | SharedMemoryOutputView | ErrorOutputView;

/** Two results side by side (src/inference/outputs/compare.ts builds it). */
export interface ComparisonView {
  a: { model: string; version: string };
  b: { model: string; version: string };
  outputs: {
    name: string;
    inA: boolean;
    inB: boolean;
    a?: { datatype: string; shape: number[] };
    b?: { datatype: string; shape: number[] };
    datatypeEqual: boolean;
    shapeEqual: boolean;
    maxAbsDiff?: number;
    maxAbsDiffAt?: number;
    nanMismatches?: number;
    differentElements?: number;
    compared: number;
    complete: boolean;
    topK?: { batch: number; top1Same: boolean; common: number; k: number }[];
  }[];
  same: boolean;
}
