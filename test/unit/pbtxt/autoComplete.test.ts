// Configs tritonserver accepts because it completes them from the model: notes instead of errors,
// errors again for a server run with --disable-auto-complete-config. Real model folders on disk.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Diagnostic } from '../../../src/pbtxt/ast';
import { nodeConfigFs } from '../../../src/pbtxt/configFs';
import { parse } from '../../../src/pbtxt/parser';
import { quickFixesFor } from '../../../src/pbtxt/quickFixes';
import { validate } from '../../../src/pbtxt/validate';
import { onnxModelBytes } from './onnxBytes';

const root = mkdtempSync(join(tmpdir(), 'pbtxt-autocomplete-'));
after(() => rmSync(root, { recursive: true, force: true }));

function model(name: string, config: string, files: Record<string, string | Uint8Array> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.pbtxt'), config);
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), body);
  }
  return join(dir, 'config.pbtxt');
}

const codes = (ds: Diagnostic[], severity: Diagnostic['severity']): string[] => ds.filter((d) => d.severity === severity).map((d) => d.code);

async function check(name: string, config: string, files: Record<string, string | Uint8Array>, autoCompleteConfig?: boolean): Promise<Diagnostic[]> {
  const file = model(name, config, files);
  return validate(config, { filePath: file, fs: nodeConfigFs, ...(autoCompleteConfig !== undefined ? { autoCompleteConfig } : {}) });
}

const CLASSIFIER = onnxModelBytes({
  inputs: [{ name: 'pixels', elemType: 1, dims: ['batch', 3, 8, 8] }],
  outputs: [{ name: 'scores', elemType: 1, dims: ['batch', 10] }],
});

describe('auto-completed inputs and outputs', () => {
  test('ONNX Runtime: no data_type or dims is a note naming what the backend reads from model.onnx; an error without auto-complete', async () => {
    const text = 'name: "clf"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 4\ninput [ { name: "pixels" } ]\noutput [ { name: "scores" data_type: TYPE_FP32 } ]\n';
    const on = await check('clf', text, { '1/model.onnx': CLASSIFIER });
    assert.deepEqual(codes(on, 'error'), []);
    assert.deepEqual(codes(on, 'warning'), []);
    assert.deepEqual(codes(on, 'info'), ['autofill-data-type', 'autofill-dims', 'autofill-dims']);
    const notes = on.filter((d) => d.severity === 'info');
    assert.match(notes[0].message, /^Input "pixels" has no data_type: the ONNX Runtime backend fills it in \(TYPE_FP32\) from the model file/);
    assert.match(notes[1].message, /^Input "pixels" has no dims: .* \(model shape \[ -1, 3, 8, 8 \]\)/);
    const off = await check('clf', text, { '1/model.onnx': CLASSIFIER }, false);
    assert.deepEqual(codes(off, 'error'), ['missing-data-type', 'missing-dims', 'missing-dims']);
    assert.deepEqual(codes(off, 'info'), []);
  });

  test('neither platform nor backend: model.plan makes it tensorrt_plan, so profiles, shape tensors and missing types are fine', async () => {
    const text = [
      'name: "engine"', 'max_batch_size: 8',
      'input [ { name: "x" }, { name: "shape" data_type: TYPE_INT32 dims: [ 2 ] is_shape_tensor: true } ]',
      'output [ { name: "y" } ]', 'instance_group [ { kind: KIND_GPU profile: [ "0" ] } ]', '',
    ].join('\n');
    const on = await check('engine', text, { '1/model.plan': 'engine bytes' });
    assert.deepEqual(codes(on, 'error'), [], on.map((d) => d.message).join('\n'));
    assert.ok(on.some((d) => d.code === 'autofill-backend' && /backend "tensorrt" and platform "tensorrt_plan" because version 1 holds model\.plan/.test(d.message)));
    assert.ok(on.some((d) => d.code === 'autofill-data-type' && /the TensorRT backend/.test(d.message)));
    // The platform comes from the file name either way; only the inputs and outputs need auto-complete.
    const off = await check('engine', text, { '1/model.plan': 'engine bytes' }, false);
    assert.deepEqual(codes(off, 'error'), ['missing-data-type', 'missing-dims', 'missing-data-type', 'missing-dims']);
    // Without the model file nothing says it is TensorRT: the profile is an error again.
    const bare = await check('engine_py', text.replace('name: "engine"', 'name: "engine_py"\nbackend: "python"'), { '1/model.py': 'class TritonPythonModel:\n    pass\n' });
    assert.ok(bare.some((d) => d.code === 'instance-profile' && d.severity === 'error'));
  });

  test('neither platform nor backend: model.onnx and model.savedmodel fill in from the model; a GraphDef has no signature to read', async () => {
    for (const [name, file, filler] of [['o', 'model.onnx', 'ONNX Runtime'], ['s', 'model.savedmodel/saved_model.pb', 'TensorFlow']] as const) {
      const text = `name: "${name}"\ninput [ { name: "a" } ]\noutput [ { name: "b" } ]\n`;
      const ds = await check(name, text, { [`1/${file}`]: file === 'model.onnx' ? CLASSIFIER : 'x' });
      assert.ok(ds.some((d) => d.code === 'autofill-data-type' && d.message.includes(`the ${filler} backend`)), `${file}: ${ds.map((d) => d.message).join('\n')}`);
      assert.ok(!ds.some((d) => d.code === 'missing-data-type' || d.code === 'missing-dims'), file);
    }
    const graphdef = await check('g', 'name: "g"\ninput [ { name: "a" } ]\noutput [ { name: "b" data_type: TYPE_FP32 dims: [ 1 ] } ]\n', { '1/model.graphdef': 'x' });
    assert.ok(graphdef.some((d) => d.code === 'autofill-backend' && /platform "tensorflow_graphdef"/.test(d.message)));
    assert.deepEqual(codes(graphdef, 'error'), ['missing-data-type', 'missing-dims']);
  });

  test('Python fills in only when model.py defines auto_complete_config; PyTorch and custom backends never do', async () => {
    const text = (name: string, backend: string): string => `name: "${name}"\nbackend: "${backend}"\ninput [ { name: "a" } ]\noutput [ { name: "b" data_type: TYPE_FP32 dims: [ 1 ] } ]\n`;
    const auto = await check('pyauto', text('pyauto', 'python'), {
      '1/model.py': 'class TritonPythonModel:\n    @staticmethod\n    def auto_complete_config(auto_complete_model_config):\n        return auto_complete_model_config\n',
    });
    assert.deepEqual(codes(auto, 'error'), []);
    assert.ok(auto.some((d) => d.code === 'autofill-data-type' && /auto_complete_config/.test(d.message)));
    const plain = await check('pyplain', text('pyplain', 'python'), { '1/model.py': 'class TritonPythonModel:\n    def execute(self, requests):\n        return []\n' });
    assert.deepEqual(codes(plain, 'error'), ['missing-data-type', 'missing-dims']);
    const torch = await check('torch', text('torch', 'pytorch').replace('backend: "pytorch"', 'platform: "pytorch_libtorch"'), { '1/model.pt': 'x' });
    assert.deepEqual(codes(torch, 'error'), ['missing-data-type', 'missing-dims']);
  });
});

