// decodeJpeg on bad input: truncated, corrupt, unsupported and oversized files are refused with a
// JpegError naming what is wrong and where; mangled files never escape as another exception or hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJpeg, JpegError, type JpegErrorKind } from '../../../src/inference/image/jpeg';

const dir = join(__dirname, '..', '..', 'fixtures', 'images', 'jpeg');
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, `${name}.jpg`)));

function refuses(bytes: Uint8Array, kind: JpegErrorKind, message: RegExp): JpegError {
  try {
    decodeJpeg(bytes);
  } catch (e) {
    assert.ok(e instanceof JpegError, `expected a JpegError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, message);
    assert.match(e.message, /at byte \d+/);
    return e;
  }
  assert.fail(`decoded without complaint; expected ${kind} ${message}`);
}

/** Offsets of each marker (0xFF xx) of the given code in the segment structure before the first scan. */
function markerAt(bytes: Uint8Array, code: number, from = 2): number {
  for (let p = from; p + 1 < bytes.length; p++) if (bytes[p] === 0xff && bytes[p + 1] === code) return p;
  return -1;
}

for (const name of ['pil-420-q75-48x32', 'pil-progressive-420-33x21', 'own-restart3-420-35x19', 'own-separate-scans-sof1-420-29x22']) {
  test(`${name} cut at every length is refused as truncated, as PIL does`, () => {
    const bytes = load(name);
    for (let n = 3; n < bytes.length; n++) {
      const e = refuses(bytes.subarray(0, n), 'truncated', /truncated|ends/);
      assert.ok(e.offset <= n, `offset ${e.offset} past the end (${n})`);
    }
    refuses(bytes.subarray(0, 2), 'corrupt', /not a JPEG/);
  });
}

test('a file that is not a JPEG is named as such', () => {
  refuses(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'corrupt', /not a JPEG file/);
  refuses(new Uint8Array(0), 'corrupt', /not a JPEG file/);
});

test('arithmetic coding, lossless and 12-bit samples are refused as unsupported', () => {
  const base = load('pil-420-q75-48x32');
  const sof = markerAt(base, 0xc0);
  const arith = base.slice();
  arith[sof + 1] = 0xc9;
  refuses(arith, 'unsupported', /arithmetic-coded/);
  const lossless = base.slice();
  lossless[sof + 1] = 0xc3;
  refuses(lossless, 'unsupported', /lossless/);
  const twelve = base.slice();
  twelve[sof + 4] = 12;
  const e = refuses(twelve, 'unsupported', /12-bit/);
  assert.equal(e.offset, sof + 4);
});

test('images over the size limits are refused before anything is allocated', () => {
  const base = load('pil-420-q75-48x32');
  const sof = markerAt(base, 0xc0);
  const huge = base.slice();
  huge.set([0x4e, 0x20, 0x4e, 0x20], sof + 5); // 20000 x 20000
  refuses(huge, 'too-large', /20000x20000.*16384/);
  assert.throws(() => decodeJpeg(base, { maxDimension: 16384, maxBytes: 1000, maxScans: 10 }), (e: unknown) => e instanceof JpegError && e.kind === 'too-large' && /48x32x3/.test(e.message));
  const zero = base.slice();
  zero.set([0, 0], sof + 5);
  refuses(zero, 'unsupported', /height 0/);
});

test('a progressive file with more scans than the limit is refused', () => {
  const bytes = load('pil-progressive-420-33x21');
  let scans = 0;
  for (let p = markerAt(bytes, 0xda); p >= 0; p = markerAt(bytes, 0xda, p + 2)) scans++;
  assert.ok(scans > 3);
  decodeJpeg(bytes, { maxDimension: 100, maxBytes: 1 << 20, maxScans: scans });
  assert.throws(() => decodeJpeg(bytes, { maxDimension: 100, maxBytes: 1 << 20, maxScans: 3 }), (e: unknown) => e instanceof JpegError && e.kind === 'too-large' && /more than 3 scans/.test(e.message));
});

test('a large image whose data stops early is refused without decoding the rest', () => {
  // 8000 x 8000 frame over the 48x32 image's tiny scan: the data runs out on the first MCU rows.
  const bytes = load('pil-420-q75-48x32');
  const sof = markerAt(bytes, 0xc0);
  const big = bytes.slice();
  big.set([0x1f, 0x40, 0x1f, 0x40], sof + 5);
  const t0 = performance.now();
  refuses(big, 'corrupt', /ends before its last block/);
  assert.ok(performance.now() - t0 < 3000, 'took too long to notice the data ran out');
});

test('entropy-coded data that matches no Huffman code is a clear error', () => {
  const bytes = load('own-restart3-420-35x19');
  const sos = markerAt(bytes, 0xda);
  const start = sos + 2 + ((bytes[sos + 2] << 8) | bytes[sos + 3]);
  const bad = bytes.slice();
  for (let p = start; p + 1 < start + 40; p += 2) bad.set([0xff, 0x00], p); // all one bits: never a valid code
  refuses(bad, 'corrupt', /bad Huffman code/);
});

test('a restart marker out of sequence is reported with its offset', () => {
  const bytes = load('own-restart3-420-35x19');
  const rst0 = markerAt(bytes, 0xd0, markerAt(bytes, 0xda));
  assert.ok(rst0 > 0);
  const bad = bytes.slice();
  bad[rst0 + 1] = 0xd5;
  const e = refuses(bad, 'corrupt', /expected restart marker RST0.*found 0xFFD5/);
  assert.equal(e.offset, rst0);
});

test('segments out of order or naming missing tables are refused', () => {
  const bytes = load('pil-420-q75-48x32');
  const sof = markerAt(bytes, 0xc0);
  const sofLength = (bytes[sof + 2] << 8) | bytes[sof + 3];
  // SOF turned into a COM segment: the scan then comes before any frame.
  const noFrame = bytes.slice();
  noFrame[sof + 1] = 0xfe;
  refuses(noFrame, 'corrupt', /SOS marker before any SOF/);
  // First DQT turned into COM: component 1 names table 0, now missing.
  const dqt = markerAt(bytes, 0xdb);
  const noQuant = bytes.slice();
  noQuant[dqt + 1] = 0xfe;
  refuses(noQuant, 'corrupt', /quantisation table 0, which is not defined/);
  // A scan naming Huffman slot 2, which no DHT defined (slots 0 and 1 fall back to Annex K's tables).
  const sos = markerAt(bytes, 0xda);
  const noHuff = bytes.slice();
  noHuff[sos + 6] = 0x22;
  refuses(noHuff, 'corrupt', /DC Huffman table 2, which is not defined/);
  const twoSof = new Uint8Array([...bytes.subarray(0, sof), ...bytes.subarray(sof, sof + 2 + sofLength), ...bytes.subarray(sof)]);
  refuses(twoSof, 'corrupt', /second SOF/);
  const badLength = bytes.slice();
  badLength.set([0, 1], sof + 2);
  refuses(badLength, 'corrupt', /impossible length 1/);
});

test('mangled files decode or fail with a JpegError, never another exception', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let refused = 0;
  let decoded = 0;
  for (const name of ['pil-420-q75-48x32', 'pil-progressive-444-q95-20x20', 'own-ycck-40x24', 'own-restart1-420-35x19']) {
    const bytes = load(name);
    for (let i = 0; i < 150; i++) {
      const m = bytes.slice();
      for (let j = 0, n = 1 + rand(4); j < n; j++) m[2 + rand(m.length - 2)] = rand(256);
      try {
        const img = decodeJpeg(m, { maxDimension: 4096, maxBytes: 1 << 24, maxScans: 64 });
        assert.equal(img.data.length, img.width * img.height * (img.mode === 'L' ? 1 : img.mode === 'RGB' ? 3 : 4));
        decoded++;
      } catch (e) {
        assert.ok(e instanceof JpegError, `${name} mutation ${i}: ${String(e)}`);
        refused++;
      }
    }
  }
  assert.ok(refused > 0 && decoded > 0, `refused ${refused}, decoded ${decoded}`);
});
