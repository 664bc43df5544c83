// HPACK (RFC 7541) for the unary HTTP/2 client: a complete decoder for what a server sends (static
// and dynamic tables, size updates, Huffman strings) and a small encoder for our own requests,
// which never index and never use Huffman coding (both optional for an encoder).

/** A decoding failure: the connection's header compression state is lost (COMPRESSION_ERROR). */
export class HpackError extends Error {}

/** RFC 7541 Appendix A. */
const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];
const STATIC_COUNT = STATIC_TABLE.length;
/** Per-entry overhead counted in a dynamic table's size (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;

/**
 * The code length in bits of each of the 257 symbols of RFC 7541 Appendix B (256 is EOS), as
 * characters offset by 60. The code is canonical: codes of equal length follow symbol order and
 * each length starts where the shorter ones left off, so the lengths alone define every code.
 */
const HUFFMAN_LENGTHS =
  'ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHFIBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKABABABBBACCBBBABCBAABCCCCCKGJIXPRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRSVVPORSRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWVZ';
const EOS = 256;

/**
 * A decoding tree packed in an Int32Array: node n has children at [2n] (bit 0) and [2n+1] (bit 1);
 * a child value > 0 is the next node, < 0 is -(symbol + 1), 0 is no code (cannot happen: the
 * code is complete). Built once on first use.
 */
let huffmanTree: Int32Array | undefined;

function buildHuffmanTree(): Int32Array {
  const symbols = [...Array(257).keys()].map((s) => ({ s, bits: HUFFMAN_LENGTHS.charCodeAt(s) - 60 }));
  symbols.sort((a, b) => a.bits - b.bits || a.s - b.s);
  const tree = new Int32Array(2 * 512);
  let nodes = 1;
  let code = 0;
  let length = symbols[0]!.bits;
  for (const { s, bits } of symbols) {
    code <<= bits - length;
    length = bits;
    let node = 0;
    for (let i = bits - 1; i > 0; i--) {
      const slot = 2 * node + ((code >>> i) & 1);
      if (tree[slot] === 0) tree[slot] = nodes++;
      node = tree[slot]!;
    }
    tree[2 * node + (code & 1)] = -(s + 1);
    code++;
  }
  return tree;
}

/** Decodes a Huffman-coded string (RFC 7541 §5.2), padding checked: at most 7 bits, all ones, no EOS. */
export function huffmanDecode(bytes: Uint8Array, start: number, end: number): string {
  const tree = (huffmanTree ??= buildHuffmanTree());
  const out: number[] = [];
  let node = 0;
  /** Bits read since the last complete symbol, and whether all of them were ones. */
  let pending = 0;
  let allOnes = true;
  for (let p = start; p < end; p++) {
    const byte = bytes[p]!;
    for (let i = 7; i >= 0; i--) {
      const bit = (byte >>> i) & 1;
      const next = tree[2 * node + bit]!;
      pending++;
      if (bit === 0) allOnes = false;
      if (next < 0) {
        const symbol = -next - 1;
        if (symbol === EOS) throw new HpackError('a Huffman-coded string contains the EOS symbol');
        out.push(symbol);
        node = 0;
        pending = 0;
        allOnes = true;
      } else {
        node = next;
      }
    }
  }
  if (pending > 7) throw new HpackError(`a Huffman-coded string ends with ${pending} bits of padding (at most 7 allowed)`);
  if (!allOnes) throw new HpackError('a Huffman-coded string ends with padding that is not the EOS prefix (all ones)');
  return latin1(out);
}

function latin1(codes: number[]): string {
  let s = '';
  for (let i = 0; i < codes.length; i += 4096) s += String.fromCharCode(...codes.slice(i, i + 4096));
  return s;
}

/** Decoded header fields: name → value; repeated names are joined with ', ' (all a gRPC client needs). */
export type HeaderFields = Record<string, string>;

export class HpackDecoder {
  /** Newest entry first. */
  private readonly table: Array<readonly [string, string]> = [];
  private tableSize = 0;
  private maxTableSize: number;

  /**
   * @param settingsTableSize our SETTINGS_HEADER_TABLE_SIZE (the bound on size updates)
   * @param maxHeaderListSize the bound on a decoded header list (names + values + 32 per field)
   */
  constructor(private readonly settingsTableSize = 4096, readonly maxHeaderListSize = 64 * 1024) {
    this.maxTableSize = settingsTableSize;
  }

  /** Current size of the dynamic table in RFC 7541 terms (for tests). */
  get dynamicTableSize(): number {
    return this.tableSize;
  }

  /** Dynamic table entries, newest first (for tests). */
  get dynamicEntries(): ReadonlyArray<readonly [string, string]> {
    return this.table;
  }