describe('ONNX inputs the config provides otherwise', () => {
  const SEQUENCE = onnxModelBytes({
    inputs: [
      { name: 'INPUT', elemType: 6, dims: ['batch', 1] }, { name: 'START', elemType: 6, dims: ['batch', 1] },
      { name: 'READY', elemType: 6, dims: ['batch', 1] }, { name: 'CORRID', elemType: 13, dims: ['batch', 1] },
      { name: 'state_in', elemType: 1, dims: ['batch', 4] },
    ],
    outputs: [{ name: 'OUTPUT', elemType: 6, dims: ['batch', 1] }, { name: 'state_out', elemType: 1, dims: ['batch', 4] }],
    initializers: ['bias'],
  });
  const config = (extraInput: string): string => [
    'name: "seq"', 'platform: "onnxruntime_onnx"', 'max_batch_size: 8', 'sequence_batching {', '  control_input [',
    '    { name: "START" control [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ] },',
    '    { name: "READY" control [ { kind: CONTROL_SEQUENCE_READY int32_false_true: [ 0, 1 ] } ] },',
    '    { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] }', '  ]',
    '  state [ { input_name: "state_in" output_name: "state_out" data_type: TYPE_FP32 dims: [ 4 ] } ]', '}',
    `input [ { name: "INPUT" data_type: TYPE_INT32 dims: [ 1 ] }${extraInput} ]`,
    'output [ { name: "OUTPUT" data_type: TYPE_INT32 dims: [ 1 ] } ]', '',
  ].join('\n');

  test('control inputs and implicit state count as provided; an initializer input may be listed or left out', async () => {
    assert.deepEqual(codes(await check('seq', config(''), { '1/model.onnx': SEQUENCE }), 'error'), []);
    const listed = await check('seq', config(', { name: "bias" data_type: TYPE_FP32 dims: [ 1 ] }'), { '1/model.onnx': SEQUENCE });
    assert.deepEqual(codes(listed, 'error'), []);
  });

  test('without the controls the same inputs are missing', async () => {
    const text = config('').replace(/sequence_batching \{[\s\S]*?\n\}\n/, '');
    const ds = await check('seq', text, { '1/model.onnx': SEQUENCE });
    assert.deepEqual(ds.filter((d) => d.code === 'onnx-missing-input').map((d) => d.data?.name), ['START', 'READY', 'CORRID', 'state_in']);
  });
});

