// Reference server model control on a scratch repository: explicit mode, file overrides, poll mode, generate.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpRequest } from '../support/httpRequest';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

const MODELS = join(__dirname, '..', 'server', 'models');

function scratchRepository(models: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'reference-repo-'));
  for (const m of models) cpSync(join(MODELS, m), join(dir, m), { recursive: true });
  return dir;
}

describe('reference server in explicit mode', () => {
  let server: ReferenceServer;
  let repo: string;
  const url = (p: string): string => server.httpUrl + p;
  before(async () => {
    repo = scratchRepository(['identity_fp32', 'repeat_int32', 'identity_bytes']);
    server = await startReferenceServer({ modelRepository: repo, extraArgs: ['--model-control-mode=explicit', '--load-model', 'identity_fp32', '--load-model', 'identity_bytes', '--load-model', 'repeat_int32'] });
  });
  after(async () => {
    await server.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('loads a model from a config override plus base64 files, and reports unknown names', async () => {
    const signature = 'input [ { name: "A" data_type: TYPE_INT32 dims: [ 2 ] } ]\noutput [ { name: "B" data_type: TYPE_INT32 dims: [ 2 ] } ]\n';
    const load = await httpRequest(url('/v2/repository/models/from_files/load'), { body: { parameters: {
      config: JSON.stringify({ backend: 'identity' }),
      'file:1/model.identity': Buffer.from(signature).toString('base64'),
    } } });
    assert.equal(load.status, 200, load.body.toString());
    const meta = (await httpRequest(url('/v2/models/from_files'))).json as { inputs: Array<{ name: string; shape: number[] }> };
    assert.deepEqual(meta.inputs, [{ name: 'A', datatype: 'INT32', shape: [2] }]);
    const infer = await httpRequest(url('/v2/models/from_files/infer'), { body: { inputs: [{ name: 'A', shape: [2], datatype: 'INT32', data: [4, 5] }] } });
    assert.deepEqual((infer.json as { outputs: Array<{ data: number[] }> }).outputs[0]!.data, [4, 5]);
    const noConfig = await httpRequest(url('/v2/repository/models/x/load'), { body: { parameters: { 'file:1/model.identity': '' } } });
    assert.equal(noConfig.status, 500);
    const unknown = await httpRequest(url('/v2/repository/models/doesnotexist/load'), { body: '' });
    assert.deepEqual([unknown.status, unknown.json], [500, { error: "failed to load 'doesnotexist', failed to poll from model repository" }]);
    const badKey = await httpRequest(url('/v2/repository/models/identity_fp32/load'), { body: { parameters: { bogus: 'x' } } });
    assert.deepEqual([badKey.status, badKey.json], [500, { error: 'unexpected error on creating Triton parameter' }]);
  });

  it('honours the execute_delay_ms model parameter in execution time and statistics', async () => {
    const config = { backend: 'identity', input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }], output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }], parameters: { execute_delay_ms: { string_value: '300' } } };
    assert.equal((await httpRequest(url('/v2/repository/models/identity_fp32/load'), { body: { parameters: { config: JSON.stringify(config) } } })).status, 200);
    const t0 = Date.now();
    const res = await httpRequest(url('/v2/models/identity_fp32/infer'), { body: { inputs: [{ name: 'INPUT0', shape: [1], datatype: 'FP32', data: [1] }] } });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - t0 >= 290, `answered after ${Date.now() - t0} ms`);
    const stats = (await httpRequest(url('/v2/models/identity_fp32/stats'))).json as { model_stats: Array<{ inference_stats: { compute_infer: { count: number; ns: number } } }> };
    assert.ok(stats.model_stats[0]!.inference_stats.compute_infer.ns >= 290e6);
    assert.equal((await httpRequest(url('/v2/repository/models/identity_fp32/load'), { body: '' })).status, 200);
  });

  it('shows LOADING in the index while a model with creation_delay_sec loads', async () => {
    const config = { backend: 'identity', input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }], output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }], parameters: { creation_delay_sec: { string_value: '0.5' } } };
    const loading = httpRequest(url('/v2/repository/models/slow_load/load'), { body: { parameters: { config: JSON.stringify(config), 'file:1/model.identity': '' } } });
    await server.waitForOutput(/loading: slow_load:1/);
    const index = (await httpRequest(url('/v2/repository/index'), { body: '' })).json as Array<{ name: string; state?: string }>;
    assert.equal(index.find((e) => e.name === 'slow_load')?.state, 'LOADING');
    assert.equal((await httpRequest(url('/v2/models/slow_load/ready'))).status, 400);
    assert.equal((await loading).status, 200);
    assert.equal((await httpRequest(url('/v2/models/slow_load/ready'))).status, 200);
  });

  it('answers generate with unwrapped outputs and streams a decoupled model as server-sent events', async () => {
    const gen = await httpRequest(url('/v2/models/identity_bytes/generate'), { body: { id: '42', INPUT0: 'hello', parameters: { temperature: 0 } } });
    assert.equal(gen.status, 200);
    assert.deepEqual(gen.json, { id: '42', model_name: 'identity_bytes', model_version: '1', OUTPUT0: 'hello' });
    const stream = await httpRequest(url('/v2/models/repeat_int32/generate_stream'), { body: { IN: [3, 1, 4], DELAY: [0, 0, 0], WAIT: 0 } });
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    const events = stream.body.toString().split('\n\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')) as { OUT: number; IDX: number });
    assert.deepEqual(events.map((e) => [e.OUT, e.IDX]), [[3, 0], [1, 1], [4, 2]]);
    const decoupled = await httpRequest(url('/v2/models/repeat_int32/infer'), { body: { inputs: [] } });
    assert.deepEqual([decoupled.status, decoupled.json], [501, { error: "HTTP end point doesn't support models with decoupled transaction policy" }]);
  });
});

