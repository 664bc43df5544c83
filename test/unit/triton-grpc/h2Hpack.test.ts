// HPACK against the examples of RFC 7541 Appendix C (integers, single fields, three requests and
// three responses with and without Huffman coding, with evictions), plus the malformed blocks a
// decoder must refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, HpackError, encodeLiterals, huffmanDecode, readInteger, writeInteger } from '../../../src/triton/grpc/h2/hpack';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('C.1: integers with 5- and 8-bit prefixes, both ways', () => {
  const cases: Array<[number, number, string]> = [[10, 5, '0a'], [1337, 5, '1f9a0a'], [42, 8, '2a']];
  for (const [value, prefix, bytes] of cases) {
    const out: number[] = [];
    writeInteger(out, value, prefix, 0);
    assert.equal(Buffer.from(out).toString('hex'), bytes);
    assert.deepEqual(readInteger(hex(bytes), 0, prefix), [value, bytes.length / 2]);
  }
  // The bits above the prefix belong to the representation, not the integer.
  assert.deepEqual(readInteger(hex('ea'), 0, 5), [10, 1]);
});

test('C.2: one field of each representation', () => {
  const d = new HpackDecoder();
  assert.deepEqual(d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')).fields, { 'custom-key': 'custom-header' });
  assert.equal(d.dynamicTableSize, 55);
  const plain = new HpackDecoder();
  assert.deepEqual(plain.decode(hex('040c 2f73 616d 706c 652f 7061 7468')).fields, { ':path': '/sample/path' });
  assert.deepEqual(plain.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74')).fields, { password: 'secret' });
  assert.deepEqual(plain.decode(hex('82')).fields, { ':method': 'GET' });
  assert.equal(plain.dynamicTableSize, 0, 'literals without indexing and indexed fields add nothing');
});

const requests = [
  { ':method': 'GET', ':scheme': 'http', ':path': '/', ':authority': 'www.example.com' },
  { ':method': 'GET', ':scheme': 'http', ':path': '/', ':authority': 'www.example.com', 'cache-control': 'no-cache' },
  { ':method': 'GET', ':scheme': 'https', ':path': '/index.html', ':authority': 'www.example.com', 'custom-key': 'custom-value' },
];

for (const [section, blocks] of [
  ['C.3 (raw strings)', ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865', '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65']],
  ['C.4 (Huffman)', ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf', '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf']],
] as const) {
  test(`${section}: three requests on one connection share the dynamic table`, () => {
    const d = new HpackDecoder();
    const sizes = [57, 110, 164];
    blocks.forEach((block, i) => {
      assert.deepEqual(d.decode(hex(block)).fields, requests[i]);
      assert.equal(d.dynamicTableSize, sizes[i]);
    });
    assert.deepEqual(d.dynamicEntries, [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']]);
  });
}

const responses = [
  { ':status': '302', 'cache-control': 'private', date: 'Mon, 21 Oct 2013 20:13:21 GMT', location: 'https://www.example.com' },
  { ':status': '307', 'cache-control': 'private', date: 'Mon, 21 Oct 2013 20:13:21 GMT', location: 'https://www.example.com' },
  {
    ':status': '200', 'cache-control': 'private', date: 'Mon, 21 Oct 2013 20:13:22 GMT', location: 'https://www.example.com',
    'content-encoding': 'gzip', 'set-cookie': 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
  },
];

for (const [section, blocks] of [
  ['C.5 (raw strings)', [
    '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '4803 3330 37c1 c0bf',
    '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
  ]],
  ['C.6 (Huffman)', [
    '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
    '4883 640e ffc1 c0bf',
    '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
  ]],
] as const) {
  test(`${section}: three responses with a 256-byte table evict the oldest entries`, () => {
    const d = new HpackDecoder(256);
    const sizes = [222, 222, 215];
    blocks.forEach((block, i) => {
      assert.deepEqual(d.decode(hex(block)).fields, responses[i]);
      assert.equal(d.dynamicTableSize, sizes[i]);
    });
    assert.deepEqual(d.dynamicEntries.map(([n]) => n), ['set-cookie', 'content-encoding', 'date']);
  });
}

test('Huffman strings: the padding rules (at most 7 bits, all ones, never EOS)', () => {
  assert.equal(huffmanDecode(hex('f1e3c2e5f23a6ba0ab90f4ff'), 0, 12), 'www.example.com');
  // '0' is 00000: one symbol plus three padding ones.
  assert.equal(huffmanDecode(hex('07'), 0, 1), '0');
  // Padding of zeros is not the EOS prefix.
  assert.throws(() => huffmanDecode(hex('00'), 0, 1), (e: unknown) => e instanceof HpackError && /padding/.test(e.message));
  // A whole byte of ones is more than 7 bits of padding.
  assert.throws(() => huffmanDecode(hex('ff'), 0, 1), (e: unknown) => e instanceof HpackError && /8 bits of padding/.test(e.message));
  // The EOS symbol itself (30 ones) must not appear.
  assert.throws(() => huffmanDecode(hex('ffffffff'), 0, 4), (e: unknown) => e instanceof HpackError && /EOS/.test(e.message));
});

test('malformed blocks are refused with what is wrong', () => {
  const refuse = (block: string, pattern: RegExp, decoder = new HpackDecoder()): void => {
    assert.throws(() => decoder.decode(hex(block)), (e: unknown) => e instanceof HpackError && pattern.test(e.message), block);
  };
  refuse('80', /index 0/);
  refuse('be', /index 62 is beyond the tables \(61 static \+ 0 dynamic/);
  refuse('ff8080808008', /too large/);
  refuse('1f', /ends inside an integer/);
  refuse('400a 6375', /runs past the end/);
  refuse('04', /ends before a string literal/);
  refuse('3fe21f', /size update to 4097 exceeds the 4096 allowed/);
  // A size update after a field.
  refuse('82 20', /after a header field/);
});

test('a dynamic table size update evicts, and 0 empties the table', () => {
  const d = new HpackDecoder();
  d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  assert.equal(d.dynamicTableSize, 55);
  assert.deepEqual(d.decode(hex('20 82')).fields, { ':method': 'GET' });
  assert.equal(d.dynamicTableSize, 0);
  assert.throws(() => d.decode(hex('be')), HpackError);
  // Back to 4096 (allowed: the settings value), then an entry fits again.
  d.decode(hex('3fe11f 400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  assert.deepEqual(d.decode(hex('be')).fields, { 'custom-key': 'custom-header' });
});

test('an entry larger than the table empties it and is not added', () => {
  const d = new HpackDecoder(64);
  d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  assert.equal(d.dynamicTableSize, 55);
  const long = 'x'.repeat(40);
  const fields = d.decode(Buffer.concat([hex('4001 61 28'), Buffer.from(long)])).fields;
  assert.deepEqual(fields, { a: long });
  assert.equal(d.dynamicTableSize, 0);
});

test('a header list beyond the bound is decoded (the table stays in step) but reported, not returned', () => {
  const d = new HpackDecoder(4096, 100);
  const value = 'v'.repeat(80);
  const block = Buffer.concat([hex('4001 61 50'), Buffer.from(value)]);
  const first = d.decode(block);
  assert.equal(first.tooLarge, 1 + 80 + 32);
  assert.deepEqual(first.fields, {});
  assert.equal(d.dynamicTableSize, 113, 'the indexed field entered the table all the same');
  assert.deepEqual(d.decode(hex('82')).fields, { ':method': 'GET' });
});

test('repeated names are joined; our encoder writes literals without indexing that decode back', () => {
  const d = new HpackDecoder();
  assert.deepEqual(d.decode(hex('0001 61 0178 0001 61 0179')).fields, { a: 'x, y' });
  const fields: Array<[string, string]> = [[':method', 'POST'], [':path', '/inference.GRPCInferenceService/ModelInfer'], ['content-type', 'application/grpc'], ['x-long', 'z'.repeat(300)]];
  const block = encodeLiterals(fields);
  assert.equal(block[0], 0x02, ':method by static name index 2, without indexing');
  assert.deepEqual(d.decode(block).fields, Object.fromEntries(fields));
  assert.equal(d.dynamicTableSize, 0);
});
