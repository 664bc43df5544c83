import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytesElement, summarizeBytes, bytesElementView } from '../../../../src/inference/outputs/bytesView';
import { classificationView, parseClassEntry } from '../../../../src/inference/outputs/classification';
import { imageLayoutOf, imagePreview } from '../../../../src/inference/outputs/imagePreview';
import { outputView } from '../../../../src/inference/outputs/resultSummary';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('classification strings become top-k entries per batch entry, highest first, labels kept (even with ":")', () => {
  const data = ['0.500000:3:cat', '9.250000:1:dog: big', '-1.000000:0', '7.000000:2:a', '8.000000:5:b', '1.000000:4'].map(enc);
  const view = classificationView({ name: 'probs', datatype: 'BYTES', shape: [2, 3], data })!;
  assert.deepEqual(view.batches, [
    [{ score: 9.25, index: 1, label: 'dog: big' }, { score: 0.5, index: 3, label: 'cat' }, { score: -1, index: 0 }],
    [{ score: 8, index: 5, label: 'b' }, { score: 7, index: 2, label: 'a' }, { score: 1, index: 4 }],
  ]);
  const flat = classificationView({ name: 'p', datatype: 'BYTES', shape: [2], data: [], classification: [{ score: 1, index: 0 }, { score: 3, index: 9, label: 'x' }] })!;
  assert.deepEqual(flat.batches, [[{ score: 3, index: 9, label: 'x' }, { score: 1, index: 0 }]]);
  assert.equal(classificationView({ name: 'n', datatype: 'FP32', shape: [1], data: new Float32Array(1) }), undefined);
});

test('a malformed classification string is an error that names the output and the string', () => {
  assert.throws(() => parseClassEntry('abc'), /"abc"/);
  assert.throws(() => parseClassEntry('1.0:x:lbl'), /index/);
  assert.throws(() => classificationView({ name: 'scores', datatype: 'BYTES', shape: [1], data: [enc('oops:1')] }), /output 'scores'.*oops/);
  const view = outputView({ name: '<img src=x>', datatype: 'BYTES', shape: [1], data: [], classification: undefined });
  assert.equal(view.kind, 'bytes');
});

test('BYTES elements: UTF-8 as text, other bytes as hex, both cut with the count of bytes left out', () => {
  const invalid = Uint8Array.from([0xff, 0x00, 0x41, 0xc3]);
  const long = enc('é'.repeat(200)); // 400 bytes of two-byte characters
  const s = summarizeBytes({ name: 'out', datatype: 'BYTES', shape: [3], data: [enc('héllo'), invalid, long] }, { maxBytesPerElement: 5 })!;
  assert.deepEqual(s.elements[0], { encoding: 'text', value: 'héll', byteLength: 6, moreBytes: 1 });
  assert.deepEqual(s.elements[1], { encoding: 'hex', value: 'ff 00 41 c3', byteLength: 4, moreBytes: 0 });
  // Five bytes would split the third 'é': the cut steps back to a character boundary.
  assert.deepEqual(s.elements[2], { encoding: 'text', value: 'éé', byteLength: 400, moreBytes: 396 });
  assert.equal(formatBytesElement(s.elements[2]!), 'éé … 396 more bytes');
  assert.equal(formatBytesElement(s.elements[1]!), '0x ff 00 41 c3');
  assert.equal(formatBytesElement(bytesElementView(enc('ab'), 1)), 'a … 1 more byte');
});

test('a BYTES output with many elements shows a bounded number of them', () => {
  const data = Array.from({ length: 1000 }, (_, i) => enc(`line ${i}`));
  const s = summarizeBytes({ name: 'o', datatype: 'BYTES', shape: [1000], data }, { maxElements: 10 })!;
  assert.equal(s.elements.length, 10);
  assert.equal(s.moreElements, 990);
  assert.equal(s.elements[9]!.value, 'line 9');
});