describe('reference server in poll mode', () => {
  let server: ReferenceServer;
  let repo: string;
  const url = (p: string): string => server.httpUrl + p;
  before(async () => {
    repo = scratchRepository(['identity_fp32']);
    server = await startReferenceServer({ modelRepository: repo, extraArgs: ['--model-control-mode', 'poll', '--repository-poll-secs', '1'] });
  });
  after(async () => {
    await server.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('loads added model folders, reloads edited configs and unloads removed folders', async () => {
    cpSync(join(MODELS, 'identity_int32'), join(repo, 'identity_int32'), { recursive: true });
    await server.waitForOutput(/successfully loaded 'identity_int32'/, 5000);
    assert.equal((await httpRequest(url('/v2/models/identity_int32/ready'))).status, 200);
    writeFileSync(join(repo, 'identity_int32', 'config.pbtxt'), 'backend: "identity"\nmax_batch_size: 2\ninput [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ -1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ -1 ] } ]\n');
    await server.waitForOutput(/successfully loaded 'identity_int32'[\s\S]*successfully loaded 'identity_int32'/, 5000);
    const config = (await httpRequest(url('/v2/models/identity_int32/config'))).json as { max_batch_size: number };
    assert.equal(config.max_batch_size, 2);
    rmSync(join(repo, 'identity_int32'), { recursive: true, force: true });
    await server.waitForOutput(/successfully unloaded 'identity_int32' version 1/, 5000);
    assert.equal((await httpRequest(url('/v2/models/identity_int32/ready'))).status, 400);
  });
});

describe('reference server ensembles', () => {
  let server: ReferenceServer;
  let repo: string;
  const url = (p: string): string => server.httpUrl + p;
  const state = async (name: string): Promise<string | undefined> => {
    const index = (await httpRequest(url('/v2/repository/index'), { body: '' })).json as Array<{ name: string; state?: string; reason?: string }>;
    const e = index.find((x) => x.name === name);
    return e && `${e.state}${e.reason ? `: ${e.reason}` : ''}`;
  };
  before(async () => {
    repo = scratchRepository(['simple', 'simple_ensemble']);
    server = await startReferenceServer({ modelRepository: repo, extraArgs: ['--model-control-mode=explicit', '--load-model=simple_ensemble'] });
  });
  after(async () => {
    await server.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('runs the steps in data-flow order and counts each step in the composing model statistics', async () => {
    assert.equal(await state('simple'), 'READY');
    const a = Array.from({ length: 16 }, (_, i) => i);
    const res = await httpRequest(url('/v2/models/simple_ensemble/infer'), { body: { inputs: [
      { name: 'INPUT0', shape: [1, 16], datatype: 'INT32', data: a },
      { name: 'INPUT1', shape: [1, 16], datatype: 'INT32', data: Array(16).fill(3) },
    ] } });
    assert.equal(res.status, 200, res.body.toString());
    const outputs = (res.json as { outputs: Array<{ name: string; data: number[] }> }).outputs;
    assert.deepEqual(outputs.find((o) => o.name === 'OUTPUT0')!.data, a.map((x) => 2 * x));
    assert.deepEqual(outputs.find((o) => o.name === 'OUTPUT1')!.data, Array(16).fill(6));
    const stats = (await httpRequest(url('/v2/models/simple/stats'))).json as { model_stats: Array<{ execution_count: number }> };
    assert.equal(stats.model_stats[0]!.execution_count, 2);
    assert.equal(((await httpRequest(url('/v2/models/simple_ensemble'))).json as { platform: string }).platform, 'ensemble');
  });

  it('marks the ensemble unloaded with its composing model, brings it back, and unloads dependents on request', async () => {
    assert.equal((await httpRequest(url('/v2/repository/models/simple/unload'), { body: '' })).status, 200);
    assert.equal(await state('simple_ensemble'), 'UNAVAILABLE: unloaded');
    assert.equal((await httpRequest(url('/v2/repository/models/simple/load'), { body: '' })).status, 200);
    assert.equal(await state('simple_ensemble'), 'READY');
    // simple is now loaded explicitly, so unloading the ensemble's dependents keeps it.
    assert.equal((await httpRequest(url('/v2/repository/models/simple_ensemble/unload'), { body: { parameters: { unload_dependents: true } } })).status, 200);
    assert.equal(await state('simple'), 'READY');
    assert.equal((await httpRequest(url('/v2/repository/models/simple/unload'), { body: '' })).status, 200);
    assert.equal((await httpRequest(url('/v2/repository/models/simple_ensemble/load'), { body: '' })).status, 200);
    assert.equal(await state('simple'), 'READY');
    assert.equal((await httpRequest(url('/v2/repository/models/simple_ensemble/unload'), { body: { parameters: { unload_dependents: true } } })).status, 200);
    assert.equal(await state('simple'), 'UNAVAILABLE: unloaded');
  });

  it('rejects an ensemble whose step maps a tensor to an input the composing model does not have', async () => {
    const config = {
      platform: 'ensemble', max_batch_size: 8,
      input: [{ name: 'A', data_type: 'TYPE_INT32', dims: [16] }], output: [{ name: 'B', data_type: 'TYPE_INT32', dims: [16] }],
      ensemble_scheduling: { step: [{ model_name: 'simple', model_version: -1, input_map: { NOPE: 'A' }, output_map: { OUTPUT0: 'B' } }] },
    };
    const res = await httpRequest(url('/v2/repository/models/simple_ensemble/load'), { body: { parameters: { config: JSON.stringify(config) } } });
    assert.equal(res.status, 400);
    assert.match((res.json as { error: string }).error, /ensemble tensor A is mapping to non-existing input NOPE in model simple/);
  });
});

describe('reference server with broken model folders', () => {
  let server: ReferenceServer;
  let repo: string;
  before(async () => {
    repo = scratchRepository(['identity_fp32']);
    mkdirSync(join(repo, 'broken_syntax', '1'), { recursive: true });
    writeFileSync(join(repo, 'broken_syntax', 'config.pbtxt'), 'backend: "identity"\ninput [ { name: "A" dims: [ 1, ] } ]\n');
    mkdirSync(join(repo, 'no_versions'));
    writeFileSync(join(repo, 'no_versions', 'config.pbtxt'), 'backend: "identity"\n');
    server = await startReferenceServer({ modelRepository: repo });
  });
  after(async () => {
    await server.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('lists a config that does not parse by name only, and leaves out a folder without versions', async () => {
    const index = (await httpRequest(`${server.httpUrl}/v2/repository/index`, { body: '' })).json as Array<Record<string, string>>;
    assert.deepEqual(index.map((e) => e['name']), ['broken_syntax', 'identity_fp32']);
    assert.deepEqual(index[0], { name: 'broken_syntax' });
    await server.waitForOutput(/\[libprotobuf ERROR text_format\.cc:337\] Error parsing text-format inference\.ModelConfig: 2:32: Expected value, got: \]/);
    await server.waitForOutput(/Poll failed for model directory 'broken_syntax': failed to read text proto from .*broken_syntax\/config\.pbtxt/);
    await server.waitForOutput(/\| no_versions +\| - +\| Not loaded: No model version was found \|/);
    const load = await httpRequest(`${server.httpUrl}/v2/repository/models/broken_syntax/load`, { body: '' });
    assert.deepEqual([load.status, load.json], [500, { error: "failed to load 'broken_syntax', failed to poll from model repository" }]);
  });
});
