// From raw lines to a bounded history and batched updates: the parser, a ring buffer holding the last
// `maxLines` entries, and a timer that hands new entries on in batches (a webview gets one message per
// tick, not one per line).
import type { LogEntry } from './logParser';
import { LogParser } from './logParser';
import type { LogSink } from './logSource';

/** A fixed-capacity ring of entries: memory stays bounded however long the log runs. */
export class LogRing {
  private items: (LogEntry | undefined)[];
  private head = 0;
  private count = 0;

  constructor(private capacity: number) {
    this.items = new Array<LogEntry | undefined>(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  get maxLines(): number {
    return this.capacity;
  }

  push(entry: LogEntry): void {
    const cap = this.items.length;
    this.items[(this.head + this.count) % cap] = entry;
    if (this.count < cap) this.count++;
    else this.head = (this.head + 1) % cap;
  }

  /** Oldest first. */
  toArray(): LogEntry[] {
    const out: LogEntry[] = new Array<LogEntry>(this.count);
    const cap = this.items.length;
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.head + i) % cap]!;
    return out;
  }

  clear(): void {
    this.items = new Array<LogEntry | undefined>(this.items.length);
    this.head = 0;
    this.count = 0;
  }

  /** Changes the capacity, keeping the newest entries. */
  resize(capacity: number): void {
    const kept = this.toArray().slice(-Math.max(1, capacity));
    this.capacity = capacity;
    this.items = new Array<LogEntry | undefined>(Math.max(1, capacity));
    this.head = 0;
    this.count = 0;
    for (const e of kept) this.push(e);
  }
}

export interface PipelineOptions {
  maxLines: number;
  /** Milliseconds between batches (default 75). */
  batchMs?: number;
  /** Most entries per batch (default 2000); more pending goes out in the next turns, so one batch never stalls the host. */
  maxBatch?: number;
  /** Receives new entries, oldest first; `dropped` counts entries that never made it into a batch. */
  onBatch(entries: LogEntry[], dropped: number): void;
  now?: () => number;
}

/** The sink sources write to; owns the parser, the history and the batching timer. */
export class LogPipeline implements LogSink {
  readonly ring: LogRing;
  private readonly parser: LogParser;
  private pending: LogEntry[] = [];
  private dropped = 0;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastInput = 0;
  private disposed = false;

  constructor(private readonly options: PipelineOptions) {
    this.ring = new LogRing(options.maxLines);
    this.parser = new LogParser(options.now !== undefined ? { now: options.now } : {});
  }

  lines(lines: string[]): void {
    if (this.disposed) return;
    this.lastInput = Date.now();
    this.accept(this.parser.push(lines));
  }

  notice(text: string): void {
    if (this.disposed) return;
    this.accept([...this.parser.flush(), { seq: 0, severity: 'notice', message: text, timeMs: Date.now() }]);
  }

  /** Entries handed on so far, oldest first (what a newly opened view shows before the next batch). */
  history(): LogEntry[] {
    return this.ring.toArray();
  }

  clear(): void {
    this.ring.clear();
    this.pending = [];
    this.dropped = 0;
  }

  setMaxLines(maxLines: number): void {
    if (maxLines !== this.ring.maxLines) this.ring.resize(maxLines);
  }

  /** Hands on what is pending now (tests and shutdown), without waiting for the timer. */
  flushNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.accept(this.parser.flush(), false);
    this.emit(true);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private accept(entries: LogEntry[], schedule = true): void {
    const max = this.ring.maxLines;
    for (const e of entries) this.insertByTime(e);
    // A view that cannot keep up only ever needs the newest maxLines entries.
    if (this.pending.length > max * 2) {
      this.dropped += this.pending.length - max;
      this.pending = this.pending.slice(-max);
    }
    if (schedule) this.schedule();
  }

  /**
   * Triton writes I lines to stdout and W/E lines to stderr: two pipes whose chunks arrive in either
   * order. An entry stamped earlier than the ones before it moves back among the pending entries
   * (a short walk, stopped by an entry without a time) so the log reads in the order it was written.
   */
  private insertByTime(e: LogEntry): void {
    const p = this.pending;
    let at = p.length;
    if (e.timeMs !== undefined) {
      const floor = Math.max(0, p.length - 64);
      while (at > floor) {
        const t = p[at - 1]!.timeMs;
        if (t === undefined || t <= e.timeMs || p[at - 1]!.severity === 'notice') break;
        at--;
      }
    }
    if (at === p.length) p.push(e);
    else p.splice(at, 0, e);
  }

  private schedule(soon = false): void {
    if (this.timer !== undefined || this.disposed) return;
    this.timer = setTimeout(() => this.tick(), soon ? 0 : this.options.batchMs ?? 75);
  }

  private tick(): void {
    this.timer = undefined;
    // An entry still open for continuation lines is released once the input has paused.
    if (Date.now() - this.lastInput >= (this.options.batchMs ?? 75)) this.accept(this.parser.flush(), false);
    else this.schedule();
    this.emit();
  }

  private emit(all = false): void {
    if (this.pending.length === 0) return;
    const max = this.ring.maxLines;
    if (this.pending.length > max) {
      this.dropped += this.pending.length - max;
      this.pending = this.pending.slice(-max);
    }
    const size = all ? this.pending.length : Math.min(this.pending.length, this.options.maxBatch ?? 2000);
    const batch = size === this.pending.length ? this.pending : this.pending.slice(0, size);
    this.pending = size === this.pending.length ? [] : this.pending.slice(size);
    const dropped = this.dropped;
    this.dropped = 0;
    // Numbered and kept only now, in their final order: a snapshot never repeats what a batch brings.
    for (const e of batch) {
      e.seq = this.seq++;
      this.ring.push(e);
    }
    this.options.onBatch(batch, dropped);
    if (this.pending.length > 0) this.schedule(true);
  }
}
