import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preprocessImage, scalingProblem, ImageError } from '../../../../src/inference/image';
import type { DecodedImage } from '../../../../src/inference/image';

// 2×1 RGB: a red and a blue pixel.
const image: DecodedImage = { format: 'PNG', width: 2, height: 1, mode: 'RGB', data: Uint8Array.from([255, 0, 0, 0, 0, 255]) };

test('NCHW puts channels first, NHWC interleaves them', () => {
  const nchw = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NCHW', scaling: 'NONE', datatype: 'FP32' });
  assert.deepEqual(nchw.shape, [3, 1, 2]);
  assert.deepEqual([...nchw.data], [255, 0, 0, 0, 0, 255]);
  const nhwc = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NHWC', scaling: 'NONE', datatype: 'FP32' });
  assert.deepEqual(nhwc.shape, [1, 2, 3]);
  assert.deepEqual([...nhwc.data], [255, 0, 0, 0, 0, 255]);
});

test('INCEPTION maps 0..255 to -1..1 and VGG subtracts the RGB means without dividing', () => {
  const inc = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NCHW', scaling: 'INCEPTION', datatype: 'FP32' });
  assert.deepEqual([...inc.data], [1, -1, -1, -1, -1, 1]);
  const vgg = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NCHW', scaling: 'VGG', datatype: 'FP32' });
  assert.deepEqual([...vgg.data], [132, -123, -117, -117, -104, 151]);
  assert.deepEqual(vgg.stats, [{ min: -123, max: 132, mean: 4.5 }, { min: -117, max: -117, mean: -117 }, { min: -104, max: 151, mean: 23.5 }]);
});

test('one channel uses PIL luma and VGG subtracts 128', () => {
  const g = preprocessImage(image, { channels: 1, height: 1, width: 2, format: 'NCHW', scaling: 'VGG', datatype: 'FP32' });
  // L of pure red: (255*19595 + 0x8000) >> 16 = 76; of pure blue: 29.
  assert.deepEqual([...g.data], [76 - 128, 29 - 128]);
});

test('the preview is the resized image that was sent, as RGBA', () => {
  const p = preprocessImage(image, { channels: 1, height: 2, width: 4, format: 'NHWC', scaling: 'INCEPTION', datatype: 'FP32' });
  assert.equal(p.preview.width, 4);
  assert.equal(p.preview.height, 2);
  assert.equal(p.preview.rgba.length, 32);
  assert.deepEqual([...p.preview.rgba.subarray(0, 4)], [76, 76, 76, 255]);
  const rgb = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NCHW', scaling: 'NONE', datatype: 'FP32' });
  assert.deepEqual([...rgb.preview.rgba], [255, 0, 0, 255, 0, 0, 255, 255]);
});

test('integer datatypes: NONE is exact, impossible scalings are refused with the reason', () => {
  const u8 = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NHWC', scaling: 'NONE', datatype: 'UINT8' });
  assert.ok(u8.data instanceof Uint8Array);
  assert.deepEqual([...u8.data], [255, 0, 0, 0, 0, 255]);
  const i16 = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NHWC', scaling: 'VGG', datatype: 'INT16' });
  assert.ok(i16.data instanceof Int16Array);
  assert.deepEqual([...i16.data], [132, -117, -104, -123, -117, 151]);
  const i64 = preprocessImage(image, { channels: 1, height: 1, width: 2, format: 'NHWC', scaling: 'NONE', datatype: 'INT64' });
  assert.deepEqual([...i64.data], [76n, 29n]);
  assert.match(scalingProblem('UINT8', 'INCEPTION', 3)!, /INCEPTION scaling gives values in -1\.\.1, which UINT8 cannot hold/);
  assert.match(scalingProblem('UINT8', 'VGG', 3)!, /VGG scaling gives values in -123\.\.151, which UINT8 \(0\.\.255\) cannot hold/);
  assert.equal(scalingProblem('INT8', 'VGG', 1), undefined);
  assert.match(scalingProblem('INT8', 'VGG', 3)!, /values in -123\.\.151, which INT8 \(-128\.\.127\) cannot hold/);
  assert.match(scalingProblem('INT8', 'NONE', 3)!, /pixels take values in 0\.\.255, which INT8/);
  assert.equal(scalingProblem('UINT16', 'NONE', 3), undefined);
  assert.match(scalingProblem('BYTES', 'NONE', 3)!, /cannot be sent as BYTES/);
  assert.throws(() => preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NHWC', scaling: 'INCEPTION', datatype: 'INT32' }), ImageError);
  assert.throws(() => preprocessImage(image, { channels: 3, height: 0, width: 2, format: 'NHWC', scaling: 'NONE', datatype: 'FP32' }), /not a positive size/);
});

test('FP16 and BF16 carry raw bits; FP64 keeps double precision', () => {
  const f16 = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NCHW', scaling: 'INCEPTION', datatype: 'FP16' });
  assert.deepEqual([...f16.data], [0x3c00, 0xbc00, 0xbc00, 0xbc00, 0xbc00, 0x3c00]);
  const bf16 = preprocessImage(image, { channels: 3, height: 1, width: 2, format: 'NCHW', scaling: 'NONE', datatype: 'BF16' });
  assert.deepEqual([...bf16.data], [0x437f, 0, 0, 0, 0, 0x437f]);
  const grey: DecodedImage = { format: 'PNG', width: 1, height: 1, mode: 'L', data: Uint8Array.from([100]) };
  const f64 = preprocessImage(grey, { channels: 1, height: 1, width: 1, format: 'NCHW', scaling: 'INCEPTION', datatype: 'FP64' });
  assert.equal(f64.data[0], 100 / 127.5 - 1);
});
