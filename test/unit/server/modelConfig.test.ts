// What the server fills into configs and what it rejects, on real model folders.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfigText } from '../../server/configSchema';
import { completeConfig, servedVersions, validateConfig, versionDirs } from '../../server/modelConfig';

const root = mkdtempSync(join(tmpdir(), 'model-config-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

function modelDir(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe('model config completion and validation', () => {
  it('fills name, version policy, pinned memory, instance group and preferred batch sizes', () => {
    const dir = modelDir('filled', { '1/model.identity': '', '2/x': '', '03/x': '', 'abc/x': '' });
    const c = parseConfigText('backend: "identity" max_batch_size: 4 dynamic_batching { } input { name: "I" data_type: TYPE_FP32 dims: [1] } output { name: "O" data_type: TYPE_FP32 dims: [1] }');
    completeConfig(c, 'filled', dir);
    assert.equal(c['name'], 'filled');
    assert.deepEqual(c['version_policy'], { latest: { num_versions: 1 } });
    assert.deepEqual((c['dynamic_batching'] as Record<string, unknown>)['preferred_batch_size'], [4]);
    assert.deepEqual(c['instance_group'], [{ name: 'filled', kind: 'KIND_CPU', count: 1 }]);
    assert.deepEqual((c['optimization'] as Record<string, unknown>)['input_pinned_memory'], { enable: true });
    assert.deepEqual(versionDirs(dir), [1, 2]);
    assert.deepEqual(servedVersions(c, [1, 2]), [2]);
    assert.deepEqual(servedVersions({ version_policy: { specific: { versions: [1, 5] } } }, [1, 2]), [1]);
    validateConfig(c, 'filled', dir);
    const seq = parseConfigText('backend: "identity" sequence_batching { } instance_group [ { kind: KIND_CPU }, { name: "named" count: 2 }, { } ]');
    completeConfig(seq, 'seq', dir);
    assert.equal((seq['sequence_batching'] as Record<string, unknown>)['max_sequence_idle_microseconds'], 1000000, "Triton's default idle time");
    assert.deepEqual((seq['instance_group'] as Array<Record<string, unknown>>).map((g) => g['name']), ['seq_0', 'named', 'seq_2'], 'an unnamed group is <model>_<group index>');
  });

  it('takes the backend and a missing signature from the version folder model file', () => {
    const dir = modelDir('sig', { '1/model.addsub': 'input [ { name: "X" data_type: TYPE_INT32 dims: [ 2 ] } ]\noutput [ { name: "Y" data_type: TYPE_INT32 dims: [ 2 ] } ]' });
    const c = parseConfigText('max_batch_size: 16');
    completeConfig(c, 'sig', dir);
    assert.equal(c['backend'], 'addsub');
    assert.deepEqual(c['input'], [{ name: 'X', data_type: 'TYPE_INT32', dims: [2] }]);
  });

  it('rejects configs with Triton wording', () => {
    const dir = modelDir('bad', { '1/x': '' });
    const check = (text: string, name = 'bad'): string => {
      const c = parseConfigText(text);
      completeConfig(c, 'bad', dir);
      try {
        validateConfig(c, name, dir);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    assert.equal(check('backend: "identity" input { name: "I" data_type: TYPE_FP32 dims: [0] }'), "model input 'I' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for bad");
    assert.equal(check('backend: "identity" output { name: "O" dims: [1] }'), "model output 'O' must specify 'data_type' for bad");
    assert.match(check('input { name: "I" data_type: TYPE_FP32 dims: [1] }'), /Could not determine backend for model 'bad'/);
    assert.match(check('backend: "onnxruntime" platform: "tensorrt_plan"'), /unexpected 'platform' and 'backend' pair/);
    assert.match(check('backend: "identity" max_batch_size: 2 dynamic_batching { preferred_batch_size: [4] }'), /preferred size must be <= max batch size/);
    assert.match(check('name: "other" backend: "identity"'), /unexpected directory name 'bad' for model 'other'/);
    assert.match(check('backend: "identity" input { name: "I" data_type: TYPE_FP32 format: FORMAT_NCHW dims: [3, 4] }'), /NHWC\/NCHW require 3 dims/);
    assert.match(check('backend: "identity" output { name: "O" data_type: TYPE_FP32 dims: [1] label_filename: "../x" }'), /outside model directory/);
    assert.match(check('backend: "identity" output { name: "O" data_type: TYPE_FP32 dims: [4] reshape { shape: [3] } }'), /different size for dims and reshape/);
    assert.equal(check('backend: "identity" input { name: "I" data_type: TYPE_FP32 dims: [-1, 4] }'), 'accepted');
    const ensemble = (steps: string): string => check(`platform: "ensemble" input { name: "A" data_type: TYPE_FP32 dims: [1] } output { name: "Z" data_type: TYPE_FP32 dims: [1] } ensemble_scheduling { ${steps} }`);
    const step = (inp: string, out: string): string => `step { model_name: "m" input_map { key: "x" value: "${inp}" } output_map { key: "y" value: "${out}" } }`;
    assert.equal(ensemble(step('A', 'T') + step('T', 'Z')), 'accepted');
    assert.match(ensemble(''), /must specify 'step' for ensemble 'bad'/);
    assert.match(ensemble(step('A', 'T') + step('A', 'T')), /ensemble tensor 'T' can appear in an output map only once/);
    assert.match(ensemble(step('B', 'Z')), /ensemble input 'A' for ensemble bad' is not used/);
    assert.match(ensemble(step('A', 'T')), /output 'Z' for ensemble 'bad' is not written/);
    assert.match(ensemble(step('A', 'Z') + step('A', 'U')), /ensemble tensor 'U' is unused in ensemble 'bad'/);
    assert.match(check('backend: "identity" ensemble_scheduling { }'), /ensemble scheduling cannot be set for model 'bad' whose platform is not ensemble/);
  });
});
