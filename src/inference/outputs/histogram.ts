// A one-pass histogram with a fixed number of bins whose range grows as values arrive: when a value
// falls outside, the bin width doubles and neighbouring bins merge, so no value is read twice and
// nothing is buffered. Bin edges stay exact multiples of the width from a fixed anchor.
import type { Histogram } from './views';

export class HistogramBuilder {
  private readonly counts: number[];
  private start = 0;
  private width = 0;
  private seen = 0;
  private first = 0;

  /** `bins` is rounded up to an even number (pairs of bins merge when the range doubles). */
  constructor(bins: number) {
    const n = Math.max(2, Math.ceil(bins / 2) * 2);
    this.counts = new Array<number>(n).fill(0);
  }

  /** Adds one finite value (callers skip NaN and ±Infinity). */
  add(v: number): void {
    const n = this.counts.length;
    if (this.seen === 0) {
      this.first = v;
      this.seen = 1;
      return;
    }
    if (this.width === 0) {
      if (v === this.first) {
        this.seen++;
        return;
      }
      this.open(v);
    }
    while (v < this.start || v >= this.start + n * this.width) {
      if (!this.grow(v < this.start)) break;
    }
    let bin = Math.floor((v - this.start) / this.width);
    if (bin < 0) bin = 0;
    else if (bin >= n) bin = n - 1;
    this.counts[bin]!++;
    this.seen++;
  }

  /** The histogram with empty bins at both ends dropped; undefined when no value was added. */
  result(): Histogram | undefined {
    if (this.seen === 0) return undefined;
    if (this.width === 0) return { start: this.first, width: 0, counts: [this.seen] };
    let lo = 0;
    let hi = this.counts.length - 1;
    while (lo < hi && this.counts[lo] === 0) lo++;
    while (hi > lo && this.counts[hi] === 0) hi--;
    return { start: this.start + lo * this.width, width: this.width, counts: this.counts.slice(lo, hi + 1) };
  }

  /** Second distinct value: pick a power-of-two width so both values land inside the bins. */
  private open(v: number): void {
    const n = this.counts.length;
    const span = Math.abs(v - this.first);
    // Smallest power of two with n·width > span, so the two values fit side by side from the start.
    let width = 2 ** Math.ceil(Math.log2(span / (n - 1)));
    if (!Number.isFinite(width) || width === 0) width = Number.MIN_VALUE;
    this.width = width;
    this.start = Math.floor(Math.min(this.first, v) / width) * width;
    if (!Number.isFinite(this.start)) this.start = Math.min(this.first, v);
    let bin = Math.floor((this.first - this.start) / width);
    if (bin >= n) bin = n - 1;
    this.counts[Math.max(0, bin)] = this.seen;
  }

  /** Doubles the width, keeping the start (growing right) or moving it one full range left. */
  private grow(left: boolean): boolean {
    const n = this.counts.length;
    const half = n / 2;
    const newStart = left ? this.start - n * this.width : this.start;
    const newWidth = this.width * 2;
    if (!Number.isFinite(newStart) || !Number.isFinite(newWidth) || !Number.isFinite(newStart + n * newWidth)) return false;
    const merged = new Array<number>(n).fill(0);
    const offset = left ? half : 0;
    for (let i = 0; i < n; i++) merged[offset + (i >> 1)]! += this.counts[i]!;
    for (let i = 0; i < n; i++) this.counts[i] = merged[i]!;
    this.start = newStart;
    this.width = newWidth;
    return true;
  }
}
