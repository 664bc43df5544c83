// validate(): repository-aware rules on real folders, quick fixes that really fix, and the ONNX reader.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Diagnostic } from '../../../src/pbtxt/ast';
import type { ConfigFs } from '../../../src/pbtxt/configFs';
import { nodeConfigFs } from '../../../src/pbtxt/configFs';
import { readOnnxSignature } from '../../../src/pbtxt/onnxModel';
import { validate } from '../../../src/pbtxt/validate';
import { onnxModelBytes } from './onnxBytes';

const root = mkdtempSync(join(tmpdir(), 'pbtxt-validate-'));
after(() => rmSync(root, { recursive: true, force: true }));

function model(repo: string, name: string, config: string, files: Record<string, string | Uint8Array> = {}): string {
  const dir = join(root, repo, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.pbtxt'), config);
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), body);
  }
  return join(dir, 'config.pbtxt');
}

function applyFix(text: string, d: Diagnostic): string {
  assert.ok(d.fix !== undefined, `${d.code} has a fix`);
  const edits = [...d.fix.edits].sort((a, b) => b.range.start.offset - a.range.start.offset);
  let out = text;
  for (const e of edits) out = out.slice(0, e.range.start.offset) + e.newText + out.slice(e.range.end.offset);
  return out;
}

test('an input the ONNX model has but the config lacks is reported with what a fix needs', async () => {
  const text = 'platform: "onnxruntime_onnx"\nmax_batch_size: 4\ninput [ { name: "input_ids" data_type: TYPE_INT64 dims: [ 128 ] } ]\noutput [ { name: "logits" data_type: TYPE_FP32 dims: [ 2 ] } ]\n';
  const file = model('onnx', 'twoinputs', text, { '1/model.onnx': ONNX });
  const errors = (await validate(text, { filePath: file, fs: nodeConfigFs })).filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => [d.code, d.data]), [['onnx-missing-input', { name: 'pixels', expectedDataType: 'TYPE_FP32', expectedDims: [3, 224, 224] }]]);
});

const ONNX = onnxModelBytes({
  inputs: [{ name: 'input_ids', elemType: 7, dims: ['batch', 128] }, { name: 'pixels', elemType: 1, dims: ['batch', 3, 224, 224] }],
  outputs: [{ name: 'logits', elemType: 1, dims: ['batch', 2] }],
  initializers: ['weight'],
});

test('ONNX mismatches carry the right dims and datatype, and their quick fixes make the config valid', async () => {
  const text = [
    'name: "clf"', 'platform: "onnxruntime_onnx"', 'max_batch_size: 4',
    'input [ { name: "input_ids" data_type: TYPE_INT32 dims: [ 128 ] },', '        { name: "pixels" data_type: TYPE_FP32 dims: 3 dims: 224 } ]',
    'output [ { name: "logit" data_type: TYPE_FP32 dims: [ 2 ] } ]',
  ].join('\n');
  const file = model('onnx', 'clf', text, { '1/model.onnx': ONNX });
  let current = text;
  for (let round = 0; round < 5; round++) {
    const ds = (await validate(current, { filePath: file, fs: nodeConfigFs })).filter((d) => d.severity === 'error');
    if (ds.length === 0) break;
    if (round === 0) {
      assert.deepEqual(ds.map((d) => d.code), ['onnx-datatype', 'onnx-dims', 'onnx-name']);
      assert.deepEqual(ds[0].data, { expectedDataType: 'TYPE_INT64' });
      assert.deepEqual(ds[1].data, { expectedDims: [3, 224, 224], modelDims: [-1, 3, 224, 224] });
      assert.equal(current.slice(ds[1].range.start.offset, ds[1].range.end.offset), 'dims: 3 dims: 224');
    }
    current = applyFix(current, ds[0]);
  }
  assert.deepEqual((await validate(current, { filePath: file, fs: nodeConfigFs })).filter((d) => d.severity === 'error'), []);
  assert.match(current, /data_type: TYPE_INT64/);
  assert.match(current, /dims: \[ 3, 224, 224 \]/);
  assert.match(current, /name: "logits"/);
});

test('the ONNX reader skips initializers, maps element types, and rejects damaged files with an Error', () => {
  const sig = readOnnxSignature(ONNX);
  assert.deepEqual(sig.inputs.map((i) => [i.name, i.dataType, i.dims]), [['input_ids', 'TYPE_INT64', [-1, 128]], ['pixels', 'TYPE_FP32', [-1, 3, 224, 224]]]);
  assert.deepEqual(sig.outputs.map((o) => o.name), ['logits']);
  for (let cut = 1; cut < ONNX.length; cut += 7) {
    try {
      readOnnxSignature(ONNX.subarray(0, cut));
    } catch (e) {
      assert.ok(e instanceof Error && /ONNX/.test(e.message), String(e));
    }
  }
  assert.throws(() => readOnnxSignature(new Uint8Array(0)), /no graph/);
  assert.throws(() => readOnnxSignature(Buffer.from('not protobuf at all')), /not a readable ONNX model/);
});

