// Decoding, convert() and image_client.py's preprocess() against what PIL and numpy produced for the
// committed fixtures (scripts/gen-preprocess-fixtures.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert, decodeImage, preprocessImage } from '../../../../src/inference/image';
import type { DecodedImage, PreprocessSpec } from '../../../../src/inference/image';
import { readNpy } from '../../../../src/inference/npy';
import { fp16ArrayToFloat32 } from '../../../../src/triton/fp16';

const DIR = join(__dirname, '../../../fixtures/images/pil');

interface Case {
  spec: PreprocessSpec;
  npy: string;
}
interface Entry {
  file: string;
  mode: string;
  width: number;
  height: number;
  raw: boolean;
  cases: Case[];
}
interface Conversion {
  mode: 'CMYK' | 'I';
  width: number;
  height: number;
  data: number[];
  L: number[];
  RGB: number[];
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { images: Entry[]; conversions: Conversion[] };

function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tolerance)) return `element ${i}: ${actual[i]} vs PIL ${expected[i]}`;
  }
  return undefined;
}

function open(file: string): DecodedImage {
  return decodeImage(readFileSync(join(DIR, file)));
}

test('the fixture set covers every decoder and many modes', () => {
  const modes = new Set(manifest.images.map((e) => e.mode));
  for (const m of ['1', 'L', 'LA', 'P', 'RGB', 'RGBA', 'I']) assert.ok(modes.has(m), `no fixture opens as ${m}`);
  for (const ext of ['.png', '.bmp', '.gif', '.jpg', '.webp']) assert.ok(manifest.images.some((e) => e.file.endsWith(ext)), `no ${ext} fixture`);
});

for (const entry of manifest.images) {
  test(`${entry.file}: opens as PIL mode ${entry.mode}, ${entry.width}×${entry.height}`, () => {
    const image = open(entry.file);
    assert.equal(image.mode, entry.mode);
    assert.equal(image.width, entry.width);
    assert.equal(image.height, entry.height);
  });

  if (entry.raw) {
    test(`${entry.file}: convert("L") and convert("RGB") equal PIL's byte for byte`, () => {
      const image = open(entry.file);
      const stem = entry.file.replace(/\.[^.]+$/, '');
      for (const target of ['L', 'RGB'] as const) {
        const expected = readFileSync(join(DIR, `${stem}.${target}.raw`));
        const diff = firstDifference(convert(image, target).data, expected, 0);
        assert.equal(diff, undefined, `${target}: ${diff}`);
      }
    });
  }

  test(`${entry.file}: preprocess matches image_client.py for ${entry.cases.length} specs`, () => {
    const image = open(entry.file);
    for (const c of entry.cases) {
      const expected = readNpy(readFileSync(join(DIR, c.npy)));
      const got = preprocessImage(image, c.spec);
      const label = `${c.npy} ${JSON.stringify(c.spec)}`;
      assert.deepEqual(got.shape, expected.shape, label);
      assert.equal(got.datatype, expected.datatype, label);
      let actual: ArrayLike<number> = got.data as ArrayLike<number>;
      let want: ArrayLike<number> = expected.data as ArrayLike<number>;
      if (c.spec.datatype === 'FP16') {
        actual = fp16ArrayToFloat32(got.data as Uint16Array);
        want = fp16ArrayToFloat32(expected.data as Uint16Array);
      }
      // The bar the issue sets is one 8-bit step; the arithmetic is meant to be exact, so hold it to that.
      const diff = firstDifference(actual, want, 0);
      assert.equal(diff, undefined, `${label}: ${diff}`);
    }
  });
}

for (const conv of manifest.conversions) {
  test(`mode ${conv.mode}: convert("L") and convert("RGB") equal PIL's`, () => {
    const data = conv.mode === 'I' ? Int32Array.from(conv.data) : Uint8Array.from(conv.data);
    const image: DecodedImage = { format: 'PNG', width: conv.width, height: conv.height, mode: conv.mode, data };
    assert.equal(firstDifference(convert(image, 'L').data, conv.L, 0), undefined);
    assert.equal(firstDifference(convert(image, 'RGB').data, conv.RGB, 0), undefined);
  });
}
