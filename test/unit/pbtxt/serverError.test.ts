// Mapping Triton load errors to the place in config.pbtxt they are about.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parse } from '../../../src/pbtxt/parser';
import { mapServerError } from '../../../src/pbtxt/serverError';
import { cpuMark, cpuMillisSince } from './cpuTime';

const TEXT = [
  'name: "simple"',
  'platform: "onnxruntime_onnx"',
  'max_batch_size: 8',
  'input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 16 ] } ]',
  'output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 16 ] reshape { shape: [ 4, 4 ] } } ]',
  'dynamic_batching { preferred_batch_size: [ 4, 16 ] }',
  'instance_group [ { kind: KIND_GPU gpus: [ 3 ] } ]',
].join('\n');

function where(message: string): string | undefined {
  const doc = parse(TEXT);
  const r = mapServerError(message, doc);
  return r === undefined ? undefined : `${r.start.line}:${TEXT.slice(r.start.offset, r.end.offset)}`;
}

test('finds the tensor and, when named, its field', () => {
  assert.equal(where("model 'simple', tensor 'INPUT0': the model expects 2 dimensions (shape [-1,16]) but the model configuration specifies 3 dimensions"), '3:dims: [ 16 ]');
  assert.equal(where("model input 'INPUT0' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for simple"), '3:dims: [ 16 ]');
  assert.equal(where("output 'OUTPUT0' has different size for dims and reshape for simple"), '4:reshape { shape: [ 4, 4 ] }');
  assert.equal(where("unexpected inference output 'OUTPUT0', allowed outputs are: y"), '4:name: "OUTPUT0"');
  assert.equal(where("model 'simple', tensor 'INPUT0': the model expects data type TYPE_INT64"), '3:data_type: TYPE_INT32');
});

test('falls back to the field a message names', () => {
  assert.equal(where('dynamic batching preferred size must be <= max batch size for simple'), '5:preferred_batch_size: [ 4, 16 ]');
  assert.equal(where("unexpected 'platform' and 'backend' pair, got:onnxruntime_onnx, tensorrt"), '1:platform: "onnxruntime_onnx"');
  assert.equal(where("instance group simple_0 of model simple specifies invalid or unsupported gpu id 3"), '6:instance_group [ { kind: KIND_GPU gpus: [ 3 ] } ]');
  assert.equal(where("unexpected directory name 'simple2' for model 'simple', directory name must equal model name"), '0:name: "simple"');
  assert.equal(where('something entirely unrelated'), undefined);
});

test('text-format parse errors map to their line and column', () => {
  assert.equal(where('Error parsing text-format inference.ModelConfig: 4:37: Expected integer, got: TYPE_INT32'), '3:TYPE_INT32');
  assert.equal(where('Error parsing text-format inference.ModelConfig: 99:1: x'), '6:instance_group');
});

test('any message, however long or odd, maps to a range inside the document or to nothing', () => {
  const doc = parse(TEXT);
  const pieces = ["tensor 'INPUT0'", "'", ':', '12:', '99999999999999:1:', 'text-format', 'dims', 'reshape', "output 'x'", '\n', 'é'];
  let seed = 1;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    let message = '';
    for (let k = Math.floor(next() * 12); k > 0; k--) message += pieces[Math.floor(next() * pieces.length)];
    const r = mapServerError(message, doc);
    if (r !== undefined) assert.ok(r.start.offset <= r.end.offset && r.end.offset <= TEXT.length, JSON.stringify(message));
  }
  const started = cpuMark();
  mapServerError('text-format'.repeat(50_000) + "'" + 'x'.repeat(100_000), doc);
  assert.ok(cpuMillisSince(started) < 1000, 'a long hostile message is scanned in linear time');
});
