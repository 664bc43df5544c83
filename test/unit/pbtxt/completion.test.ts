import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem } from '../../../src/pbtxt/completion';
import type { RepositoryEnvironment } from '../../../src/pbtxt/repositoryModel';
import { summarizeModel } from '../../../src/pbtxt/repositoryModel';
import { complete } from '../../../src/pbtxt/completion';
import { loadSchema } from '../../../src/pbtxt/schema';

/** Completes at the `|` in `marked`. */
function at(marked: string, env?: RepositoryEnvironment): { items: CompletionItem[]; labels: string[]; text: string; offset: number } {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, 'marker');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const items = complete(text, loadSchema(), offset, env);
  return { items, labels: items.map((i) => i.label), text, offset };
}

function find(items: readonly CompletionItem[], label: string): CompletionItem {
  const item = items.find((i) => i.label === label);
  if (item === undefined) throw new Error(`no "${label}" among ${items.map((i) => i.label).join(', ')}`);
  return item;
}

test('top level offers ModelConfig fields', () => {
  const { labels } = at('|');
  for (const f of ['name', 'platform', 'backend', 'max_batch_size', 'input', 'output', 'instance_group', 'dynamic_batching', 'parameters']) {
    assert.ok(labels.includes(f), f);
  }
  assert.ok(!labels.includes('data_type'), 'fields of nested messages are not offered at the top');
});

test('fields already set once are not offered again; repeated ones are', () => {
  const { labels } = at('name: "m"\nmax_batch_size: 4\ninput { name: "a" }\n|');
  assert.ok(!labels.includes('name'));
  assert.ok(!labels.includes('max_batch_size'));
  assert.ok(labels.includes('input'));
  assert.ok(labels.includes('platform'));
});

test('only one member of a oneof is offered once another is set', () => {
  const { labels } = at('dynamic_batching { }\n|');
  assert.ok(!labels.includes('sequence_batching'));
  assert.ok(!labels.includes('ensemble_scheduling'));
  assert.ok(!labels.includes('dynamic_batching'));
});

test('inside input blocks, in both list and block form, ModelInput fields are offered', () => {
  for (const marked of ['input [ { name: "x" | } ]', 'input {\n  |\n}', 'input: [\n  { name: "a" },\n  {\n    da|\n  }\n]']) {
    const { labels } = at(marked);
    assert.ok(labels.includes('data_type'), marked);
    assert.ok(labels.includes('dims'), marked);
    assert.ok(labels.includes('reshape'), marked);
    assert.ok(!labels.includes('max_batch_size'), marked);
  }
  assert.ok(!at('input [ { name: "x" | } ]').labels.includes('name'), 'name is already set');
});

test('completion works in a half-written file after unclosed blocks', () => {
  const { labels } = at('name: "m"\ninput [\n  {\n    name: "x"\n    |\n');
  assert.ok(labels.includes('data_type'));
  const nested = at('dynamic_batching {\n  default_queue_policy {\n    |');
  assert.ok(nested.labels.includes('timeout_action'));
  assert.ok(nested.labels.includes('max_queue_size'));
});

test('angle brackets, colon-before-block and message lists with a colon all resolve the message type', () => {
  assert.ok(at('version_policy: < specific < | > >').labels.includes('versions'));
  assert.ok(at('version_policy: { latest: { | } }').labels.includes('num_versions'));
  assert.ok(at('output: [ { name: "o" }, { | } ]').labels.includes('label_filename'));
  assert.ok(at('optimization { cuda { graph_spec [ { input { key: "x" value { | } } } ] } }').labels.includes('dim'));
});

test('the word being typed is replaced', () => {
  const { items, offset } = at('max_ba|');
  const item = find(items, 'max_batch_size');
  assert.equal(item.range.start.offset, 0);
  assert.equal(item.range.end.offset, offset);
  assert.equal(item.insertText, 'max_batch_size: $1');
});

test('enum values after data_type, kind and format', () => {
  const dt = at('input { data_type: | }');
  assert.ok(dt.labels.includes('TYPE_FP32'));
  assert.ok(dt.labels.includes('TYPE_STRING'));
  assert.ok(!dt.labels.includes('TYPE_INVALID'));
  assert.equal(find(dt.items, 'TYPE_STRING').kind, 'enumMember');
  assert.match(find(dt.items, 'TYPE_STRING').documentation ?? '', /BYTES/);
  const kind = at('instance_group [ { kind: KIND_G| } ]');
  assert.deepEqual(kind.labels.sort(), ['KIND_AUTO', 'KIND_CPU', 'KIND_GPU', 'KIND_MODEL']);
  assert.equal(find(kind.items, 'KIND_GPU').range.start.offset, kind.text.indexOf('KIND_G'));
  const control = at('sequence_batching { control_input [ { control [ { kind: | } ] } ] }');
  assert.ok(control.labels.includes('CONTROL_SEQUENCE_START'));
});

