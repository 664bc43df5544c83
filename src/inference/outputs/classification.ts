// Top-k classification results (Triton's classification extension) grouped per batch entry, ready
// to draw as bars: each entry's "score:index[:label]" strings, highest score first.
import { bytesToStrings } from '../../triton/bytesCodec';
import type { ClassificationEntry, OutputTensor } from '../../triton/types';
import type { ClassificationView, TopKEntry } from './views';

/** Parses one "score:index[:label]" string; the label may itself contain ':'. */
export function parseClassEntry(text: string): TopKEntry {
  const first = text.indexOf(':');
  if (first <= 0) throw new Error(`classification entry ${JSON.stringify(text)} is not "score:index[:label]"`);
  const second = text.indexOf(':', first + 1);
  const scoreText = text.slice(0, first).trim();
  const indexText = text.slice(first + 1, second < 0 ? undefined : second);
  const score = /^[-+]?nan$/i.test(scoreText) ? NaN : /^[-+]?inf(inity)?$/i.test(scoreText) ? (scoreText.startsWith('-') ? -Infinity : Infinity) : Number(scoreText);
  if (Number.isNaN(score) && !/nan/i.test(scoreText)) throw new Error(`classification entry ${JSON.stringify(text)} has score ${JSON.stringify(scoreText)}, not a number`);
  if (!/^\d+$/.test(indexText)) throw new Error(`classification entry ${JSON.stringify(text)} has no whole-number index`);
  const entry: TopKEntry = { score, index: Number(indexText) };
  if (second >= 0 && second + 1 < text.length) entry.label = text.slice(second + 1);
  return entry;
}

/** Splits flat entries into batch entries by the output's shape: [batch, k] → batch lists; [k] → one. */
export function groupByBatch<T>(entries: readonly T[], shape: readonly number[]): T[][] {
  const perBatch = shape.length >= 2 ? shape[shape.length - 1]! : entries.length;
  if (perBatch <= 0 || perBatch >= entries.length) return [entries.slice()];
  const out: T[][] = [];
  for (let i = 0; i < entries.length; i += perBatch) out.push(entries.slice(i, i + perBatch));
  return out;
}

function byScore(a: TopKEntry, b: TopKEntry): number {
  // NaN sorts last; equal scores keep the server's order (Array.prototype.sort is stable).
  if (Number.isNaN(a.score)) return Number.isNaN(b.score) ? 0 : 1;
  if (Number.isNaN(b.score)) return -1;
  return b.score - a.score;
}

function toEntry(c: ClassificationEntry): TopKEntry {
  return c.label === undefined || c.label === '' ? { score: c.score, index: c.index } : { score: c.score, index: c.index, label: c.label };
}

/**
 * The top-k view of an output requested with a class count: the client's parsed entries when
 * present, else the BYTES strings parsed here. Undefined for an output that is not classification.
 * Throws with the output's name when a string is not "score:index[:label]".
 */
export function classificationView(tensor: OutputTensor): ClassificationView | undefined {
  let flat: TopKEntry[];
  if (tensor.classification !== undefined) flat = tensor.classification.map(toEntry);
  else if (tensor.datatype === 'BYTES' && Array.isArray(tensor.data)) {
    try {
      flat = bytesToStrings(tensor.data as Uint8Array[]).map(parseClassEntry);
    } catch (error) {
      throw new Error(`output '${tensor.name}': ${(error as Error).message}`);
    }
  } else return undefined;
  return { kind: 'classification', name: tensor.name, batches: groupByBatch(flat, tensor.shape).map((b) => b.sort(byScore)) };
}