describe('enum and batch-dimension mistakes', () => {
  test('TYPE_FLOAT33 gets the nearest valid type with a quick fix, never TYPE_INVALID', async () => {
    const text = 'name: "m"\nbackend: "python"\ninput [ { name: "x" data_type: TYPE_FLOAT33 dims: [ 1 ] } ]\noutput [ { name: "y" data_type: TYPE_BLOB dims: [ 1 ] } ]\n';
    const ds = await validate(text);
    const [first, second] = ds.filter((d) => d.code === 'unknown-enum-value');
    assert.equal(first.message, 'Unknown enumeration value of "TYPE_FLOAT33" for field "data_type". Did you mean TYPE_FP32?');
    assert.deepEqual(first.fix?.edits.map((e) => e.newText), ['TYPE_FP32']);
    assert.ok(second.fix !== undefined, 'even a far-off name gets the nearest valid type');
    for (const d of ds) assert.ok(!d.message.includes('TYPE_INVALID'), d.message);
    const fixes = quickFixesFor(parse(text), first);
    assert.deepEqual(fixes.map((f) => f.title), ['Change to TYPE_FP32']);
  });

  test('dims [ -1, 16 ] on a batching model warns that the batch dimension is implicit, with a fix that removes it', async () => {
    const text = 'name: "m"\nbackend: "python"\nmax_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ -1, 16 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ -1, 16 ] } ]\n';
    const ds = (await validate(text)).filter((d) => d.code === 'batch-dim-twice');
    assert.equal(ds.length, 2);
    assert.equal(ds[0].severity, 'warning');
    assert.match(ds[0].message, /^With max_batch_size 8 the batch dimension is implicit: Triton prepends it to dims, so input "INPUT0" has shape \[ -1, -1, 16 \] in requests/);
    const fixed = ds.reduceRight((t, d) => t.slice(0, d.fix!.edits[0].range.start.offset) + d.fix!.edits[0].newText + t.slice(d.fix!.edits[0].range.end.offset), text);
    assert.match(fixed, /input \[ \{ name: "INPUT0" data_type: TYPE_INT32 dims: \[ 16 \] \} \]/);
    assert.deepEqual((await validate(fixed)).filter((d) => d.severity === 'error' || d.severity === 'warning'), []);
    // Not without batching, and not where a rank-1 [ -1 ] shows -1 is the model's own variable dimension.
    assert.deepEqual((await validate(text.replace('max_batch_size: 8', 'max_batch_size: 0'))).filter((d) => d.code === 'batch-dim-twice'), []);
    const seq = text.replace('dims: [ -1, 16 ] } ]\noutput', 'dims: [ -1 ] } ]\noutput');
    assert.deepEqual((await validate(seq)).filter((d) => d.code === 'batch-dim-twice'), []);
  });

  test('no batch-dimension warning where the ONNX model shows the leading -1 is a dimension of its own', async () => {
    const tokens = onnxModelBytes({ inputs: [{ name: 'INPUT0', elemType: 6, dims: ['batch', 'seq', 16] }], outputs: [{ name: 'OUTPUT0', elemType: 6, dims: ['batch', 'seq', 16] }] });
    const text = 'name: "tok"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\ninput [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ -1, 16 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ -1, 16 ] } ]\n';
    assert.deepEqual((await check('tok', text, { '1/model.onnx': tokens })).filter((d) => d.severity !== 'hint').map((d) => d.message), []);
    assert.equal((await validate(text)).filter((d) => d.code === 'batch-dim-twice').length, 2, 'without the model file the text alone is suspicious');
  });
});

describe('lint-config --disable-auto-complete-config', () => {
  test('turns the notes into errors and a failing exit status', () => {
    const text = 'name: "cli"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 4\ninput [ { name: "pixels" } ]\noutput [ { name: "scores" data_type: TYPE_FP32 dims: [ 10 ] } ]\n';
    const file = model('cli', text, { '1/model.onnx': CLASSIFIER });
    const cli = join(__dirname, '../../../src/pbtxt/cli.ts');
    const run = (...args: string[]): { status: number | null; out: string } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args, file], { encoding: 'utf8', env: { ...process.env, INIT_CWD: root } });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };
    const on = run();
    assert.equal(on.status, 0, on.out);
    assert.match(on.out, /cli\/config\.pbtxt:4:\d+: info: Input "pixels" has no data_type: the ONNX Runtime backend fills it in \(TYPE_FP32\)/);
    const off = run('--disable-auto-complete-config');
    assert.equal(off.status, 1, off.out);
    assert.match(off.out, /cli\/config\.pbtxt:4:\d+: error: Input "pixels" must specify data_type/);
  });
});
