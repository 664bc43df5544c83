// Two results side by side (the same input on two models or versions, or a result against one from
// history): per output, whether datatype and shape agree, the largest absolute difference, and how
// far the top-k classes agree. Works on full results (every element) or on stored summaries (the
// values they kept, flagged as incomplete).
import type { InferResult, OutputTensor, TritonDatatype } from '../../triton/types';
import { classificationView } from './classification';
import type { ResultSummary } from './resultSummary';
import { elementReader } from './values';
import type { OutputComparison, OutputView, ResultComparison, TopKAgreement, TopKEntry } from './views';

/** Values of one side, element by element: as text (exact) and as a number. */
interface Side {
  name: string;
  datatype: TritonDatatype;
  shape: number[];
  count: number;
  /** Numeric values available (first n). */
  numeric?: { length: number; text(i: number): string };
  bytes?: { length: number; at(i: number): string };
  topK?: TopKEntry[][];
}

function absDiff(x: string, y: string): number {
  if (/^-?\d+$/.test(x) && /^-?\d+$/.test(y)) {
    const d = BigInt(x) - BigInt(y);
    return Number(d < 0n ? -d : d);
  }
  const a = x === 'true' ? 1 : x === 'false' ? 0 : Number(x);
  const b = y === 'true' ? 1 : y === 'false' ? 0 : Number(y);
  if (a === b) return 0; // also equal infinities
  return Math.abs(a - b);
}

function agreement(a: TopKEntry[][], b: TopKEntry[][]): TopKAgreement[] {
  const out: TopKAgreement[] = [];
  for (let batch = 0; batch < Math.min(a.length, b.length); batch++) {
    const x = a[batch]!;
    const y = b[batch]!;
    const k = Math.min(x.length, y.length);
    const yIndices = new Set(y.slice(0, k).map((e) => e.index));
    const common = x.slice(0, k).filter((e) => yIndices.has(e.index)).length;
    out.push({ batch, top1Same: k > 0 && x[0]!.index === y[0]!.index, common, k });
  }
  return out;
}

function compareSides(name: string, a: Side | undefined, b: Side | undefined): OutputComparison {
  const c: OutputComparison = { name, inA: a !== undefined, inB: b !== undefined, datatypeEqual: false, shapeEqual: false, compared: 0, complete: false };
  if (a) c.a = { datatype: a.datatype, shape: a.shape };
  if (b) c.b = { datatype: b.datatype, shape: b.shape };
  if (!a || !b) return c;
  c.datatypeEqual = a.datatype === b.datatype;
  c.shapeEqual = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (a.topK && b.topK) {
    c.topK = agreement(a.topK, b.topK);
    c.complete = true;
  }
  if (!c.shapeEqual) return c;
  if (a.numeric && b.numeric) {
    const n = Math.min(a.numeric.length, b.numeric.length);
    let max = 0;
    let at = n > 0 ? 0 : -1;
    let nan = 0;
    for (let i = 0; i < n; i++) {
      const x = a.numeric.text(i);
      const y = b.numeric.text(i);
      const xNaN = x === 'NaN';
      const yNaN = y === 'NaN';
      if (xNaN || yNaN) {
        if (xNaN !== yNaN) nan++;
        continue;
      }
      const d = absDiff(x, y);
      if (d > max) { max = d; at = i; }
    }
    c.maxAbsDiff = max;
    if (at >= 0) c.maxAbsDiffAt = at;
    c.nanMismatches = nan;
    c.compared = n;
    c.complete = n === a.count && n === b.count;
  } else if (a.bytes && b.bytes) {
    const n = Math.min(a.bytes.length, b.bytes.length);
    let different = 0;
    for (let i = 0; i < n; i++) if (a.bytes.at(i) !== b.bytes.at(i)) different++;
    c.differentElements = different;
    c.compared = n;
    c.complete = n === a.count && n === b.count;
  }
  return c;
}

function sideOfTensor(t: OutputTensor): Side {
  const side: Side = { name: t.name, datatype: t.datatype, shape: [...t.shape], count: t.shape.reduce((x, y) => x * y, 1) };
  const classes = t.classification !== undefined ? classificationView(t) : undefined;
  if (classes) {
    side.topK = classes.batches;
    return side;
  }
  const reader = elementReader(t);
  if (reader) side.numeric = { length: reader.count, text: (i) => reader.exact(i) };
  else if (t.datatype === 'BYTES' && Array.isArray(t.data)) {
    const data = t.data as (Uint8Array | string)[];
    side.bytes = { length: data.length, at: (i) => { const e = data[i]!; return typeof e === 'string' ? e : Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('latin1'); } };
  }
  return side;
}

function sideOfView(v: OutputView): Side {
  const side: Side = { name: v.name, datatype: v.kind === 'classification' ? 'BYTES' : v.datatype, shape: v.kind === 'classification' ? [] : [...v.shape], count: 0 };
  switch (v.kind) {
    case 'classification':
      side.topK = v.batches;
      side.shape = [v.batches.length, v.batches[0]?.length ?? 0];
      break;
    case 'numeric':
      side.count = v.count;
      side.numeric = { length: v.first.length, text: (i) => v.first[i]! };
      break;
    case 'bytes':
      side.count = v.count;
      side.bytes = { length: v.elements.length, at: (i) => `${v.elements[i]!.encoding}:${v.elements[i]!.value}:${v.elements[i]!.byteLength}` };
      break;
    default:
      side.count = side.shape.reduce((x, y) => x * y, 1);
  }
  return side;
}

function compareAll(aName: { model: string; version: string }, bName: { model: string; version: string }, a: Side[], b: Side[]): ResultComparison {
  const names = [...new Set([...a.map((s) => s.name), ...b.map((s) => s.name)])];
  const outputs = names.map((n) => compareSides(n, a.find((s) => s.name === n), b.find((s) => s.name === n)));
  const same = outputs.every((o) => o.inA && o.inB && o.datatypeEqual && o.shapeEqual
    && (o.maxAbsDiff === undefined || o.maxAbsDiff === 0) && !o.nanMismatches && !o.differentElements
    && (o.topK === undefined || o.topK.every((t) => t.top1Same && t.common === t.k)));
  return { a: aName, b: bName, outputs, same };
}

/** Compares two full results element by element. */
export function compareResults(a: InferResult, b: InferResult): ResultComparison {
  return compareAll({ model: a.modelName, version: a.modelVersion }, { model: b.modelName, version: b.modelVersion }, a.outputs.map(sideOfTensor), b.outputs.map(sideOfTensor));
}

/** Compares two stored summaries: only the values they kept (see `complete`). */
export function compareSummaries(a: ResultSummary, b: ResultSummary): ResultComparison {
  return compareAll({ model: a.model, version: a.version }, { model: b.model, version: b.version }, a.outputs.map(sideOfView), b.outputs.map(sideOfView));
}
