// Rendering a server's effective config JSON as config.pbtxt: the text must parse and check clean.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { configJsonToPbtxt, quotePbtxt } from '../../../src/pbtxt/fromJson';
import { parse } from '../../../src/pbtxt/parser';
import { loadSchema } from '../../../src/pbtxt/schema';
import { checkSchema } from '../../../src/pbtxt/schemaCheck';
import { MessageView } from '../../../src/pbtxt/view';

// GET /v2/models/identity_min/config as tritonserver 2.59.1 returned it (reference §5), plus batching fields.
const EFFECTIVE = {
  name: 'identity_min', platform: '', backend: 'identity', runtime: '', version_policy: { latest: { num_versions: 1 } }, max_batch_size: 8,
  input: [{ name: 'INPUT0', data_type: 'TYPE_INT32', format: 'FORMAT_NONE', dims: [3], is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false }],
  output: [{ name: 'OUTPUT0', data_type: 'TYPE_INT32', dims: [3], label_filename: '', is_shape_tensor: false, is_non_linear_format_io: false }],
  batch_input: [], batch_output: [],
  optimization: { priority: 'PRIORITY_DEFAULT', input_pinned_memory: { enable: true }, output_pinned_memory: { enable: true }, gather_kernel_buffer_threshold: 0, eager_batching: false },
  dynamic_batching: { preferred_batch_size: [8], max_queue_delay_microseconds: 0, preserve_ordering: false, priority_levels: 0, default_priority_level: 0, priority_queue_policy: { 1: { timeout_action: 'DELAY', max_queue_size: 4 } } },
  instance_group: [{ name: 'identity_min', kind: 'KIND_CPU', count: 1, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '' }],
  default_model_filename: '', cc_model_filenames: { '7.5': 'model.plan' }, metric_tags: {},
  parameters: { execute_delay_ms: { string_value: '3' } }, model_warmup: [],
};