test('image layouts: HWC and CHW, with or without a batch of 1; vectors and odd shapes are not images', () => {
  assert.deepEqual(imageLayoutOf([32, 48, 3], 'UINT8'), { channels: 3, height: 32, width: 48, layout: 'HWC' });
  assert.deepEqual(imageLayoutOf([1, 3, 32, 48], 'FP32'), { channels: 3, height: 32, width: 48, layout: 'CHW' });
  assert.deepEqual(imageLayoutOf([1, 20, 30], 'FP16'), { channels: 1, height: 20, width: 30, layout: 'CHW' });
  assert.deepEqual(imageLayoutOf([1, 20, 30, 1], 'INT32'), { channels: 1, height: 20, width: 30, layout: 'HWC' });
  assert.equal(imageLayoutOf([2, 3, 32, 32], 'FP32'), undefined);
  assert.equal(imageLayoutOf([1, 3], 'FP32'), undefined);
  assert.equal(imageLayoutOf([32, 32, 4], 'FP32'), undefined);
  assert.equal(imageLayoutOf([3, 32, 32], 'BYTES'), undefined);
});

test('a CHW float image is stretched from its min..max; a UINT8 HWC image is shown as is', () => {
  const H = 10;
  const W = 12;
  const chw = new Float32Array(3 * H * W);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    chw[(0 * H + y) * W + x] = x / (W - 1) * 2 - 1; // red: -1..1 left to right
    chw[(1 * H + y) * W + x] = 0; // green: 0
    chw[(2 * H + y) * W + x] = y === 0 ? 1 : -1; // blue: top row only
  }
  const p = imagePreview({ name: 'img', datatype: 'FP32', shape: [3, H, W], data: chw })!;
  assert.equal(p.width, W);
  assert.equal(p.height, H);
  assert.equal(p.low, -1);
  assert.equal(p.high, 1);
  const px = (x: number, y: number): number[] => [...p.rgba.subarray((y * W + x) * 4, (y * W + x) * 4 + 4)];
  assert.deepEqual(px(0, 0), [0, 128, 255, 255]);
  assert.deepEqual(px(W - 1, 5), [255, 128, 0, 255]);

  const hwc = new Uint8Array(H * W * 3);
  for (let i = 0; i < hwc.length; i++) hwc[i] = (i * 37) % 256;
  const u = imagePreview({ name: 'u', datatype: 'UINT8', shape: [H, W, 3], data: hwc })!;
  for (let i = 0; i < H * W; i++) assert.deepEqual([...u.rgba.subarray(i * 4, i * 4 + 3)], [...hwc.subarray(i * 3, i * 3 + 3)]);
});

test('a large image preview is sampled down to the limit', () => {
  const H = 1000;
  const W = 600;
  const gray = new Uint8Array(H * W);
  for (let y = 0; y < H; y++) gray.fill(y % 256, y * W, (y + 1) * W);
  const p = imagePreview({ name: 'g', datatype: 'UINT8', shape: [1, H, W, 1], data: gray }, 100)!;
  assert.equal(p.height, 100);
  assert.equal(p.width, 60);
  assert.equal(p.rgba.length, 100 * 60 * 4);
  // Row r of the preview is source row 10·r.
  for (const r of [0, 7, 99]) assert.deepEqual([...p.rgba.subarray(r * 60 * 4, r * 60 * 4 + 4)], [(10 * r) % 256, (10 * r) % 256, (10 * r) % 256, 255]);
});

test('output views: shared-memory outputs say where they went; numeric image-shaped outputs carry their layout', () => {
  const shm = outputView({ name: 'o', datatype: 'FP32', shape: [4], sharedMemory: { region: 'r0', byteSize: 16 } });
  assert.deepEqual(shm, { kind: 'sharedMemory', name: 'o', datatype: 'FP32', shape: [4], region: 'r0', byteSize: 16, offset: 0 });
  const img = outputView({ name: 'i', datatype: 'FP32', shape: [3, 8, 8], data: new Float32Array(192) });
  assert.equal(img.kind, 'numeric');
  if (img.kind === 'numeric') assert.deepEqual(img.image, { channels: 3, height: 8, width: 8, layout: 'CHW' });
  const bad = outputView({ name: 'scores', datatype: 'BYTES', shape: [1], data: [], classification: [] });
  assert.equal(bad.kind, 'classification');
});
