// Huffman tables (DHT) and the entropy-coded bit reader: byte stuffing, markers inside the
// data, and bits read past the end counted so a short scan is reported rather than invented.
import { JpegError } from './jpegError';

/** Codes up to this many bits are decoded with one table look-up. */
export const LOOKUP_BITS = 9;
/** A code and its extra bits that together fit in this many bits come out of one look-up, value and all. */
export const FAST_BITS = 10;

export interface HuffmanTable {
  /** Indexed by the next LOOKUP_BITS bits: (code length << 8) | symbol, or 0 for a longer code. */
  readonly lookup: Uint16Array;
  /** Largest code of each length (1..16), -1 when there is none. */
  readonly maxCode: Int32Array;
  /** Value index of the first code of each length, minus that code. */
  readonly valOffset: Int32Array;
  readonly values: Uint8Array;
  /**
   * Indexed by the next FAST_BITS bits: (value << 9) | (run << 5) | bits used, where the symbol is
   * (run << 4) | size and value is its extra bits sign-extended (0 when size is 0); 0 = use the slow path.
   */
  readonly fast: Int32Array;
  /** Largest symbol, to check a DC table's categories before use. */
  readonly maxSymbol: number;
}

/** JPEG's sign extension of `size` extra bits (Annex F "EXTEND"). */
function extend(v: number, size: number): number {
  return v < 1 << (size - 1) ? v - (1 << size) + 1 : v;
}

/** Builds a table from the 16 code-length counts and the symbols of a DHT segment. */
export function buildHuffmanTable(counts: Uint8Array, values: Uint8Array, offset: number): HuffmanTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const fast = new Int32Array(1 << FAST_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const valOffset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1];
    valOffset[len] = k - code;
    for (let i = 0; i < n; i++, k++, code++) {
      if (len <= LOOKUP_BITS) {
        const shift = LOOKUP_BITS - len;
        const entry = (len << 8) | values[k];
        for (let fill = code << shift, last = fill + (1 << shift); fill < last; fill++) lookup[fill] = entry;
      }
      const size = values[k] & 15;
      if (len + size <= FAST_BITS) {
        const rest = FAST_BITS - len - size;
        for (let extra = 0; extra < 1 << size; extra++) {
          const value = size === 0 ? 0 : extend(extra, size);
          const entry = (value << 9) | ((values[k] >> 4) << 5) | (len + size);
          const first = (((code << size) | extra) << rest);
          for (let fill = first, last = first + (1 << rest); fill < last; fill++) fast[fill] = entry;
        }
      }
    }
    if (n > 0) maxCode[len] = code - 1;
    // Codes of one length must fit in that many bits (and leave the all-ones code unused).
    if (code >= 1 << len) throw new JpegError('corrupt', `Huffman table has too many codes of length ${len}`, offset);
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  let maxSymbol = 0;
  for (const v of values) maxSymbol = Math.max(maxSymbol, v);
  return { lookup, maxCode, valOffset, values, fast, maxSymbol };
}

/**
 * Reads the entropy-coded segment of a scan. Past a marker or the end of the file it supplies zero
 * bits, as libjpeg does, but counts them: `overrun()` tells whether any were really consumed.
 */
export class BitReader {
  /** Bit buffer and its fill; public so the hottest loop can keep them in locals between refills. */
  buf = 0;
  cnt = 0;
  /** Zero bits supplied after the data ended (marker or end of file). */
  private fake = 0;
  /** True once the end of the data was reached because the file ended. */
  atEof = false;
  private stopped = false;

  constructor(private readonly data: Uint8Array, public pos: number) {}

  fill(): void {
    const data = this.data;
    let buf = this.buf;
    let cnt = this.cnt;
    let p = this.pos;
    // Fast path: plain data bytes (no 0xFF) while the reader has not stopped.
    while (cnt <= 24 && !this.stopped && p < data.length && data[p] !== 0xff) {
      buf = (buf << 8) | data[p++];
      cnt += 8;
    }
    this.buf = buf;
    this.cnt = cnt;
    this.pos = p;
    while (this.cnt <= 24) this.fillSpecial();
  }

  /** One byte when the next is 0xFF, the data has ended, or the reader has stopped. */
  private fillSpecial(): void {
    const data = this.data;
    let b = 0;
    if (!this.stopped) {
      const p = this.pos;
      if (p >= data.length) {
        this.stopped = true;
        this.atEof = true;
      } else {
        b = data[p];
        if (b !== 0xff) this.pos = p + 1;
        else {
          // 0xFF 0x00 is a stuffed 0xFF; 0xFF fill bytes may precede a marker.
          let q = p + 1;
          while (q < data.length && data[q] === 0xff) q++;
          if (q >= data.length) {
            this.stopped = true;
            this.atEof = true;
            b = 0;
          } else if (data[q] === 0) this.pos = q + 1;
          else {
            this.pos = q - 1;
            this.stopped = true;
            b = 0;
          }
        }
      }
    }
    if (this.stopped) this.fake += 8;
    this.buf = (this.buf << 8) | b;
    this.cnt += 8;
  }

  /** Whether more bits were consumed than the data held. */
  overrun(): boolean {
    return this.cnt < this.fake;
  }

  bits(n: number): number {
    if (this.cnt < n) this.fill();
    this.cnt -= n;
    return (this.buf >>> this.cnt) & ((1 << n) - 1);
  }

  bit(): number {
    if (this.cnt < 1) this.fill();
    this.cnt--;
    return (this.buf >>> this.cnt) & 1;
  }

  /** n bits as a signed value (JPEG's "receive and extend"). */
  signed(n: number): number {
    if (this.cnt < n) this.fill();
    this.cnt -= n;
    return extend((this.buf >>> this.cnt) & ((1 << n) - 1), n);
  }

  /**
   * A symbol and its extra bits, packed as in HuffmanTable.fast: value = result >> 9,
   * run = (result >> 5) & 15. A value of 0 means the symbol's size was 0 (EOB, ZRL, DC difference 0).
   */
  symbolValue(t: HuffmanTable): number {
    if (this.cnt < 16) this.fill();
    const e = t.fast[(this.buf >>> (this.cnt - FAST_BITS)) & ((1 << FAST_BITS) - 1)];
    if (e !== 0) {
      this.cnt -= e & 31;
      return e;
    }
    const sym = this.decode(t);
    const size = sym & 15;
    return ((size === 0 ? 0 : this.signed(size)) << 9) | ((sym >> 4) << 5) | 1;
  }

  decode(t: HuffmanTable): number {
    if (this.cnt < 16) this.fill();
    const e = t.lookup[(this.buf >>> (this.cnt - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1)];
    if (e !== 0) {
      this.cnt -= e >> 8;
      return e & 0xff;
    }
    for (let len = LOOKUP_BITS + 1; len <= 16; len++) {
      const code = (this.buf >>> (this.cnt - len)) & ((1 << len) - 1);
      if (code <= t.maxCode[len]) {
        this.cnt -= len;
        return t.values[t.valOffset[len] + code];
      }
    }
    throw new JpegError('corrupt', 'bad Huffman code in the entropy-coded data', this.pos);
  }

  /** Drops the bits left in the current byte and everything buffered (before a restart marker). */
  reset(): void {
    // Bytes already pulled into the buffer but not consumed belong before the marker: they are
    // padding, so they are simply dropped along with the partial byte.
    this.buf = 0;
    this.cnt = 0;
    this.fake = 0;
    this.stopped = false;
  }

  /** Whether the reader stopped at a marker (not at the end of the file). */
  stoppedAtMarker(): boolean {
    return this.stopped && !this.atEof;
  }
}