test('platforms and backends as quoted strings, or bare inside an open string', () => {
  const platform = at('platform: |');
  assert.ok(platform.labels.includes('onnxruntime_onnx'));
  assert.ok(platform.labels.includes('ensemble'));
  assert.equal(find(platform.items, 'tensorrt_plan').insertText, '"tensorrt_plan"');
  const backend = at('backend: "py|"');
  assert.ok(backend.labels.includes('python'));
  const python = find(backend.items, 'python');
  assert.equal(python.insertText, 'python');
  assert.equal(python.range.start.offset, backend.text.indexOf('"') + 1);
  assert.equal(python.range.end.offset, backend.text.lastIndexOf('"'));
});

test('a value completed right after the colon gets the space the canonical style has', () => {
  const tight = at('input { data_type:| }');
  assert.equal(find(tight.items, 'TYPE_FP32').insertText, ' TYPE_FP32');
  assert.equal(find(at('backend:|').items, 'python').insertText, ' "python"');
  assert.equal(find(at('input { data_type: | }').items, 'TYPE_FP32').insertText, 'TYPE_FP32');
});

test('booleans and message values', () => {
  assert.deepEqual(at('model_transaction_policy { decoupled: | }').labels, ['true', 'false']);
  const msg = at('version_policy: |');
  assert.equal(msg.items.length, 1);
  assert.equal(msg.items[0].snippet, true);
});

test('ensemble steps: model names from the repository and tensor names of the called model', () => {
  const classifier = summarizeModel('classifier', 'input [ { name: "data_0" data_type: TYPE_FP32 dims: [ 3, 224, 224 ] } ]\noutput { name: "fc6_1" data_type: TYPE_FP32 dims: [ 1000 ] }');
  const env: RepositoryEnvironment = {
    modelNames: ['preprocess', 'classifier'],
    modelOf: (m) => (m === 'classifier' ? classifier : undefined),
  };
  const names = at('platform: "ensemble"\nensemble_scheduling { step [ { model_name: | } ] }', env);
  assert.deepEqual(names.labels, ['preprocess', 'classifier']);
  assert.equal(names.items[0].insertText, '"preprocess"');
  assert.equal(names.items[0].kind, 'model');
  const keys = at('ensemble_scheduling { step [ { model_name: "classifier" input_map { key: | } } ] }', env);
  assert.deepEqual(keys.labels, ['data_0']);
  assert.equal(keys.items[0].detail, 'input of classifier: TYPE_FP32 [3, 224, 224]');
  const outs = at('ensemble_scheduling { step { model_name: "classifier"\n output_map { key: "|" } } }', env);
  assert.deepEqual(outs.labels, ['fc6_1']);
  assert.equal(outs.items[0].insertText, 'fc6_1');
});

test('ensemble map values: ensemble inputs and earlier step outputs, or ensemble outputs', () => {
  const base = [
    'platform: "ensemble"',
    'input [ { name: "RAW" data_type: TYPE_UINT8 dims: [ -1 ] } ]',
    'output [ { name: "PROBS" data_type: TYPE_FP32 dims: [ 10 ] } ]',
    'ensemble_scheduling { step [',
    '  { model_name: "pre" input_map { key: "IN" value: "RAW" } output_map { key: "OUT" value: "image" } },',
  ].join('\n');
  const inputs = at(`${base}\n  { model_name: "cls" input_map { key: "x" value: "|" } output_map { key: "y" value: "PROBS" } }\n] }`);
  assert.deepEqual(inputs.labels, ['RAW', 'image']);
  assert.equal(find(inputs.items, 'image').detail, 'produced by pre');
  const outputs = at(`${base}\n  { model_name: "cls" output_map { key: "y" value: | } }\n] }`);
  assert.deepEqual(outputs.labels, ['PROBS']);
  assert.equal(outputs.items[0].insertText, '"PROBS"');
});

