import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/pbtxt/parser';
import { shapeHints } from '../../../src/pbtxt/shapeHints';

test('batching models show the client shape with the batch dimension after dims', () => {
  const text = 'max_batch_size: 8\ninput [ { name: "a" data_type: TYPE_FP32 dims: [ 3, 224, 224 ] } ]\noutput { name: "b" dims: 10 dims: 2 }\n';
  const hints = shapeHints(parse(text));
  assert.deepEqual(hints.map((h) => h.label), ['→ [-1, 3, 224, 224]', '→ [-1, 10, 2]']);
  assert.equal(text.slice(0, hints[0].position.offset).endsWith('dims: [ 3, 224, 224 ]'), true);
  assert.equal(text.slice(0, hints[1].position.offset).endsWith('dims: 2'), true);
  assert.match(hints[0].tooltip, /max_batch_size 8/);
});

test('no hints without batching or without dims', () => {
  assert.deepEqual(shapeHints(parse('input { name: "a" dims: [ 3 ] }')), []);
  assert.deepEqual(shapeHints(parse('max_batch_size: 0\ninput { name: "a" dims: [ 3 ] }')), []);
  assert.deepEqual(shapeHints(parse('max_batch_size: 4\ninput { name: "a" }\noutput { name: "b" dims: [ ] }')), []);
});