test('renders the effective config as text that parses and passes the schema checks', () => {
  const text = configJsonToPbtxt(EFFECTIVE, loadSchema());
  const doc = parse(text);
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(checkSchema(doc, loadSchema()), []);
  const cfg = new MessageView(doc.root);
  assert.equal(cfg.str('name'), 'identity_min');
  assert.equal(cfg.int('max_batch_size'), 8);
  assert.equal(cfg.messages('input')[0].node.ident('data_type'), 'TYPE_INT32');
  assert.equal(cfg.message('dynamic_batching')?.mapEntries('priority_queue_policy')[0].key, '1');
  assert.equal(cfg.mapEntries('parameters')[0].entry.node.message('value')?.str('string_value'), '3');
  assert.match(text, /^ {2}input_pinned_memory \{$/m);
  assert.ok(!text.includes('batch_input'), 'empty lists are left out');
});

/** The same value with every object's keys in reverse order (arrays keep their order). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
}

test('fields come out in the order model_config.proto declares them, whatever the JSON key order', () => {
  const schema = loadSchema();
  const text = configJsonToPbtxt(EFFECTIVE, schema);
  assert.equal(configJsonToPbtxt(reversedKeys(EFFECTIVE), schema), text);
  const order = [...schema.root.fields.keys()];
  const top = text.split('\n').map((l) => /^([a-z_]+)/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
  assert.deepEqual(top.slice(0, 6), ['name', 'platform', 'backend', 'runtime', 'version_policy', 'max_batch_size']);
  for (let i = 1; i < top.length; i++) assert.ok(order.indexOf(top[i - 1]!) <= order.indexOf(top[i]!), `${top[i - 1]} before ${top[i]}`);
  assert.match(text, /^ {4}name: "INPUT0"\n {4}data_type: TYPE_INT32\n {4}format: FORMAT_NONE\n {4}dims: \[ 3 \]$/m, 'nested messages too');
});

test('accepts camelCase keys, int64 as strings, enum numbers; omits defaults on request; flags unknown keys', () => {
  const text = configJsonToPbtxt(JSON.stringify({ maxBatchSize: '4', input: [{ name: 'x', dataType: 11, dims: ['2', '-1'] }], platform: '', bogus: 1 }), loadSchema(), { omitDefaults: true });
  assert.equal(text, 'max_batch_size: 4\ninput [\n  {\n    name: "x"\n    data_type: TYPE_FP32\n    dims: [ 2, -1 ]\n  }\n]\n# field "bogus" is not in ModelConfig; left out\n');
  assert.throws(() => configJsonToPbtxt('[1]', loadSchema()), /JSON object/);
});

test('strings are quoted so the parser reads back the same value', () => {
  for (const s of ['plain', 'quote " and \\ back', 'tab\tnew\nline', 'é😀', '\x01\x7f']) {
    const doc = parse(`name: ${quotePbtxt(s)}`);
    assert.deepEqual(doc.errors, []);
    assert.equal(new MessageView(doc.root).str('name'), s);
  }
});

test('a value of the wrong type is reported in a comment naming field and value, never rendered as 0, false or a guess', () => {
  const schema = loadSchema();
  const render = (json: unknown): string => configJsonToPbtxt(json, schema);
  const cases: [unknown, RegExp][] = [
    [{ input: [{ name: 'x', dims: ['1', 'abc'] }] }, /^ {4}# field "dims" has a value that is not a list of int64: \["1","abc"\]; left out$/m],
    [{ input: 5 }, /^# field "input" has a value that is not a list of ModelInput: 5; left out$/m],
    [{ input: [null, { name: 'x' }] }, /^ {2}# input\[0\] is not a ModelInput: null; left out$/m],
    [{ version_policy: { specific: { versions: 'x' } } }, /^ {4}# field "versions" has a value that is not a list of int64: "x"; left out$/m],
    [{ max_batch_size: '9999999999999999999999' }, /^# field "max_batch_size" has a value that is not an int32: "9999999999999999999999"; left out$/m],
    [{ max_batch_size: 1.5 }, /^# field "max_batch_size" has a value that is not an int32: 1.5; left out$/m],
    [{ input: [{ name: 'x', optional: 'yes' }] }, /^ {4}# field "optional" has a value that is not a bool: "yes"; left out$/m],
    [{ input: [{ name: 'x', data_type: 'TYPE_BOGUS' }] }, /^ {4}# field "data_type" has a value that is not a DataType: "TYPE_BOGUS"; left out$/m],
    [{ name: 5 }, /^# field "name" has a value that is not a string: 5; left out$/m],
    [{ version_policy: 'latest' }, /^# field "version_policy" has a value that is not a ModelVersionPolicy: "latest"; left out$/m],
    [{ parameters: ['a'] }, /^# field "parameters" has a value that is not a map<string, ModelParameter>: \["a"\]; left out$/m],
    [{ dynamic_batching: { priority_queue_policy: { abc: {} } } }, /^ {2}# field "priority_queue_policy" has a key that is not a uint64: "abc"; left out$/m],
    [{ model_metrics: { metric_control: [{ histogram_options: { buckets: [0.5, 'x'] } }] } }, /# field "buckets" has a value that is not a list of double: \[0.5,"x"\]; left out$/m],
  ];
  for (const [json, expected] of cases) {
    const text = render(json);
    assert.match(text, expected, text);
    assert.doesNotMatch(text, /: 0$|: \[ 1, 0 \]|: false$|"TYPE_BOGUS"$|name: "5"/m, text);
    assert.deepEqual(parse(text).errors, [], text);
  }
  assert.equal(render({ model_metrics: { metric_control: [{ histogram_options: { buckets: ['NaN', 'Infinity', '-Infinity', '2.5', 1e21] } }] } }).match(/buckets: .*/)?.[0], 'buckets: [ nan, inf, -inf, 2.5, 1e+21 ]');
  assert.match(render({ max_batch_size: 8, input: [{ dims: [-1, '4'], data_type: 11 }] }), /^max_batch_size: 8\ninput \[\n {2}\{\n {4}data_type: TYPE_FP32\n {4}dims: \[ -1, 4 \]\n/);
});

test('a JSON key cannot break out of its comment line', () => {
  const text = configJsonToPbtxt({ 'x\nname: "injected"': 1, name: 'm' }, loadSchema());
  assert.equal(text, 'name: "m"\n# field "x\\nname: \\"injected\\"" is not in ModelConfig; left out\n');
});
