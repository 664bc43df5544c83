import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageBatches, imageModelSpec, stackImages, ImageModelError } from '../../../../src/inference/image';
import type { ModelMetadata } from '../../../../src/triton/types';

function metadata(inputShape: number[], outputShape: number[], over: Partial<ModelMetadata> = {}): ModelMetadata {
  return {
    name: 'densenet', versions: ['1'], platform: 'onnxruntime_onnx',
    inputs: [{ name: 'data_0', datatype: 'FP32', shape: inputShape }],
    outputs: [{ name: 'fc6_1', datatype: 'FP32', shape: outputShape }],
    ...over,
  };
}

test('NCHW geometry comes from the metadata shape, after the batch dimension', () => {
  const spec = imageModelSpec(metadata([-1, 3, 224, 200], [-1, 1000]), { max_batch_size: 8, input: [{ name: 'data_0', format: 'FORMAT_NCHW' }] });
  assert.deepEqual(spec, { maxBatchSize: 8, inputName: 'data_0', outputName: 'fc6_1', c: 3, h: 224, w: 200, format: 'NCHW', datatype: 'FP32' });
});

test('NHWC without batching, with the format as gRPC gives it (a number)', () => {
  const spec = imageModelSpec(metadata([299, 300, 1], [1000, 1, 1], { inputs: [{ name: 'in', datatype: 'UINT8', shape: [299, 300, 1] }] }), { max_batch_size: 0, input: [{ format: 1 }] });
  assert.deepEqual(spec, { maxBatchSize: 0, inputName: 'in', outputName: 'fc6_1', c: 1, h: 299, w: 300, format: 'NHWC', datatype: 'UINT8' });
});

test("parse_model's refusals carry image_client.py's messages", () => {
  const config = { max_batch_size: 0, input: [{ format: 'FORMAT_NCHW' }] };
  const cases: [ModelMetadata, Record<string, unknown>, string][] = [
    [metadata([3, 2, 2], [10], { inputs: [] }), config, 'expecting 1 input, got 0'],
    [metadata([3, 2, 2], [10], { outputs: [{ name: 'a', datatype: 'FP32', shape: [1] }, { name: 'b', datatype: 'FP32', shape: [1] }] }), config, 'expecting 1 output, got 2'],
    [metadata([3, 2, 2], [10]), { max_batch_size: 0, input: [] }, 'expecting 1 input in model configuration, got 0'],
    [metadata([3, 2, 2], [10], { outputs: [{ name: 'o', datatype: 'INT64', shape: [10] }] }), config, "expecting output datatype to be FP32, model 'densenet' output type is INT64"],
    [metadata([3, 2, 2], [10, 2]), config, 'expecting model output to be a vector'],
    [metadata([1, 3, 2, 2], [10]), config, "expecting input to have 3 dimensions, model 'densenet' input has 4"],
    [metadata([3, 2, 2], [-1, 10]), { max_batch_size: 4, input: [{ format: 'FORMAT_NCHW' }] }, "expecting input to have 4 dimensions, model 'densenet' input has 3"],
    [metadata([3, 2, 2], [10]), { max_batch_size: 0, input: [{ format: 'FORMAT_NONE' }] }, 'unexpected input format FORMAT_NONE, expecting FORMAT_NCHW or FORMAT_NHWC'],
    [metadata([3, 2, 2], [10]), { max_batch_size: 0, input: [{}] }, 'unexpected input format FORMAT_NONE, expecting FORMAT_NCHW or FORMAT_NHWC'],
  ];
  for (const [md, cfg, message] of cases) {
    assert.throws(() => imageModelSpec(md, cfg), (e: unknown) => e instanceof ImageModelError && e.message === message, message);
  }
  // The batch dimension of the output is not counted: [-1, 1000] and [8, 1000, 1] are vectors.
  assert.doesNotThrow(() => imageModelSpec(metadata([8, 3, 2, 2], [8, 1000, 1]), { max_batch_size: 8, input: [{ format: 'FORMAT_NCHW' }] }));
});

test('images are consumed cyclically; the request in which the index wraps is the last', () => {
  assert.deepEqual(imageBatches(3, 1, 8), [[0], [1], [2]]);
  assert.deepEqual(imageBatches(3, 2, 8), [[0, 1], [2, 0]]);
  assert.deepEqual(imageBatches(2, 5, 8), [[0, 1, 0, 1, 0]]);
  assert.deepEqual(imageBatches(4, 2, 8), [[0, 1], [2, 3]]);
  assert.deepEqual(imageBatches(5, 3, 0 + 3), [[0, 1, 2], [3, 4, 0]]);
  assert.throws(() => imageBatches(3, 2, 0), /This model doesn't support batching\./);
  assert.throws(() => imageBatches(3, 9, 8), /batch size 9 is over the model's max_batch_size 8/);
  assert.throws(() => imageBatches(0, 1, 8), /no images/);
});

test('stacking adds the batch dimension only for batching models', () => {
  const a = { data: Float32Array.from([1, 2]), shape: [1, 1, 2] };
  const b = { data: Float32Array.from([3, 4]), shape: [1, 1, 2] };
  const stacked = stackImages([a, b, a], 8);
  assert.deepEqual(stacked.shape, [3, 1, 1, 2]);
  assert.deepEqual([...stacked.data], [1, 2, 3, 4, 1, 2]);
  assert.ok(stacked.data instanceof Float32Array);
  assert.deepEqual(stackImages([b], 0), { data: b.data, shape: [1, 1, 2] });
  assert.throws(() => stackImages([a, { data: Float32Array.from([1]), shape: [1, 1, 1] }], 8), /image 1 has shape \[1, 1, 1\], not \[1, 1, 2\]/);
});