test("parameters keys the model's backend reads, and the TensorRT accelerator's", () => {
  const python = at('backend: "python"\nparameters { key: "|" value { string_value: "" } }');
  assert.deepEqual(python.labels, ['EXECUTION_ENV_PATH', 'FORCE_CPU_ONLY_INPUT_TENSORS']);
  assert.equal(python.items[0].insertText, 'EXECUTION_ENV_PATH');
  const onnx = at('platform: "onnxruntime_onnx"\nparameters { key: | }');
  assert.ok(onnx.labels.includes('intra_op_thread_count') && onnx.labels.includes('execution_mode'));
  assert.equal(find(onnx.items, 'execution_mode').insertText, '"execution_mode"');
  assert.ok(at('platform: "pytorch_libtorch"\nparameters [ { key: | } ]').labels.includes('DISABLE_OPTIMIZED_EXECUTION'));
  assert.deepEqual(at('backend: "my_custom"\nparameters { key: | }').labels, []);
  const trt = at('optimization { execution_accelerators { gpu_execution_accelerator [ { name: "tensorrt" parameters { key: | } } ] } }');
  assert.ok(trt.labels.includes('precision_mode') && trt.labels.includes('trt_engine_cache_enable'));
  assert.deepEqual(at('optimization { execution_accelerators { cpu_execution_accelerator [ { name: "openvino" parameters { key: | } } ] } }').labels, []);
});

test('file fields complete from the folder they are read from', () => {
  const env: RepositoryEnvironment = { files: { model: ['labels.txt', 'notes.md'], version: ['model.onnx', 'model.savedmodel'], warmup: ['raw.bin'], initialState: ['zeros.bin'] } };
  const labels = at('output { name: "o" label_filename: | }', env);
  assert.deepEqual(labels.labels, ['labels.txt', 'notes.md']);
  assert.equal(labels.items[0].insertText, '"labels.txt"');
  assert.equal(labels.items[0].kind, 'file');
  assert.deepEqual(at('default_model_filename: "|"', env).labels, ['model.onnx', 'model.savedmodel']);
  assert.deepEqual(at('model_warmup [ { inputs { key: "x" value { input_data_file: | } } } ]', env).labels, ['raw.bin']);
  assert.deepEqual(at('sequence_batching { state [ { initial_state [ { data_file: | } ] } ] }', env).labels, ['zeros.bin']);
  assert.deepEqual(at('output { label_filename: | }').labels, [], 'nothing without a folder to read');
});

test('snippets for input, output, instance_group and dynamic_batching', () => {
  const { items } = at('|');
  const input = find(items, 'input');
  assert.equal(input.snippet, true);
  assert.equal(input.kind, 'snippet');
  assert.match(input.insertText, /^input \[\n\t\{\n\t\tname: "\$\{1:INPUT0\}"\n\t\tdata_type: \$\{2\|TYPE_FP32,/);
  assert.match(find(items, 'output').insertText, /dims: \[ \$\{3:-1\} \]/);
  assert.match(find(items, 'instance_group').insertText, /kind: \$\{2\|KIND_GPU,KIND_CPU/);
  assert.match(find(items, 'dynamic_batching').insertText, /^dynamic_batching \{\n\tmax_queue_delay_microseconds/);
  assert.match(find(items, 'parameters').insertText, /string_value/);
});

test('field snippets follow the field type', () => {
  const { items } = at('input { | }');
  assert.match(find(items, 'data_type').insertText, /^data_type: \$\{1\|TYPE_BOOL,/);
  assert.equal(find(items, 'dims').insertText, 'dims: [ $1 ]');
  assert.equal(find(items, 'name').insertText, 'name: "$1"');
  assert.equal(find(items, 'reshape').insertText, 'reshape {\n\t$0\n}');
  assert.equal(find(items, 'optional').insertText, 'optional: ${1|true,false|}');
  assert.match(find(items, 'dims').documentation ?? '', /batch dimension/);
  assert.equal(find(items, 'dims').detail, 'repeated int64');
});

test('map fields complete to key/value entries, map entries offer key and value', () => {
  const { items } = at('optimization { execution_accelerators { gpu_execution_accelerator [ { | } ] } }');
  assert.match(find(items, 'parameters').insertText, /^parameters \{\n\tkey: "\$1"\n\tvalue: "\$2"\n\}$/);
  assert.deepEqual(at('parameters { | }').labels.sort(), ['key', 'value']);
  const names = at('optimization { execution_accelerators { gpu_execution_accelerator [ { name: | } ] } }').labels;
  assert.ok(names.includes('tensorrt'));
});

test('no suggestions inside comments, numbers, unknown blocks or scalar-valued positions', () => {
  assert.deepEqual(at('max_batch_size: 1|').labels, []);
  assert.deepEqual(at('# inp|').labels, []);
  assert.deepEqual(at('input { # da|\n}').labels, []);
  assert.ok(at('# note\n|').labels.includes('input'), 'the line after a comment is fine');
  assert.deepEqual(at('unknown_block { | }').labels, []);
  assert.deepEqual(at('name: "x|"').labels, []);
  assert.deepEqual(at('input { dims: [ 1, | ] }').labels, []);
});
