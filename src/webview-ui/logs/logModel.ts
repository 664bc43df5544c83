// The log view's data side, without DOM: the entries kept (bounded by maxLines), the filters, and the
// line offsets virtual scrolling needs to place only the visible rows.
import type { LogEntry } from '../../shared/logViewProtocol';

export type SeverityName = LogEntry['severity'];
export const allSeverities: readonly SeverityName[] = ['error', 'warning', 'info', 'text', 'notice'];

export interface LogFilters {
  readonly severities: ReadonlySet<SeverityName>;
  /** '' = every model. */
  readonly model: string;
  /** Case-insensitive substring of message or source; '' = no text filter. */
  readonly text: string;
}

/** Display lines of an entry: its message lines (a table or dump spans several). */
export function lineCount(entry: LogEntry): number {
  let n = 1;
  const m = entry.message;
  for (let i = m.indexOf('\n'); i !== -1; i = m.indexOf('\n', i + 1)) n++;
  return n;
}

const LETTER: Record<SeverityName, string> = { error: 'E', warning: 'W', info: 'I', text: ' ', notice: '*' };

/** An entry as a text line again, for Copy. */
export function entryText(e: LogEntry): string {
  if (e.severity === 'text') return e.message;
  if (e.severity === 'notice') return `-- ${e.message}`;
  return `${LETTER[e.severity]} ${e.time ?? ''} ${e.pid ?? ''} ${e.source ?? ''}] ${e.message}`;
}

export class LogModel {
  private entries: LogEntry[] = [];
  /** Indices into `entries` that pass the filters, in order. */
  private shown: number[] = [];
  /** offsets[i] = display lines before shown[i]; one more element holds the total. */
  private offsets: number[] = [0];
  private readonly modelNames = new Set<string>();
  filters: LogFilters = { severities: new Set(allSeverities), model: '', text: '' };

  constructor(public maxLines: number) {}

  get total(): number {
    return this.entries.length;
  }

  get shownCount(): number {
    return this.shown.length;
  }

  get totalLines(): number {
    return this.offsets[this.offsets.length - 1]!;
  }

  get modelCount(): number {
    return this.modelNames.size;
  }

  models(): string[] {
    return [...this.modelNames].sort();
  }

  reset(entries: readonly LogEntry[]): void {
    this.entries = entries.slice(-this.maxLines);
    this.modelNames.clear();
    for (const e of this.entries) if (e.model !== undefined) this.modelNames.add(e.model);
    this.rebuild();
  }

  /** Adds entries; returns true when old ones were evicted (positions of shown rows changed). */
  append(entries: readonly LogEntry[]): boolean {
    for (const e of entries) {
      this.entries.push(e);
      if (e.model !== undefined) this.modelNames.add(e.model);
    }
    // Trim in steps rather than per entry, so a steady stream does not re-index every batch.
    if (this.entries.length > this.maxLines + Math.max(100, this.maxLines >> 3)) {
      this.entries = this.entries.slice(-this.maxLines);
      this.rebuild();
      return true;
    }
    const start = this.entries.length - entries.length;
    for (let i = start; i < this.entries.length; i++) this.consider(i);
    return false;
  }

  setFilters(filters: LogFilters): void {
    this.filters = { ...filters, text: filters.text.toLowerCase() };
    this.rebuild();
  }

  /** The shown entry at a position (0-based among shown entries). */
  at(position: number): LogEntry {
    return this.entries[this.shown[position]!]!;
  }

  /** Display line where a shown entry starts. */
  lineOf(position: number): number {
    return this.offsets[position]!;
  }

  /** The shown entry covering a display line (binary search). */
  positionAtLine(line: number): number {
    let lo = 0;
    let hi = this.shown.length - 1;
    if (hi < 0) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first shown entry at or after a time; the last one when all are earlier. */
  positionAtTime(timeMs: number): number | undefined {
    if (this.shown.length === 0) return undefined;
    for (let p = 0; p < this.shown.length; p++) {
      const t = this.at(p).timeMs;
      if (t !== undefined && t >= timeMs) return p;
    }
    return this.shown.length - 1;
  }

  /** Shown entries as text, for Copy. */
  shownText(): string {
    return this.shown.map((i) => entryText(this.entries[i]!)).join('\n');
  }

  clear(): void {
    this.entries = [];
    this.modelNames.clear();
    this.rebuild();
  }

  private passes(e: LogEntry): boolean {
    const f = this.filters;
    if (!f.severities.has(e.severity)) return false;
    if (f.model !== '' && e.model !== f.model) return false;
    if (f.text !== '' && !e.message.toLowerCase().includes(f.text) && !(e.source ?? '').toLowerCase().includes(f.text)) return false;
    return true;
  }

  private consider(index: number): void {
    const e = this.entries[index]!;
    if (!this.passes(e)) return;
    this.shown.push(index);
    this.offsets.push(this.offsets[this.offsets.length - 1]! + lineCount(e));
  }

  private rebuild(): void {
    this.shown = [];
    this.offsets = [0];
    for (let i = 0; i < this.entries.length; i++) this.consider(i);
  }
}
