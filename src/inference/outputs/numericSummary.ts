// What the panel shows for a numeric output: shape, datatype, the first values, min/max/mean,
// NaN/Inf counts and a histogram — read in one pass, element by element, whatever the size.
import type { OutputTensor } from '../../triton/types';
import { HistogramBuilder } from './histogram';
import { elementReader, numberText } from './values';
import type { NumericSummary } from './views';

export interface NumericSummaryOptions {
  /** How many leading values to keep as text (default 32). */
  firstCount?: number;
  /** Histogram bins (default 32, rounded up to even). 0 leaves the histogram out. */
  bins?: number;
}

export const DEFAULT_FIRST_COUNT = 32;
export const DEFAULT_BINS = 32;

/** Summary of a numeric output; undefined when it is BYTES or carries no values (shared memory). */
export function summarizeNumeric(tensor: OutputTensor, options: NumericSummaryOptions = {}): NumericSummary | undefined {
  const reader = elementReader(tensor);
  if (reader === undefined) return undefined;
  const firstCount = Math.max(0, Math.min(options.firstCount ?? DEFAULT_FIRST_COUNT, reader.count));
  const bins = options.bins ?? DEFAULT_BINS;
  const histogram = bins > 0 ? new HistogramBuilder(bins) : undefined;
  const first: string[] = [];
  for (let i = 0; i < firstCount; i++) first.push(reader.exact(i));

  let nanCount = 0;
  let infCount = 0;
  let finite = 0;
  let sum = 0;
  let minAt = -1;
  let maxAt = -1;
  let min = Infinity;
  let max = -Infinity;
  const big = reader.bigint;
  let bigMin = 0n;
  let bigMax = 0n;
  for (let i = 0; i < reader.count; i++) {
    if (big !== undefined) {
      const b = big(i);
      if (minAt < 0 || b < bigMin) { bigMin = b; minAt = i; }
      if (maxAt < 0 || b > bigMax) { bigMax = b; maxAt = i; }
      const v = Number(b);
      sum += v;
      finite++;
      histogram?.add(v);
      continue;
    }
    const v = reader.number(i);
    if (Number.isNaN(v)) { nanCount++; continue; }
    if (v === Infinity || v === -Infinity) { infCount++; continue; }
    if (v < min) { min = v; minAt = i; }
    if (v > max) { max = v; maxAt = i; }
    sum += v;
    finite++;
    histogram?.add(v);
  }
  const summary: NumericSummary = {
    kind: 'numeric',
    name: tensor.name,
    datatype: tensor.datatype,
    shape: [...tensor.shape],
    count: reader.count,
    first,
    nanCount,
    infCount,
  };
  if (finite > 0) {
    summary.min = big ? bigMin.toString() : numberText(min);
    summary.max = big ? bigMax.toString() : numberText(max);
    summary.mean = sum / finite;
    if (reader.datatype === 'BOOL') {
      summary.min = reader.exact(minAt);
      summary.max = reader.exact(maxAt);
    }
  }
  const h = histogram?.result();
  if (h) summary.histogram = h;
  return summary;
}
