// WebP lossless bit-level pieces: the LSB-first bit reader and canonical prefix codes (RFC 9649 §3.7).
import { ImageError } from './types';

const CODE_LENGTH_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

export class BitReader {
  private pos = 0;
  private bit = 0;
  constructor(private readonly data: Uint8Array, private readonly base: number) {}
  /** The next 8 bits without consuming them (zeros past the end; skip() reports the truncation). */
  peek8(): number {
    const d = this.data;
    const p = this.pos;
    return (((d[p] ?? 0) | ((d[p + 1] ?? 0) << 8)) >>> this.bit) & 255;
  }
  skip(n: number): void {
    this.bit += n;
    this.pos += this.bit >> 3;
    this.bit &= 7;
    if (this.pos > this.data.length || (this.pos === this.data.length && this.bit > 0)) {
      throw new ImageError(`truncated WebP at byte ${this.base + this.data.length}: lossless data ends early`);
    }
  }
  /** Up to 24 bits, least significant first. */
  read(n: number): number {
    if (n === 0) return 0;
    const d = this.data;
    const p = this.pos;
    const word = ((d[p] ?? 0) | ((d[p + 1] ?? 0) << 8) | ((d[p + 2] ?? 0) << 16) | ((d[p + 3] ?? 0) << 24)) >>> 0;
    const v = (word >>> this.bit) & ((1 << n) - 1);
    this.skip(n);
    return v;
  }
}

const FAST_BITS = 8;

/**
 * A canonical prefix code (codes are sent most significant bit first): codes up to 8 bits come from a
 * 256-entry table indexed by the next 8 stream bits; longer ones are walked bit by bit.
 */
export class PrefixCode {
  private readonly single: number;
  private readonly count = new Int32Array(16);
  private readonly symbols: Int32Array;
  /** symbol << 4 | length, 0 where the code is longer than FAST_BITS. */
  private readonly fast = new Int32Array(1 << FAST_BITS);
  constructor(lengths: Uint8Array) {
    const used = [];
    for (let s = 0; s < lengths.length; s++) if (lengths[s]! > 0) used.push(s);
    if (used.length === 0) throw new ImageError('broken WebP: a prefix code has no symbols');
    this.single = used.length === 1 ? used[0]! : -1;
    for (const s of used) this.count[lengths[s]!]!++;
    used.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
    this.symbols = Int32Array.from(used);
    // A complete code is required unless it has a single symbol.
    let left = 1;
    for (let len = 1; len < 16; len++) {
      left = left * 2 - this.count[len]!;
      if (left < 0) throw new ImageError('broken WebP: over-subscribed prefix code');
    }
    if (left !== 0 && this.single < 0) throw new ImageError('broken WebP: incomplete prefix code');
    if (this.single >= 0) return;
    let code = 0;
    let prevLen = 0;
    for (const s of used) {
      const len = lengths[s]!;
      code <<= len - prevLen;
      prevLen = len;
      if (len <= FAST_BITS) {
        let rev = 0;
        for (let i = 0; i < len; i++) rev |= ((code >> i) & 1) << (len - 1 - i);
        for (let i = rev; i < 1 << FAST_BITS; i += 1 << len) this.fast[i] = (s << 4) | len;
      }
      code++;
    }
  }
  read(br: BitReader): number {
    if (this.single >= 0) return this.single;
    const entry = this.fast[br.peek8()]!;
    if (entry !== 0) {
      br.skip(entry & 15);
      return entry >> 4;
    }
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= br.read(1);
      const count = this.count[len]!;
      if (code - first < count) return this.symbols[index + code - first]!;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new ImageError('broken WebP: bad prefix code');
  }
}

/** Reads one prefix code (simple or normal form) over an alphabet of the given size. */
export function readCode(br: BitReader, alphabet: number): PrefixCode {
  const lengths = new Uint8Array(alphabet);
  if (br.read(1)) {
    const two = br.read(1);
    const s0 = br.read(br.read(1) ? 8 : 1);
    if (s0 >= alphabet) throw new ImageError('broken WebP: symbol outside its alphabet');
    lengths[s0] = 1;
    if (two) {
      const s1 = br.read(8);
      if (s1 >= alphabet) throw new ImageError('broken WebP: symbol outside its alphabet');
      lengths[s1] = 1;
    }
    return new PrefixCode(lengths);
  }
  const clLengths = new Uint8Array(19);
  const n = 4 + br.read(4);
  for (let i = 0; i < n; i++) clLengths[CODE_LENGTH_ORDER[i]!] = br.read(3);
  const cl = new PrefixCode(clLengths);
  let max = alphabet;
  if (br.read(1)) {
    max = 2 + br.read(2 + 2 * br.read(3));
    if (max > alphabet) throw new ImageError('broken WebP: code length count over the alphabet');
  }
  let prev = 8;
  for (let s = 0; s < alphabet && max-- > 0;) {
    const c = cl.read(br);
    if (c < 16) {
      lengths[s++] = c;
      if (c !== 0) prev = c;
      continue;
    }
    const repeat = c === 16 ? 3 + br.read(2) : c === 17 ? 3 + br.read(3) : 11 + br.read(7);
    if (s + repeat > alphabet) throw new ImageError('broken WebP: code lengths run past the alphabet');
    lengths.fill(c === 16 ? prev : 0, s, s + repeat);
    s += repeat;
  }
  return new PrefixCode(lengths);
}
