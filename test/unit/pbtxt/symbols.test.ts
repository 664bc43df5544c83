import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutlineSymbol } from '../../../src/pbtxt/symbols';
import { documentSymbols } from '../../../src/pbtxt/symbols';
import { parse } from '../../../src/pbtxt/parser';

function outline(text: string): OutlineSymbol[] {
  return documentSymbols(parse(text));
}

function byName(symbols: readonly OutlineSymbol[], name: string): OutlineSymbol {
  const s = symbols.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no symbol ${name} in ${symbols.map((x) => x.name).join(', ')}`);
  return s;
}

function contains(outer: OutlineSymbol['range'], inner: OutlineSymbol['range']): boolean {
  return outer.start.offset <= inner.start.offset && inner.end.offset <= outer.end.offset;
}

const CONFIG = `name: "densenet"
platform: "onnxruntime_onnx"
max_batch_size: 8
input [
  { name: "data_0", data_type: TYPE_FP32, format: FORMAT_NCHW, dims: [ 3, 224, 224 ] },
  { name: "mask", data_type: TYPE_BOOL, dims: [ -1 ] }
]
output { name: "fc6_1" data_type: TYPE_FP32 dims: [ 1000 ] label_filename: "labels.txt" }
instance_group [ { kind: KIND_GPU count: 2 gpus: [ 0, 1 ] }, { name: "cpu_pool" kind: KIND_CPU } ]
parameters { key: "threads" value { string_value: "4" } }
dynamic_batching { preferred_batch_size: [ 4, 8 ] }
`;

test('top-level fields appear in order with their values as detail', () => {
  const symbols = outline(CONFIG);
  assert.deepEqual(symbols.map((s) => s.name), ['name', 'platform', 'max_batch_size', 'input', 'fc6_1', 'instance_group', 'threads', 'dynamic_batching']);
  assert.equal(byName(symbols, 'name').detail, '"densenet"');
  assert.equal(byName(symbols, 'max_batch_size').kind, 'number');
});

test('inputs and outputs are named by their tensor name with type and dims', () => {
  const symbols = outline(CONFIG);
  const input = byName(symbols, 'input');
  assert.equal(input.kind, 'array');
  assert.deepEqual(input.children.map((c) => c.name), ['data_0', 'mask']);
  assert.equal(input.children[0].kind, 'tensor');
  assert.equal(input.children[0].detail, 'input FP32 [3, 224, 224]');
  assert.equal(input.children[1].detail, 'input BOOL [-1]');
  const output = byName(symbols, 'fc6_1');
  assert.equal(output.kind, 'tensor');
  assert.equal(output.detail, 'output FP32 [1000]');
});

test('instance groups show count, kind and GPUs', () => {
  const groups = byName(outline(CONFIG), 'instance_group').children;
  assert.equal(groups.length, 2);
  assert.equal(groups[0].name, '#0');
  assert.equal(groups[0].detail, '2 × KIND_GPU on GPUs 0, 1');
  assert.equal(groups[1].name, 'cpu_pool');
  assert.equal(groups[1].detail, '1 × KIND_CPU');
});

test('ensemble steps are named by the model they call', () => {
  const symbols = outline(`platform: "ensemble"
ensemble_scheduling {
  step [
    { model_name: "preprocess" model_version: -1 input_map { key: "IN" value: "RAW" } output_map { key: "OUT" value: "img" } },
    { model_name: "classifier" model_version: 3 input_map { key: "x" value: "img" } output_map { key: "y" value: "PROBS" } }
  ]
}`);
  const steps = byName(byName(symbols, 'ensemble_scheduling').children, 'step').children;
  assert.deepEqual(steps.map((s) => s.name), ['preprocess', 'classifier']);
  assert.equal(steps[0].kind, 'step');
  assert.equal(steps[0].detail, 'step 1');
  assert.equal(steps[1].detail, 'step 2 · version 3');
  const inputMap = byName(steps[0].children, 'IN');
  assert.equal(inputMap.kind, 'entry');
  assert.equal(inputMap.detail, 'input_map → "RAW"');
});

test('map entries are named by their key', () => {
  const entry = byName(outline(CONFIG), 'threads');
  assert.equal(entry.kind, 'entry');
  assert.equal(entry.detail, 'parameters → string_value: "4"');
});

test('every selection range lies within its range, and children within parents', () => {
  const check = (symbols: readonly OutlineSymbol[], parent?: OutlineSymbol): void => {
    for (const s of symbols) {
      assert.ok(s.name.length > 0, 'names are never empty');
      assert.ok(contains(s.range, s.selectionRange), `${s.name}: selection inside range`);
      if (parent !== undefined) assert.ok(contains(parent.range, s.range), `${s.name} inside ${parent.name}`);
      check(s.children, s);
    }
  };
  check(outline(CONFIG));
  check(outline('input { name: "" }\ninput [ { } ]\nx { y [ 1, 2 ] z [ { a: 1 } ] }'));
});

test('a broken document still yields an outline of what parsed', () => {
  const symbols = outline('name: "m"\ninput [ { name: "A" data_type: TYPE_FP32 dims: [ 1 ] }\noutput { name: "B"');
  assert.equal(symbols[0].name, 'name');
  assert.ok(symbols.some((s) => s.name === 'input'));
});
