import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImageRequests, decodeImage } from '../../../../src/inference/image';
import type { ImageModelSpec, LoadedImage } from '../../../../src/inference/image';
import { readNpy } from '../../../../src/inference/npy';

const DIR = join(__dirname, '../../../fixtures/images/pil');
const load = (name: string): LoadedImage => ({ name, path: join(DIR, name), image: decodeImage(readFileSync(join(DIR, name))) });
const images = ['png-rgb8.png', 'bmp-24bit.bmp', 'jpeg-progressive-420.jpg'].map(load);
const model: ImageModelSpec = { maxBatchSize: 4, inputName: 'data_0', outputName: 'prob', c: 3, h: 10, w: 12, format: 'NCHW', datatype: 'FP32' };

test('batches of two over three images: [a b] then [c a], stacked with the batch dimension', () => {
  const requests = buildImageRequests(images, model, { scaling: 'NONE', batchSize: 2 });
  assert.deepEqual(requests.map((r) => r.id), ['1', '2']);
  assert.deepEqual(requests.map((r) => r.images.map((i) => i.name)), [['png-rgb8.png', 'bmp-24bit.bmp'], ['jpeg-progressive-420.jpg', 'png-rgb8.png']]);
  assert.deepEqual(requests[0]!.shape, [2, 3, 10, 12]);
  assert.equal(requests[0]!.inputName, 'data_0');
  // Each slice is image_client.py's tensor for that image (spec0 of the fixtures is this spec).
  const per = 3 * 10 * 12;
  const want = (name: string): number[] => Array.from(readNpy(readFileSync(join(DIR, name.replace(/\.[^.]+$/, '.spec0.npy')))).data as Float32Array);
  assert.deepEqual(Array.from(requests[1]!.data.subarray(0, per) as Float32Array), want('jpeg-progressive-420.jpg'));
  assert.deepEqual(Array.from(requests[1]!.data.subarray(per) as Float32Array), want('png-rgb8.png'));
  assert.equal(requests[1]!.images[0]!.preview.width, 12);
});

test('a model without batching gets one unbatched tensor per request', () => {
  const requests = buildImageRequests(images, { ...model, maxBatchSize: 0 }, { scaling: 'INCEPTION' });
  assert.equal(requests.length, 3);
  assert.deepEqual(requests[0]!.shape, [3, 10, 12]);
  assert.throws(() => buildImageRequests(images, { ...model, maxBatchSize: 0 }, { scaling: 'NONE', batchSize: 2 }), /doesn't support batching/);
});

test('variable height and width must be given; fixed ones must not be contradicted', () => {
  const dynamic = { ...model, h: -1, w: -1 };
  assert.throws(() => buildImageRequests(images, dynamic, { scaling: 'NONE' }), /input height is variable: give a positive height/);
  const r = buildImageRequests(images, dynamic, { scaling: 'NONE', height: 5, width: 6 });
  assert.deepEqual(r[0]!.shape, [1, 3, 5, 6]);
  assert.throws(() => buildImageRequests(images, model, { scaling: 'NONE', height: 11 }), /input height is 10, not 11/);
  assert.throws(() => buildImageRequests(images, { ...model, c: 4 }, { scaling: 'NONE' }), /4 channels/);
});
