import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileReferences } from '../../../src/pbtxt/fileReferences';
import { parse } from '../../../src/pbtxt/parser';
import { loadSchema } from '../../../src/pbtxt/schema';

test('file names in labels, model file, warmup and initial state, with the folder each is read from', () => {
  const text = [
    'default_model_filename: "model.plan"',
    'output [ { name: "a" label_filename: "labels.txt" }, { name: "b" } ]',
    'model_warmup [ { name: "w" inputs { key: "IN" value { data_type: TYPE_FP32 dims: [ 4 ] input_data_file: "raw_in" } } } ]',
    'sequence_batching { state [ { input_name: "s" initial_state [ { name: "i" data_file: "zeros" } ] } ] }',
    'name: "labels.txt"',
    'parameters { key: "label_filename" value { string_value: "not_a_file_field" } }',
  ].join('\n');
  const refs = fileReferences(parse(text).root, loadSchema());
  assert.deepEqual(refs.map((r) => [r.place, r.name, text.slice(r.range.start.offset, r.range.end.offset)]), [
    ['version', 'model.plan', '"model.plan"'],
    ['model', 'labels.txt', '"labels.txt"'],
    ['warmup', 'raw_in', '"raw_in"'],
    ['initialState', 'zeros', '"zeros"'],
  ]);
});

test('broken text yields the references that parsed, and unknown blocks are skipped', () => {
  const refs = fileReferences(parse('bogus { label_filename: "x" }\noutput { label_filename: "ok.txt"\n').root, loadSchema());
  assert.deepEqual(refs.map((r) => r.name), ['ok.txt']);
});
