// Offsets to line/character positions, and ranges that compute their positions only when read.
import type { Position, Range } from './ast';

/** Builds a position mapper for `text` (binary search over line starts). */
export function createPositionMapper(text: string): (offset: number) => Position {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  let last = 0;
  return (offset: number): Position => {
    const o = Math.max(0, Math.min(offset, text.length));
    // The parser asks in nearly increasing order: try the line of the previous answer and the next one first.
    if (o >= starts[last]) {
      if (last + 1 >= starts.length || o < starts[last + 1]) return { line: last, character: o - starts[last], offset: o };
      if (last + 2 >= starts.length || o < starts[last + 2]) {
        last++;
        return { line: last, character: o - starts[last], offset: o };
      }
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    last = lo;
    return { line: lo, character: o - starts[lo], offset: o };
  };
}

/**
 * A range that works out line and character only when asked: a big document has tens of thousands of
 * nodes, and eager Position objects made garbage collection the main cost of parsing.
 */
export class TextRange implements Range {
  constructor(private readonly mapper: (offset: number) => Position, readonly startOffset: number, readonly endOffset: number) {}

  get start(): Position {
    return this.mapper(this.startOffset);
  }

  get end(): Position {
    return this.mapper(this.endOffset);
  }

  toJSON(): { start: Position; end: Position } {
    return { start: this.start, end: this.end };
  }
}

/** Offsets of a range without building Position objects when it is a TextRange. */
export function startOf(r: Range): number {
  return r instanceof TextRange ? r.startOffset : r.start.offset;
}

export function endOf(r: Range): number {
  return r instanceof TextRange ? r.endOffset : r.end.offset;
}
