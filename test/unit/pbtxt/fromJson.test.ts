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
