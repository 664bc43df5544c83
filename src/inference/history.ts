// Per-workspace request history: what was sent (the draft), where, when, how long it took and a
// short summary of the answer. Bounded in count and per-entry size; persisted through a small
// key-value interface (the extension backs it with workspaceState). Entries read back are checked,
// so a damaged store loses the damaged entries, never the whole history.
import { summarizeResult } from './outputs/resultSummary';
import type { ResultSummary } from './outputs/resultSummary';
import type { InferResult } from '../triton/types';
import { isRequestDraft } from './requestDraft';
import type { RequestDraft } from './requestDraft';

/** The storage the history needs: VS Code's Memento has this shape. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface HistoryEntry {
  id: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** The request as composed; absent when it was too large to keep (it can then not be re-run). */
  draft?: RequestDraft;
  model: string;
  modelVersion?: string;
  server: { name: string; url?: string };
  /** Client-side latency in milliseconds. */
  latencyMs?: number;
  /** Output views of the answer (kept small: see HISTORY_SUMMARY_OPTIONS). */
  result?: ResultSummary;
  /** The error message when the request failed. */
  error?: string;
}

/** What a caller records: the store adds the id, the model fields and (unless given) the time. */
export type NewHistoryEntry = Omit<HistoryEntry, 'id' | 'model' | 'modelVersion' | 'timestamp' | 'draft'> & { draft: RequestDraft; timestamp?: number };

export const HISTORY_KEY = 'triton.inference.history';
export const DEFAULT_HISTORY_LIMIT = 50;
/** An entry larger than this (a pasted megabyte of JSON, say) is kept without its draft. */
export const MAX_ENTRY_CHARS = 256 * 1024;
/** Summary options for entries: a few values and a coarse histogram are enough to recognise and compare a result. */
export const HISTORY_SUMMARY_OPTIONS = { firstCount: 16, bins: 16, maxElements: 8, maxBytesPerElement: 128 } as const;

/** The summary of a result as history keeps it. */
export function historySummary(result: InferResult): ResultSummary {
  return summarizeResult(result, HISTORY_SUMMARY_OPTIONS);
}

function isEntry(x: unknown): x is HistoryEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  const server = e.server as Record<string, unknown> | undefined;
  return typeof e.id === 'string'
    && typeof e.timestamp === 'number'
    && typeof e.model === 'string'
    && typeof server === 'object' && server !== null && typeof server.name === 'string'
    && (e.draft === undefined || isRequestDraft(e.draft))
    && (e.latencyMs === undefined || typeof e.latencyMs === 'number')
    && (e.error === undefined || typeof e.error === 'string')
    && (e.result === undefined || (typeof e.result === 'object' && e.result !== null && Array.isArray((e.result as { outputs?: unknown }).outputs)));
}

export class RequestHistory {
  private counter = 0;

  constructor(
    private readonly store: KeyValueStore,
    private readonly limit = DEFAULT_HISTORY_LIMIT,
    private readonly key = HISTORY_KEY,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries, newest first; malformed stored entries are skipped. */
  list(): HistoryEntry[] {
    const stored = this.store.get<unknown>(this.key);
    return Array.isArray(stored) ? stored.filter(isEntry) : [];
  }

  get(id: string): HistoryEntry | undefined {
    return this.list().find((e) => e.id === id);
  }

  /** Records a request; the oldest entries beyond the limit are dropped. Returns the stored entry. */
  async add(entry: NewHistoryEntry): Promise<HistoryEntry> {
    const timestamp = entry.timestamp ?? this.now();
    const id = `${timestamp.toString(36)}-${(this.counter++).toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
    let stored: HistoryEntry = { ...entry, id, timestamp, model: entry.draft.model };
    if (entry.draft.modelVersion) stored.modelVersion = entry.draft.modelVersion;
    if (JSON.stringify(stored).length > MAX_ENTRY_CHARS) {
      const { draft: _dropped, ...rest } = stored;
      stored = rest;
      if (JSON.stringify(stored).length > MAX_ENTRY_CHARS) {
        const { result: _result, ...bare } = stored;
        stored = bare;
      }
    }
    const entries = [stored, ...this.list()].slice(0, Math.max(1, this.limit));
    await this.store.update(this.key, entries);
    return stored;
  }

  /** Removes one entry; false when there was none with that id. */
  async remove(id: string): Promise<boolean> {
    const entries = this.list();
    const kept = entries.filter((e) => e.id !== id);
    if (kept.length === entries.length) return false;
    await this.store.update(this.key, kept);
    return true;
  }

  async clear(): Promise<void> {
    await this.store.update(this.key, []);
  }

  /** The draft to send again; errors say why an entry cannot be re-run. */
  draftFor(id: string): RequestDraft {
    const entry = this.get(id);
    if (!entry) throw new Error(`history entry ${id} no longer exists`);
    if (!entry.draft) throw new Error(`the request to '${entry.model}' at ${new Date(entry.timestamp).toISOString()} was too large to keep, so it cannot be re-run`);
    return entry.draft;
  }
}
