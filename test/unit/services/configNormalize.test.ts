// Normalising a server's effective config and a workspace config.pbtxt for a diff that shows only
// real differences. The server side is what tritonserver 2.59.1 answered for these files.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { configJsonToPbtxt } from '../../../src/pbtxt/fromJson';
import { loadSchema } from '../../../src/pbtxt/schema';
import { pbtxtToConfigJson } from '../../../src/services/configOverride';
import { normalizeConfigPair } from '../../../src/services/configNormalize';

const schema = loadSchema();

const FILE = [
  'backend: "identity"',
  'input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 3 ] } ]',
  'output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ 3 ] } ]',
].join('\n');

/** GET /v2/models/identity_min/config on tritonserver 2.59.1 (CPU-only) for FILE. */
function served(): Record<string, unknown> {
  return {
    name: 'identity_min', platform: '', backend: 'identity', runtime: '', version_policy: { latest: { num_versions: 1 } }, max_batch_size: 0,
    input: [{ name: 'INPUT0', data_type: 'TYPE_INT32', format: 'FORMAT_NONE', dims: [3], is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false }],
    output: [{ name: 'OUTPUT0', data_type: 'TYPE_INT32', dims: [3], label_filename: '', is_shape_tensor: false, is_non_linear_format_io: false }],
    batch_input: [], batch_output: [],
    optimization: { priority: 'PRIORITY_DEFAULT', input_pinned_memory: { enable: true }, output_pinned_memory: { enable: true }, gather_kernel_buffer_threshold: 0, eager_batching: false },
    instance_group: [{ name: 'identity_min', kind: 'KIND_CPU', count: 1, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '' }],
    default_model_filename: '', cc_model_filenames: {}, metric_tags: {}, parameters: {}, model_warmup: [],
  };
}

test('the raw pair is mostly noise: the server spells out every default', () => {
  const raw = configJsonToPbtxt(served(), schema);
  assert.ok(raw.split('\n').length > 3 * FILE.split('\n').length, raw);
  assert.match(raw, /is_shape_tensor: false/);
});

test('normalised, a config and what the server made of it are the same text', () => {
  const pair = normalizeConfigPair(served(), pbtxtToConfigJson(FILE, schema), 'identity_min', schema);
  assert.equal(pair.server, pair.workspace);
  assert.doesNotMatch(pair.server, /is_shape_tensor|FORMAT_NONE|PRIORITY_DEFAULT|label_filename|model_warmup/);
  assert.match(pair.server, /^backend: "identity"$/m);
});

test('a real difference still shows, on the line it is about', () => {
  const pair = normalizeConfigPair(served(), pbtxtToConfigJson(FILE.replace('dims: [ 3 ] } ]\noutput', 'dims: [ 4 ] } ]\noutput'), schema), 'identity_min', schema);
  assert.notEqual(pair.server, pair.workspace);
  const server = pair.server.split('\n');
  const workspace = pair.workspace.split('\n');
  assert.equal(server.length, workspace.length);
  const changed = server.flatMap((line, i) => (line !== workspace[i] ? [`${line} | ${workspace[i]}`] : []));
  assert.deepEqual(changed, ['    dims: [ 3 ] |     dims: [ 4 ]']);
});

test('what Triton fills in from the machine or the model files is taken from the server', () => {
  const file = 'name: "m"\ninstance_group [ { kind: KIND_AUTO } ]\ndynamic_batching { }\nmax_batch_size: 8\n';
  const server = {
    name: 'm', platform: 'onnxruntime_onnx', backend: 'onnxruntime', default_model_filename: 'model.onnx', max_batch_size: 8,
    version_policy: { latest: { num_versions: 1 } },
    input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }], output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [2] }],
    dynamic_batching: { preferred_batch_size: [8], max_queue_delay_microseconds: 0, preserve_ordering: false, priority_levels: 0, default_priority_level: 0, priority_queue_policy: {} },
    optimization: { input_pinned_memory: { enable: true }, output_pinned_memory: { enable: true } },
    instance_group: [{ name: 'm_0', kind: 'KIND_CPU', count: 2, gpus: [] }],
    model_transaction_policy: { decoupled: false },
  };
  const pair = normalizeConfigPair(server, pbtxtToConfigJson(file, schema), 'm', schema);
  assert.equal(pair.server, pair.workspace);
  assert.match(pair.workspace, /dynamic_batching \{\n {2}preferred_batch_size: \[ 8 \]\n\}/);
  assert.doesNotMatch(pair.server, /model_transaction_policy/);
});
