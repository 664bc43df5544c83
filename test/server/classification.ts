// Classification extension: top-k of an output as "value:index[:label]" BYTES strings.
import { ServerError } from './serverError';
import { elementCount, joinBytes, toNumbers } from './tensor';
import type { Tensor } from './tensor';

const SUPPORTED = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP32', 'FP64']);

/** C++ std::to_string: integers plain, floating point with %f (6 decimals). */
function formatValue(v: number | bigint | boolean, datatype: string): string {
  if (datatype === 'FP32' || datatype === 'FP64') {
    const n = Number(v);
    if (Number.isNaN(n)) return n.toString() === 'NaN' ? 'nan' : '-nan';
    if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
    return n.toFixed(6);
  }
  return String(v);
}

export function classify(t: Tensor, k: number, batching: boolean, labels: readonly string[] | undefined): Tensor {
  if (!SUPPORTED.has(t.datatype)) throw new ServerError('INVALID_ARG', `class result not available for output due to unsupported type '${t.datatype}'`, true);
  const batch = batching && t.shape.length >= 1 ? t.shape[0]! : 1;
  const per = batching && t.shape.length >= 1 ? elementCount(t.shape.slice(1)) : elementCount(t.shape);
  if (per > 1_000_000) throw new ServerError('INVALID_ARG', 'classification output tensor too large');
  const values = toNumbers(t);
  const top = Math.min(k, per);
  const items: Buffer[] = [];
  for (let b = 0; b < batch; b++) {
    const idx = Array.from({ length: per }, (_, i) => i);
    const slice = values.slice(b * per, (b + 1) * per);
    idx.sort((x, y) => {
      const a = slice[x]!;
      const c = slice[y]!;
      return a > c ? -1 : a < c ? 1 : x - y;
    });
    for (const i of idx.slice(0, top)) {
      const label = labels?.[i];
      items.push(Buffer.from(`${formatValue(slice[i]!, t.datatype)}:${i}${label ? `:${label}` : ''}`));
    }
  }
  return { name: t.name, datatype: 'BYTES', shape: batching ? [batch, top] : [top], data: joinBytes(items) };
}
