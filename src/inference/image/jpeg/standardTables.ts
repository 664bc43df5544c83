// The example Huffman tables of ITU T.81 Annex K.3, which libjpeg-turbo substitutes for slots 0
// and 1 when a file defines none there (Motion-JPEG frames routinely omit them).
import { buildHuffmanTable, type HuffmanTable } from './huffman';

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

// Each entry: the 16 code-length counts, then the symbols, as in a DHT segment.
const DC = [
  ['00010501010101010100000000000000', '000102030405060708090a0b'],
  ['00030101010101010101010000000000', '000102030405060708090a0b'],
];
const AC = [
  ['0002010303020403050504040000017d',
    '01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa'],
  ['00020102040403040705040400010277',
    '000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa'],
];

const cache = new Map<string, HuffmanTable>();

/** The standard table for class dc/ac and slot 0 (luminance) or 1 (chrominance); undefined for other slots. */
export function standardTable(kind: 'dc' | 'ac', slot: number): HuffmanTable | undefined {
  if (slot > 1) return undefined;
  const key = `${kind}${slot}`;
  let t = cache.get(key);
  if (!t) {
    const [counts, values] = (kind === 'dc' ? DC : AC)[slot];
    t = buildHuffmanTable(hexBytes(counts), hexBytes(values), 0);
    cache.set(key, t);
  }
  return t;
}
