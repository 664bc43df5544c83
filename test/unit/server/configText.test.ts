// The server's strict text-format reader and its typed ModelConfig conversion, JSON override and JSON rendering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigJson, parseConfigText, renderConfigJson } from '../../server/configSchema';
import { completeConfig } from '../../server/modelConfig';
import { parseTextFormat, TextFormatError } from '../../server/textFormat';

const errorOf = (text: string): string => {
  try {
    parseConfigText(text);
  } catch (err) {
    assert.ok(err instanceof TextFormatError, `expected a TextFormatError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
};

describe('text format reader', () => {
  it('reads every documented field form into typed values', () => {
    const c = parseConfigText(`
      # comment
      name: "m"  platform: 'onnxruntime_onnx'
      max_batch_size: 0x8
      input [ { name: "A", data_type: TYPE_FP32, dims: [ -1, 3 ] }, { name: "B" data_type: 13 dims: 4 dims: 010 } ]
      output: < name: "C"; data_type: TYPE_BOOL; dims: [1] reshape { shape: [ ] } >
      parameters { key: "k" value { string_value: "a" "b" } }
      parameters [ { key: "j", value: { string_value: "\\x41\\101\\u00e9" } } ]
      model_transaction_policy { decoupled: True }
      sequence_batching { control_input [ { name: "S" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1.5f ] } ] } ] }
    `);
    assert.equal(c['max_batch_size'], 8);
    assert.deepEqual(c['input'], [
      { name: 'A', data_type: 'TYPE_FP32', dims: [-1, 3] },
      { name: 'B', data_type: 'TYPE_STRING', dims: [4, 8] },
    ]);
    assert.deepEqual(c['output'], [{ name: 'C', data_type: 'TYPE_BOOL', dims: [1], reshape: { shape: [] } }]);
    assert.deepEqual(c['parameters'], { k: { string_value: 'ab' }, j: { string_value: 'AAé' } });
    assert.deepEqual(c['model_transaction_policy'], { decoupled: true });
    const control = ((c['sequence_batching'] as Record<string, unknown[]>)['control_input']![0] as Record<string, Array<Record<string, unknown>>>)['control']![0]!;
    assert.deepEqual(control['fp32_false_true'], [0, 1.5]);
  });

  it('rejects what protobuf rejects, with line:column', () => {
    assert.equal(errorOf('max_batch_size: 8\nmax_batch_size: 4'), '2:1: Non-repeated field "max_batch_size" is specified multiple times.');
    assert.equal(errorOf('  foo: 1'), '1:3: Message type "inference.ModelConfig" has no field named "foo".');
    assert.match(errorOf('dynamic_batching {}\nsequence_batching {}'), /^2:1: Field "sequence_batching" is specified along with field "dynamic_batching", another member of oneof "scheduling_choice"\.$/);
    assert.match(errorOf('input { data_type: TYPE_X }'), /Unknown enumeration value of "TYPE_X" for field "data_type"/);
    assert.match(errorOf('input { dims: [1,] }'), /^1:18: Expected value/);
    assert.match(errorOf('max_batch_size 8'), /Expected ":"/);
    assert.match(errorOf('max_batch_size: 99999999999'), /^1:17: Integer out of range/);
    assert.match(errorOf('version_policy { latest { num_versions: -1 } }'), /Expected integer, got: -/);
    assert.match(errorOf('name: "unterminated'), /Unexpected end of string/);
    assert.match(errorOf('max_batch_size: 08'), /Expected integer/);
    assert.match(errorOf('version_policy { latest {} all {} }'), /another member of oneof "policy_choice"/);
    assert.match(errorOf('input [ { name: "a" } '), /Expected "}"|Expected "]"/);
  });

  it('keeps repeated max_batch_size: 0 legal like proto3 presence does', () => {
    assert.equal(parseConfigText('max_batch_size: 0 max_batch_size: 0')['max_batch_size'], 0);
  });

  it('gives an untyped tree with positions', () => {
    const tree = parseTextFormat('a { b: 1 }\nc: "x"');
    assert.equal(tree.fields.length, 2);
    assert.equal(tree.fields[1]!.line, 2);
  });
});

describe('config JSON', () => {
  it('accepts snake and camel names, enum names in any case, numbers and int64 strings', () => {
    const c = parseConfigJson('{"max_batch_size":"16","input":[{"name":"a","dataType":"type_fp32","dims":["2"]}],"output":[{"name":"b","data_type":11,"dims":[2]}]}');
    assert.deepEqual(c, { max_batch_size: 16, input: [{ name: 'a', data_type: 'TYPE_FP32', dims: [2] }], output: [{ name: 'b', data_type: 'TYPE_FP32', dims: [2] }] });
  });

  it('rejects unknown fields and malformed JSON as config override errors', () => {
    assert.throws(() => parseConfigJson('{"bogus_field":1}'), /Invalid config override: bogus_field: Cannot find field\./);
    assert.throws(() => parseConfigJson('{"inputs":[]}'), /inputs: Cannot find field/);
    assert.throws(() => parseConfigJson('{"max_batch_size":'), /Invalid config override/);
    assert.throws(() => parseConfigJson('{"max_batch_size":1.5}'), /Invalid config override/);
  });

  it('renders a completed minimal config byte for byte as 2.59.1 answered GET /config', () => {
    const c = parseConfigText('backend: "identity"\ninput [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 3 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 3 ] } ]');
    completeConfig(c, 'identity_min', '/nonexistent');
    const observed = '{"name":"identity_min","platform":"","backend":"identity","runtime":"","version_policy":{"latest":{"num_versions":1}},"max_batch_size":0,'
      + '"input":[{"name":"INPUT0","data_type":"TYPE_INT32","format":"FORMAT_NONE","dims":[3],"is_shape_tensor":false,"allow_ragged_batch":false,"optional":false,"is_non_linear_format_io":false}],'
      + '"output":[{"name":"OUTPUT0","data_type":"TYPE_INT32","dims":[3],"label_filename":"","is_shape_tensor":false,"is_non_linear_format_io":false}],'
      + '"batch_input":[],"batch_output":[],'
      + '"optimization":{"priority":"PRIORITY_DEFAULT","input_pinned_memory":{"enable":true},"output_pinned_memory":{"enable":true},"gather_kernel_buffer_threshold":0,"eager_batching":false},'
      + '"instance_group":[{"name":"identity_min","kind":"KIND_CPU","count":1,"gpus":[],"secondary_devices":[],"profile":[],"passive":false,"host_policy":""}],'
      + '"default_model_filename":"","cc_model_filenames":{},"metric_tags":{},"parameters":{},"model_warmup":[]}';
    assert.equal(JSON.stringify(renderConfigJson(c)), observed);
  });

  it('renders completed scheduling blocks exactly as 2.59.1 printed them', () => {
    const dyn = parseConfigText('backend: "identity" max_batch_size: 8 dynamic_batching { }');
    completeConfig(dyn, 'identity_min', '/nonexistent');
    assert.equal(JSON.stringify(renderConfigJson(dyn)['dynamic_batching']), '{"preferred_batch_size":[8],"max_queue_delay_microseconds":0,"preserve_ordering":false,"priority_levels":0,"default_priority_level":0,"priority_queue_policy":{}}');
    const seq = parseConfigText('backend: "identity" sequence_batching { }');
    completeConfig(seq, 'identity_min', '/nonexistent');
    const json = renderConfigJson(seq);
    assert.equal(JSON.stringify(json['sequence_batching']), '{"max_sequence_idle_microseconds":1000000,"control_input":[],"state":[],"iterative_sequence":false}');
    assert.equal(JSON.stringify(json['version_policy']), '{"latest":{"num_versions":1}}');
    assert.equal(JSON.stringify(json['optimization']), '{"priority":"PRIORITY_DEFAULT","input_pinned_memory":{"enable":true},"output_pinned_memory":{"enable":true},"gather_kernel_buffer_threshold":0,"eager_batching":false}');
    assert.equal(JSON.stringify(json['instance_group']), '[{"name":"identity_min","kind":"KIND_CPU","count":1,"gpus":[],"secondary_devices":[],"profile":[],"passive":false,"host_policy":""}]');
  });

  it('renders Triton JSON: every scalar, snake_case, int64 dims as numbers, other int64 as strings, unset messages omitted', () => {
    const json = renderConfigJson(parseConfigText('name: "m" input { name: "a" data_type: TYPE_INT64 dims: [ 2 ] } instance_group { secondary_devices { device_id: 3 } }'));
    assert.equal(json['max_batch_size'], 0);
    assert.equal(json['platform'], '');
    assert.deepEqual(json['batch_input'], []);
    assert.deepEqual(json['metric_tags'], {});
    assert.equal('dynamic_batching' in json, false);
    assert.equal('model_transaction_policy' in json, false);
    const input = (json['input'] as Array<Record<string, unknown>>)[0]!;
    assert.deepEqual(input, { name: 'a', data_type: 'TYPE_INT64', format: 'FORMAT_NONE', dims: [2], is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false });
    const group = (json['instance_group'] as Array<Record<string, Array<Record<string, unknown>>>>)[0]!;
    assert.deepEqual(group['secondary_devices']![0], { kind: 'KIND_NVDLA', device_id: '3' });
  });
});