  /**
   * Decodes one complete header block. A list beyond the bound is decoded to the end all the same
   * (the dynamic table must stay in step with the server) and reported as `tooLarge` with the
   * fields dropped; a malformed block throws HpackError.
   */
  decode(block: Uint8Array): { fields: HeaderFields; tooLarge?: number } {
    const fields: HeaderFields = {};
    let listSize = 0;
    let p = 0;
    const end = block.length;
    let sawField = false;
    while (p < end) {
      const b = block[p]!;
      let name: string;
      let value: string;
      if (b & 0x80) {
        // Indexed header field (§6.1).
        const [index, next] = readInteger(block, p, 7);
        p = next;
        [name, value] = this.entry(index);
      } else if ((b & 0xe0) === 0x20) {
        // Dynamic table size update (§6.3): only at the start of a block.
        if (sawField) throw new HpackError('a dynamic table size update comes after a header field');
        const [size, next] = readInteger(block, p, 5);
        p = next;
        if (size > this.settingsTableSize) throw new HpackError(`a dynamic table size update to ${size} exceeds the ${this.settingsTableSize} allowed`);
        this.maxTableSize = size;
        this.evict(0);
        continue;
      } else {
        // Literal (§6.2): with incremental indexing (01), without (0000) or never indexed (0001).
        const indexing = (b & 0xc0) === 0x40;
        const [index, next] = readInteger(block, p, indexing ? 6 : 4);
        p = next;
        if (index === 0) {
          [name, p] = readString(block, p);
        } else {
          name = this.entry(index)[0];
        }
        [value, p] = readString(block, p);
        if (indexing) this.insert(name, value);
      }
      sawField = true;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > this.maxHeaderListSize) continue;
      const had = fields[name];
      fields[name] = had === undefined ? value : `${had}, ${value}`;
    }
    if (listSize > this.maxHeaderListSize) return { fields: {}, tooLarge: listSize };
    return { fields };
  }

  private entry(index: number): readonly [string, string] {
    if (index === 0) throw new HpackError('header field index 0 is not valid');
    if (index <= STATIC_COUNT) return STATIC_TABLE[index - 1]!;
    const entry = this.table[index - STATIC_COUNT - 1];
    if (entry === undefined) {
      throw new HpackError(`header field index ${index} is beyond the tables (${STATIC_COUNT} static + ${this.table.length} dynamic entries)`);
    }
    return entry;
  }

  private insert(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the whole table empties it and is not added (§4.4).
    this.evict(size);
    if (size > this.maxTableSize) return;
    this.table.unshift([name, value]);
    this.tableSize += size;
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  private evict(room: number): void {
    while (this.table.length > 0 && this.tableSize + room > this.maxTableSize) {
      const [n, v] = this.table.pop()!;
      this.tableSize -= n.length + v.length + ENTRY_OVERHEAD;
    }
  }
}

/** An HPACK integer with an N-bit prefix (§5.1): [value, offset after it]. */
export function readInteger(block: Uint8Array, p: number, prefixBits: number): [number, number] {
  const max = (1 << prefixBits) - 1;
  let value = block[p]! & max;
  p++;
  if (value < max) return [value, p];
  let shift = 0;
  for (;;) {
    if (p >= block.length) throw new HpackError('a header block ends inside an integer');
    const b = block[p++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
    // Nothing in a header block needs more than 2^31; longer encodings are hostile.
    if (shift > 28) throw new HpackError('an integer in a header block is too large');
  }
  if (value > 0x7fffffff) throw new HpackError('an integer in a header block is too large');
  return [value, p];
}

/** A string literal (§5.2): [text, offset after it]. Octets map to characters one to one (latin1). */
export function readString(block: Uint8Array, p: number): [string, number] {
  if (p >= block.length) throw new HpackError('a header block ends before a string literal');
  const huffman = (block[p]! & 0x80) !== 0;
  const [length, start] = readInteger(block, p, 7);
  const end = start + length;
  if (end > block.length) throw new HpackError(`a string literal of ${length} byte(s) runs past the end of its header block`);
  const text = huffman ? huffmanDecode(block, start, end) : Buffer.from(block.buffer, block.byteOffset + start, length).toString('latin1');
  return [text, end];
}

/** Appends an HPACK integer with an N-bit prefix; `flags` fills the bits above the prefix. */
export function writeInteger(out: number[], value: number, prefixBits: number, flags: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(flags | value);
    return;
  }
  out.push(flags | max);
  value -= max;
  while (value >= 128) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

function staticNameIndex(name: string): number {
  for (let i = 0; i < STATIC_COUNT; i++) if (STATIC_TABLE[i]![0] === name) return i + 1;
  return 0;
}

/**
 * Encodes fields as literals without indexing (§6.2.2), names by static index where the table has
 * them, strings raw. Names must be lower case and values latin1; the caller checks both.
 */
export function encodeLiterals(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const index = staticNameIndex(name);
    writeInteger(out, index, 4, 0x00);
    if (index === 0) writeString(out, name);
    writeString(out, value);
  }
  return Buffer.from(out);
}

function writeString(out: number[], text: string): void {
  writeInteger(out, text.length, 7, 0x00);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i) & 0xff);
}
