import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, encodePngRgba, thumbnail } from '../../../../src/inference/image';

const DIR = join(__dirname, '../../../fixtures/images/pil');

test('encoded previews decode back to the same RGBA pixels', () => {
  const rgba = new Uint8Array(7 * 5 * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37) & 255;
  const back = decodeImage(encodePngRgba(7, 5, rgba));
  assert.equal(back.format, 'PNG');
  assert.equal(back.mode, 'RGBA');
  assert.deepEqual([back.width, back.height], [7, 5]);
  assert.deepEqual(Array.from(back.data), Array.from(rgba));
  assert.throws(() => encodePngRgba(7, 5, rgba.subarray(1)), /139 bytes are not a 7×5 RGBA image/);
});

test('thumbnails fit the box, keep the aspect ratio and are never enlarged', () => {
  const big = decodeImage(readFileSync(join(DIR, 'png-rgb8-large-160x120.png')));
  const t = thumbnail(big, 64);
  assert.deepEqual([t.width, t.height], [64, 48]);
  assert.equal(t.rgba.length, 64 * 48 * 4);
  const tiny = decodeImage(readFileSync(join(DIR, 'png-rgb8-tiny-3x2.png')));
  const same = thumbnail(tiny, 64);
  assert.deepEqual([same.width, same.height], [3, 2]);
  // Not enlarged: the pixels are the image's own.
  assert.deepEqual(Array.from(same.rgba.subarray(0, 3)), Array.from(tiny.data.subarray(0, 3)));
});
