// A request exported for perf_analyzer: its `--input-data` JSON (one entry per batch item, shapes
// without the batch dimension, as perf_analyzer batches entries itself with -b) and the command line.
import { shellQuote } from '../../services/curlRequest';
import { encodeTensor } from '../../triton/tensor';
import { jsonDouble } from '../../triton/http/inferBody';
import type { RequestDraft } from '../requestDraft';
import { elementReader } from '../outputs/values';
import { elementCountOf } from './resolvedRequest';
import type { ExportFile, ResolvedTensor } from './resolvedRequest';

export interface PerfAnalyzerOptions {
  /** `host:port` (a scheme is dropped). */
  url: string;
  protocol: 'http' | 'grpc';
  /** The model batches (max_batch_size > 0): the first dimension is the batch and becomes `-b`. */
  batched: boolean;
  /** Name of the data file next to the command (default input-data.json). */
  dataFileName?: string;
}

export interface PerfAnalyzerExport {
  command: string;
  /** The `--input-data` JSON file. */
  files: ExportFile[];
  /** The same JSON as text. */
  data: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** One tensor (or one batch item of it) as perf_analyzer JSON: `content` + `shape`, or `b64` for FP16/BF16. */
function tensorEntry(t: ResolvedTensor, shape: readonly number[], from: number, count: number): string {
  const shapeJson = `[${shape.join(',')}]`;
  if (t.datatype === 'BYTES') {
    const parts: string[] = [];
    const data = t.data as (string | Uint8Array)[];
    for (let i = from; i < from + count; i++) {
      const e = data[i]!;
      if (typeof e === 'string') parts.push(JSON.stringify(e));
      else {
        try {
          parts.push(JSON.stringify(strictUtf8.decode(e)));
        } catch {
          throw new Error(`input '${t.name}' element ${i} is not UTF-8 text; perf_analyzer's JSON carries BYTES elements as strings`);
        }
      }
    }
    return `{"content":[${parts.join(',')}],"shape":${shapeJson}}`;
  }
  const raw = encodeTensor(t.datatype, t.data, t.shape, `input '${t.name}'`);
  const size = raw.byteLength / Math.max(1, elementCountOf(t.shape));
  if (t.datatype === 'FP16' || t.datatype === 'BF16') {
    // JSON numbers cannot say which half-precision value is meant: send the little-endian bytes.
    const part = raw.subarray(from * size, (from + count) * size);
    return `{"b64":${JSON.stringify(Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('base64'))},"shape":${shapeJson}}`;
  }
  const reader = elementReader({ name: t.name, datatype: t.datatype, shape: [...t.shape], data: t.data })!;
  const parts: string[] = [];
  for (let i = from; i < from + count; i++) {
    if (t.datatype === 'BOOL') parts.push(reader.number(i) ? 'true' : 'false');
    else if (reader.bigint) parts.push(reader.exact(i));
    else if (t.datatype === 'FP32' || t.datatype === 'FP64') {
      const v = reader.number(i);
      if (!Number.isFinite(v)) throw new Error(`input '${t.name}' element ${i} is ${v}; JSON has no such number`);
      parts.push(jsonDouble(v));
    } else parts.push(String(reader.number(i)));
  }
  return `{"content":[${parts.join(',')}],"shape":${shapeJson}}`;
}

/** The `--input-data` JSON for the inputs, one `data` entry per batch item when the model batches. */
export function perfAnalyzerInputData(inputs: readonly ResolvedTensor[], batched: boolean): { json: string; batchSize: number } {
  let batchSize = 1;
  if (batched) {
    const sizes = new Set(inputs.map((t) => t.shape[0]));
    if (inputs.some((t) => t.shape.length === 0)) throw new Error('a batching model needs a batch dimension on every input');
    if (sizes.size > 1) throw new Error(`inputs disagree on the batch size: ${inputs.map((t) => `${t.name} [${t.shape.join(',')}]`).join(', ')}`);
    batchSize = inputs[0]?.shape[0] ?? 1;
  }
  const entries: string[] = [];
  for (let b = 0; b < batchSize; b++) {
    const fields = inputs.map((t) => {
      const shape = batched ? t.shape.slice(1) : t.shape;
      const per = elementCountOf(shape);
      return `${JSON.stringify(t.name)}:${tensorEntry(t, shape, b * per, per)}`;
    });
    entries.push(`{${fields.join(',')}}`);
  }
  return { json: `{"data":[${entries.join(',')}]}`, batchSize };
}

/** The data file and the perf_analyzer command that uses it. */
export function buildPerfAnalyzerExport(draft: RequestDraft, inputs: readonly ResolvedTensor[], options: PerfAnalyzerOptions): PerfAnalyzerExport {
  const dataFile = options.dataFileName ?? 'input-data.json';
  if (!/^[A-Za-z0-9_.-]+$/.test(dataFile) || dataFile.startsWith('.')) throw new Error(`data file name '${dataFile}' must be a plain file name`);
  const { json, batchSize } = perfAnalyzerInputData(inputs, options.batched);
  const url = options.url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  const args = ['perf_analyzer', '-m', shellQuote(draft.model)];
  if (draft.modelVersion) args.push('-x', shellQuote(draft.modelVersion));
  args.push('-u', shellQuote(url), '-i', options.protocol, '--input-data', dataFile);
  if (options.batched) args.push('-b', String(batchSize));
  for (const t of inputs) {
    const shape = options.batched ? t.shape.slice(1) : t.shape;
    if (shape.length > 0) args.push('--shape', shellQuote(`${t.name}:${shape.join(',')}`));
  }
  if (draft.mode.kind === 'stream') args.push('--streaming');
  return { command: args.join(' '), files: [{ name: dataFile, bytes: new TextEncoder().encode(json) }], data: json };
}