test('name, versions and model files are checked only when a file system is given', async () => {
  const text = 'name: "other"\nbackend: "python"\nversion_policy { specific { versions: [ 1, 2 ] } }\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n';
  const file = model('repo', 'pyfolder', text, { '1/model.py': 'pass\n' });
  assert.deepEqual((await validate(text)).map((d) => d.code), []);
  const ds = await validate(text, { filePath: file, fs: nodeConfigFs });
  assert.deepEqual(ds.map((d) => d.code), ['name-mismatch', 'missing-version']);
  assert.equal(applyFix(text, ds[0]).split('\n')[0], 'name: "pyfolder"');
  const labelled = text.replace('"Y" data_type: TYPE_FP32 dims: [ 1 ]', '"Y" data_type: TYPE_FP32 dims: [ 1 ] label_filename: "labels.txt"');
  const nowhere = await validate(labelled, { filePath: join(root, 'repo', 'not-created', 'config.pbtxt'), fs: nodeConfigFs });
  assert.deepEqual(nowhere.map((d) => d.code), ['name-mismatch'], 'an unreadable folder adds no repository findings');
});

test('a config under <model>/configs/ is checked against its model folder', async () => {
  const text = 'name: "alt"\nbackend: "python"\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n';
  model('configs', 'alt', text, { '1/model.py': '', 'configs/gpu.pbtxt': text.replace('"alt"', '"gpu"') });
  const file = join(root, 'configs', 'alt', 'configs', 'gpu.pbtxt');
  const ds = await validate(text.replace('"alt"', '"gpu"'), { filePath: file, fs: nodeConfigFs });
  assert.deepEqual(ds.map((d) => [d.code, d.message]), [['name-mismatch', 'Model name "gpu" differs from its folder "alt"; Triton requires them to be equal. Rename one of them.']]);
  assert.deepEqual(await validate(text, { filePath: file, fs: nodeConfigFs }), []);
});

test('a caller-supplied file system (as the editor passes) is used for every read', async () => {
  const seen: string[] = [];
  const files = new Map<string, string>([['/w/repo/ens/config.pbtxt', ''], ['/w/repo/step/config.pbtxt', 'backend: "python"\ninput [ { name: "A" data_type: TYPE_INT32 dims: [ 1 ] } ]\noutput [ { name: "B" data_type: TYPE_INT32 dims: [ 1 ] } ]']]);
  const dirs = new Map([['/w/repo/ens', [{ name: '1', isDirectory: true }]], ['/w/repo/step', [{ name: '1', isDirectory: true }]]]);
  const fs: ConfigFs = {
    readDir: async (p) => { seen.push(`dir ${p}`); return dirs.get(p); },
    exists: async (p) => { seen.push(`exists ${p}`); return files.has(p) || dirs.has(p); },
    readFile: async (p) => { seen.push(`read ${p}`); const t = files.get(p); return t === undefined ? undefined : Buffer.from(t); },
  };
  const text = 'platform: "ensemble"\ninput [ { name: "IN" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "OUT" data_type: TYPE_INT32 dims: [ 1 ] } ]\nensemble_scheduling { step [ { model_name: "step" input_map { key: "A" value: "IN" } output_map { key: "B" value: "OUT" } } ] }';
  const ds = await validate(text, { filePath: '/w/repo/ens/config.pbtxt', fs });
  assert.deepEqual(ds.filter((d) => d.severity === 'error').map((d) => d.code), ['ensemble-datatype']);
  assert.ok(seen.includes('read /w/repo/step/config.pbtxt'));
});

test('the lint-config CLI prints path:line:column: severity: message and exits 1 on errors, 0 when clean', () => {
  const bad = model('cli', 'bad', 'name: "bad"\nbackend: "python"\nmax_batch_size: -1\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n', { '1/model.py': '' });
  const run = (args: string[]): { status: number | null; stdout: string } => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../../src/pbtxt/cli.ts'), ...args], { cwd: join(__dirname, '../../..'), encoding: 'utf8', timeout: 30_000, env: { ...process.env, INIT_CWD: root } });
    return { status: r.status, stdout: r.stdout };
  };
  const failing = run(['cli']);
  assert.equal(failing.status, 1);
  assert.equal(failing.stdout, `${join('cli', 'bad', 'config.pbtxt')}:3:17: error: max_batch_size must be 0 (no batching) or a positive number, got -1.\n`);
  writeFileSync(bad, 'backend: "python"\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n');
  assert.equal(run(['cli/bad/config.pbtxt']).status, 0);
  assert.match(run(['--hints', 'cli/bad']).stdout, /hint: Triton sets name to "bad"/);
  assert.equal(run(['missing-folder']).status, 2);
});

test('an ensemble step with model_namespace: "" (as Triton prints it) is accepted; a non-empty namespace is an error', async () => {
  const step = (ns: string): string => `platform: "ensemble"\ninput [ { name: "IN" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "OUT" data_type: TYPE_FP32 dims: [ 1 ] } ]\nensemble_scheduling { step [ { model_name: "m" model_version: -1 input_map { key: "X" value: "IN" } output_map { key: "Y" value: "OUT" } model_namespace: ${ns} } ] }\n`;
  assert.deepEqual((await validate(step('""'))).map((d) => d.code), []);
  assert.deepEqual((await validate(step('"team"'))).map((d) => `${d.severity} ${d.code}`), ['error model-namespace']);
});
