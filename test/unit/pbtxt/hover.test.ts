import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HoverResult } from '../../../src/pbtxt/hover';
import { hoverAt } from '../../../src/pbtxt/hover';
import { parse } from '../../../src/pbtxt/parser';
import { summarizeModel } from '../../../src/pbtxt/repositoryModel';
import { loadSchema } from '../../../src/pbtxt/schema';

/** Hovers at the `|` in `marked`. */
function at(marked: string): { hover: HoverResult | undefined; text: string } {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return { hover: hoverAt(parse(text), loadSchema(), offset), text };
}

test('a top-level field: name, type, owner and explanation', () => {
  const { hover, text } = at('max_ba|tch_size: 8');
  assert.ok(hover);
  assert.match(hover.contents, /\*\*max_batch_size\*\*: `int32` — in `ModelConfig`/);
  assert.match(hover.contents, /batch dimension/);
  assert.equal(hover.range.start.offset, 0);
  assert.equal(hover.range.end.offset, text.indexOf(':'));
});

test('a nested field resolves its message type through lists and blocks', () => {
  const { hover } = at('input [ { name: "x" da|ta_type: TYPE_FP32 } ]');
  assert.ok(hover);
  assert.match(hover.contents, /in `ModelInput`/);
  assert.match(hover.contents, /`DataType`/);
  assert.match(hover.contents, /Values: `TYPE_BOOL`, `TYPE_UINT8`/);
  assert.doesNotMatch(hover.contents, /TYPE_INVALID/);
  const out = at('output { d|ims: [ 3 ] }').hover;
  assert.match(out?.contents ?? '', /in `ModelOutput`/);
  assert.match(out?.contents ?? '', /repeated int64/);
});

test('a oneof member names the fields it excludes', () => {
  const { hover } = at('dynamic_bat|ching { }');
  assert.match(hover?.contents ?? '', /One of `scheduling_choice`: cannot be set together with `sequence_batching`, `ensemble_scheduling`/);
});

test('enum values: number, enum and meaning', () => {
  const { hover, text } = at('input { data_type: TYPE_ST|RING }');
  assert.ok(hover);
  assert.match(hover.contents, /\*\*TYPE_STRING\*\* = 13 — `DataType`/);
  assert.match(hover.contents, /BYTES/);
  assert.equal(hover.range.start.offset, text.indexOf('TYPE_STRING'));
  const kind = at('instance_group [ { kind: KIND_C|PU } ]').hover;
  assert.match(kind?.contents ?? '', /\*\*KIND_CPU\*\* = 2/);
});

test('known platform and backend values are explained; string fields list them', () => {
  assert.match(at('platform: "tensorrt_p|lan"').hover?.contents ?? '', /TensorRT engine/);
  assert.match(at('backend: "pyt|hon"').hover?.contents ?? '', /model\.py/);
  assert.match(at('plat|form: "x"').hover?.contents ?? '', /Known values: `"onnxruntime_onnx"`/);
});

test('known parameters keys are explained for the backend that reads them', () => {
  assert.match(at('backend: "python"\nparameters { key: "EXECUTION_E|NV_PATH" value { string_value: "x" } }').hover?.contents ?? '', /conda-pack/);
  assert.equal(at('backend: "onnxruntime"\nparameters { key: "EXECUTION_E|NV_PATH" value { string_value: "x" } }').hover, undefined);
  const trt = at('optimization { execution_accelerators { gpu_execution_accelerator [ { name: "tensorrt" parameters { key: "precision_m|ode" value: "FP16" } } ] } }');
  assert.match(trt.hover?.contents ?? '', /lower-precision/);
});

test('map fields show their map type', () => {
  assert.match(at('param|eters { key: "a" value { string_value: "b" } }').hover?.contents ?? '', /map<string, ModelParameter>/);
});

test('nothing for unknown fields, plain values, whitespace or comments', () => {
  assert.equal(at('bogus|_field: 1').hover, undefined);
  assert.equal(at('name: "mo|del"').hover, undefined);
  assert.equal(at('name: "model"\n|\n').hover, undefined);
  assert.equal(at('# max_batch|_size').hover, undefined);
  assert.equal(at('input { data_type: NOT_A_TY|PE }').hover, undefined);
});

test('ensemble steps: the called model and the tensors its maps name', () => {
  const classifier = summarizeModel('classifier', 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\ninput [ { name: "data_0" data_type: TYPE_FP32 dims: [ 3, 224, 224 ] } ]\noutput { name: "fc6_1" data_type: TYPE_FP32 dims: [ 1000 ] }');
  const env = { modelNames: ['classifier', 'empty_dir'], modelOf: (m: string) => (m === 'classifier' ? classifier : undefined) };
  const marked = 'platform: "ensemble"\nensemble_scheduling { step [ { model_name: "classi|fier" input_map { key: "data_0" value: "img" } output_map { key: "nope" value: "P" } } ] }';
  const hoverWith = (m: string): HoverResult | undefined => {
    const offset = m.indexOf('|');
    const text = m.slice(0, offset) + m.slice(offset + 1);
    return hoverAt(parse(text), loadSchema(), offset, env);
  };
  const model = hoverWith(marked)?.contents ?? '';
  assert.match(model, /\*\*classifier\*\* — onnxruntime_onnx, max_batch_size 8/);
  assert.match(model, /- input `data_0`: `TYPE_FP32 \[3, 224, 224\]`/);
  assert.match(model, /- output `fc6_1`: `TYPE_FP32 \[1000\]`/);
  const key = hoverWith(marked.replace('|', '').replace('key: "data_0"', 'key: "da|ta_0"'))?.contents ?? '';
  assert.match(key, /\*\*data_0\*\*: input of `classifier` — `TYPE_FP32 \[3, 224, 224\]`/);
  const wrong = hoverWith(marked.replace('|', '').replace('key: "nope"', 'key: "no|pe"'))?.contents ?? '';
  assert.match(wrong, /is not an output of `classifier` \(its outputs: `fc6_1`\)/);
  const missing = hoverWith(marked.replace('classi|fier', 'typo|model'))?.contents ?? '';
  assert.match(missing, /no model folder of this name/);
  assert.equal(hoverWith(marked.replace('classi|fier', 'empty|_dir')), undefined, 'a folder without a readable config says nothing');
});
