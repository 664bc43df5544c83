// decodeJpeg against PIL + libjpeg-turbo: every fixture in test/fixtures/images/jpeg/ decodes to
// exactly the bytes PIL produced (scripts/gen-image-fixtures.py), or is refused where PIL refuses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJpeg, JpegError } from '../../../src/inference/image/jpeg';

const dir = join(__dirname, '..', '..', 'fixtures', 'images', 'jpeg');
type Expected = { width: number; height: number; mode: string } | { error: string };
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, Expected>;

/** Where two pixel buffers first differ, as a readable message. */
function firstDifference(got: Uint8Array, want: Uint8Array, width: number, channels: number): string {
  let count = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      count++;
      if (first < 0) first = i;
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
  }
  if (count === 0) return '';
  const px = Math.floor(first / channels);
  return `${count} of ${want.length} samples differ (max by ${worst}); first at x=${px % width} y=${Math.floor(px / width)} channel ${first % channels}: got ${got[first]}, PIL ${want[first]}`;
}

test('the fixture set covers the layouts the decoder claims', () => {
  assert.ok(Object.keys(manifest).length >= 30, 'fixtures missing: run /usr/bin/python3 scripts/gen-image-fixtures.py');
});

for (const [name, want] of Object.entries(manifest)) {
  test(name.includes('arithmetic') ? `${name} is refused (arithmetic coding)` : `${name} decodes as PIL does`, () => {
    const bytes = new Uint8Array(readFileSync(join(dir, `${name}.jpg`)));
    if (name.includes('arithmetic')) {
      // PIL decodes it; arithmetic coding is deliberately out of scope here, and must be refused clearly.
      assert.throws(() => decodeJpeg(bytes), (e: unknown) => e instanceof JpegError && e.kind === 'unsupported' && /arithmetic/.test(e.message));
      return;
    }
    if ('error' in want) {
      assert.throws(() => decodeJpeg(bytes), (e: unknown) => e instanceof JpegError && /sampl/.test(e.message));
      return;
    }
    const img = decodeJpeg(bytes);
    assert.equal(img.width, want.width);
    assert.equal(img.height, want.height);
    assert.equal(img.mode, want.mode);
    const pil = new Uint8Array(readFileSync(join(dir, `${name}.raw`)));
    assert.equal(img.data.length, pil.length);
    assert.equal(firstDifference(img.data, pil, img.width, img.data.length / (img.width * img.height)), '');
  });
}
