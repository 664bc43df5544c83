// Exported requests run for real: the curl command with the real curl against the reference
// server (inline JSON, a binary body file for a 3×224×224 image input, a binary answer), and the
// Python script parsed by python3 with its .npy inputs loaded by numpy when it is installed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCurlExport } from '../../../src/inference/exports/curlExport';
import { buildPythonExport } from '../../../src/inference/exports/pythonExport';
import type { ExportFile, ResolvedTensor } from '../../../src/inference/exports/resolvedRequest';
import type { RequestDraft } from '../../../src/inference/requestDraft';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

let server: ReferenceServer;
let dir: string;

before(async () => {
  server = await startReferenceServer();
  dir = mkdtempSync(join(tmpdir(), 'exports-'));
});

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runIn(folder: string, script: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', script], { cwd: folder, encoding: 'buffer', timeout: 15_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr.toString()}\n${stdout.toString().slice(0, 2000)}`));
      else resolve(stdout);
    });
  });
}

function writeFiles(folder: string, files: readonly ExportFile[]): void {
  for (const f of files) writeFileSync(join(folder, f.name), f.bytes);
}

/** curl fails on a 4xx/5xx answer with the server's reason, and never waits long. */
function strict(command: string): string {
  return command.replace(/^curl -sS/m, 'curl -sS --fail-with-body --max-time 10');
}

function draft(model: string, binary: boolean, outputs: RequestDraft['outputs'] = []): RequestDraft {
  return { version: 1, model, protocol: 'http', binary, inputs: [], outputs, mode: { kind: 'single' } };
}

interface Answer { outputs: { name: string; datatype: string; shape: number[]; data?: unknown[]; parameters?: { binary_data_size?: number } }[] }

const a = Int32Array.from({ length: 16 }, (_, i) => i * 3 - 7);
const b = Int32Array.from({ length: 16 }, (_, i) => 100 - i * i);
const simpleInputs: ResolvedTensor[] = [
  { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: a },
  { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: b },
];

for (const binary of [false, true]) {
  test(`simple (${binary ? 'binary body file' : 'inline JSON'}): the exported curl command gets the sum and difference`, async () => {
    const folder = mkdtempSync(join(dir, 'simple-'));
    const exp = buildCurlExport(draft('simple', binary), simpleInputs, { httpUrl: server.httpUrl });
    assert.equal(exp.files.length, binary ? 1 : 0);
    if (binary) assert.match(exp.command, /--data-binary @request\.bin/);
    writeFiles(folder, exp.files);
    const answer = JSON.parse((await runIn(folder, strict(exp.command))).toString('utf8')) as Answer;
    const out0 = answer.outputs.find((o) => o.name === 'OUTPUT0')!;
    const out1 = answer.outputs.find((o) => o.name === 'OUTPUT1')!;
    assert.deepEqual(out0.data, [...a].map((x, i) => x + b[i]!));
    assert.deepEqual(out1.data, [...a].map((x, i) => x - b[i]!));
  });
}

test('color_classifier: a 3×224×224 FP32 image goes as a body file and comes back classified', async () => {
  const folder = mkdtempSync(join(dir, 'color-'));
  // A solid blue-ish image in 0..255 (no scaling): the reference model scores colours by the mean RGB.
  const plane = 224 * 224;
  const image = new Float32Array(3 * plane);
  image.fill(25, 0, plane);
  image.fill(55, plane, 2 * plane);
  image.fill(215, 2 * plane);
  const inputs: ResolvedTensor[] = [{ name: 'data_0', datatype: 'FP32', shape: [3, 224, 224], data: image }];
  for (const binary of [true, false]) {
    const exp = buildCurlExport(draft('color_classifier', binary, [{ name: 'fc6_1', classCount: 3 }]), inputs, { httpUrl: server.httpUrl, bodyFileName: `image-${binary}.bin` });
    assert.equal(exp.files.length, 1, 'too big to inline either way');
    assert.equal(exp.files[0]!.bytes.length, binary ? exp.json.length + image.byteLength : exp.json.length);
    if (binary) assert.match(exp.command, new RegExp(`Inference-Header-Content-Length: ${exp.json.length}`));
    writeFiles(folder, exp.files);
    const answer = JSON.parse((await runIn(folder, strict(exp.command))).toString('utf8')) as Answer;
    const out = answer.outputs[0]!;
    assert.equal(out.datatype, 'BYTES');
    assert.deepEqual(out.shape, [3]);
    assert.match(String(out.data![0]), /^[\d.]+:2:blue$/);
  }
});

test('identity_fp16: FP16 goes binary both ways; the answer file holds the same bits', async () => {
  const folder = mkdtempSync(join(dir, 'fp16-'));
  const bits = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]);
  const exp = buildCurlExport(draft('identity_fp16', false), [{ name: 'INPUT0', datatype: 'FP16', shape: [4], data: bits }], { httpUrl: server.httpUrl, binaryOutputs: true });
  writeFiles(folder, exp.files);
  await runIn(folder, strict(exp.command));
  const response = readFileSync(join(folder, 'response.bin'));
  const tail = response.subarray(response.length - 8);
  assert.deepEqual([...new Uint16Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + 8))], [...bits]);
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

test('the Python scripts parse; a big input is written as .npy that numpy loads with the same values', async () => {
  const folder = mkdtempSync(join(dir, 'python-'));
  const big = Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => i / 7);
  for (const protocol of ['http', 'grpc'] as const) {
    const exp = buildPythonExport(
      { ...draft('color_classifier', true, [{ name: 'fc6_1', classCount: 3 }]), sequence: { id: 'seq-1', start: true, end: false }, parameters: { note: 'a "quoted" value' } },
      [{ name: 'data_0', datatype: 'FP32', shape: [3, 8, 8], data: big }, ...simpleInputs],
      { url: server.httpUrl, protocol },
    );
    const path = join(folder, `request_${protocol}.py`);
    writeFileSync(path, exp.script);
    writeFiles(folder, exp.files);
    const parsed = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', path], { encoding: 'utf8' });
    assert.equal(parsed.status, 0, parsed.stderr);
    assert.deepEqual(exp.files.map((f) => f.name), ['color_classifier.data_0.npy']);
    assert.match(exp.script, new RegExp(`import tritonclient\\.${protocol} as triton`));
    assert.match(exp.script, /sequence_id="seq-1", sequence_start=True, sequence_end=False/);
  }
  if (hasNumpy) {
    const check = spawnSync('python3', ['-c', [
      'import numpy as np, sys',
      'a = np.load(sys.argv[1])',
      'expected = (np.arange(192, dtype=np.float64) / 7).astype(np.float32).reshape(3, 8, 8)',
      'assert a.dtype == np.float32 and a.shape == (3, 8, 8), (a.dtype, a.shape)',
      'assert np.array_equal(a, expected)',
    ].join('\n'), join(folder, 'color_classifier.data_0.npy')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  }
});

/**
 * A stand-in `tritonclient` module that prints what the script hands to infer() instead of sending
 * it; its signatures follow the real module's (gRPC takes no binary_data), so a wrong argument fails.
 */
const recorder = (protocol: 'http' | 'grpc'): string => `
import json
class InferInput:
    def __init__(self, name, shape, datatype):
        self.name, self.shape, self.datatype = name, shape, datatype
    def set_data_from_numpy(self, value${protocol === 'http' ? ', binary_data=True' : ''}):
        self.value = value
class InferRequestedOutput:
    def __init__(self, name${protocol === 'http' ? ', binary_data=True' : ''}, class_count=0):
        self.name, self.class_count = name, class_count
class InferenceServerClient:
    def __init__(self, url, ssl=False):
        self.url = url
    def infer(self, model, inputs, outputs=None, **kw):
        def values(v):
            return [x.decode('latin1') if isinstance(x, bytes) else repr(x) for x in v.flatten().tolist()]
        print(json.dumps({'url': self.url, 'model': model, 'kw': kw,
            'outputs': None if outputs is None else [[o.name, o.class_count] for o in outputs],
            'inputs': [{'name': i.name, 'shape': i.shape, 'datatype': i.datatype, 'dtype': str(i.value.dtype),
                        'array_shape': list(i.value.shape), 'values': values(i.value)} for i in inputs]}))
        raise SystemExit(0)
    def start_stream(self, callback):
        self.callback = callback
    def async_stream_infer(self, model_name, inputs, model_version="", outputs=None, request_id="", sequence_id=0, sequence_start=False, sequence_end=False, enable_empty_final_response=False, priority=0, timeout=None, parameters=None):
        print(json.dumps({'stream': model_name, 'final_flag': enable_empty_final_response, 'inputs': [i.value.flatten().tolist() for i in inputs]}))
        raise SystemExit(0)
`;

for (const protocol of ['http', 'grpc'] as const) {
test(`the Python script (${protocol}) hands tritonclient numpy arrays with the exact values, dtypes and shapes`, { skip: hasNumpy ? false : 'python3-numpy is not installed' }, () => {
  const folder = mkdtempSync(join(dir, `python-run-${protocol}-`));
  const pkg = join(folder, 'tritonclient');
  spawnSync('mkdir', ['-p', pkg]);
  writeFileSync(join(pkg, '__init__.py'), '');
  writeFileSync(join(pkg, `${protocol}.py`), recorder(protocol));
  const inputs: ResolvedTensor[] = [
    { name: 'I64', datatype: 'INT64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n]) },
    { name: 'F32', datatype: 'FP32', shape: [1, 3], data: Float32Array.from([0.1, -1e-30, NaN]) },
    { name: 'H', datatype: 'FP16', shape: [2], data: Uint16Array.from([0x3555, 0xfc00]) },
    { name: 'B', datatype: 'BOOL', shape: [2], data: [true, false] },
    { name: 'S', datatype: 'BYTES', shape: [2], data: ['it\'s "ok"\n', Uint8Array.from([0, 0xff, 0x5c])] },
    { name: 'BIG', datatype: 'UINT8', shape: [10, 10], data: Uint8Array.from({ length: 100 }, (_, i) => (i * 7) % 256) },
  ];
  const exp = buildPythonExport({ ...draft('m "x"', false, [{ name: 'out', classCount: 2 }]), modelVersion: '3', priority: 2, timeoutUs: 5000 }, inputs, { url: 'http://127.0.0.1:8000/', protocol });
  writeFileSync(join(folder, 'request.py'), exp.script);
  writeFiles(folder, exp.files);
  const r = spawnSync('python3', [join(folder, 'request.py')], { encoding: 'utf8', cwd: folder, env: { ...process.env, PYTHONPATH: folder } });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { url: string; model: string; kw: Record<string, unknown>; outputs: unknown; inputs: { name: string; shape: number[]; datatype: string; dtype: string; array_shape: number[]; values: string[] }[] };
  assert.equal(seen.url, '127.0.0.1:8000');
  assert.equal(seen.model, 'm "x"');
  assert.deepEqual(seen.kw, { model_version: '3', priority: 2, timeout: 5000 });
  assert.deepEqual(seen.outputs, [['out', 2]]);
  const by = new Map(seen.inputs.map((i) => [i.name, i]));
  assert.deepEqual(by.get('I64')!.values, ['-9223372036854775808', '9007199254740993']);
  assert.equal(by.get('I64')!.dtype, 'int64');
  // Python's repr of each float32 widened to a double equals JavaScript's shortest text of the same double.
  assert.deepEqual(by.get('F32')!.values, [String(Math.fround(0.1)), String(Math.fround(-1e-30)), 'nan']);
  assert.deepEqual(by.get('F32')!.array_shape, [1, 3]);
  assert.equal(by.get('H')!.dtype, 'float16');
  assert.deepEqual(by.get('H')!.values, ['0.333251953125', '-inf']);
  assert.deepEqual(by.get('B')!.values, ['True', 'False']);
  assert.deepEqual(by.get('S')!.values, ['it\'s "ok"\n', '\u0000\u00ff\\']);
  assert.equal(by.get('BIG')!.dtype, 'uint8');
  assert.deepEqual(by.get('BIG')!.values, Array.from({ length: 100 }, (_, i) => String((i * 7) % 256)));
  assert.deepEqual(exp.files.map((f) => f.name), ['m_x_.BIG.npy']);
  assert.match(exp.script, protocol === 'grpc' ? /set_data_from_numpy\(value\)\n/ : /set_data_from_numpy\(value, binary_data=False\)/);
});
}

test('a stream request exports as a gRPC streaming script that reads responses until the final one', { skip: hasNumpy ? false : 'python3-numpy is not installed' }, () => {
  const folder = mkdtempSync(join(dir, 'python-stream-'));
  const pkg = join(folder, 'tritonclient');
  spawnSync('mkdir', ['-p', pkg]);
  writeFileSync(join(pkg, '__init__.py'), '');
  writeFileSync(join(pkg, 'grpc.py'), recorder('grpc'));
  const exp = buildPythonExport({ ...draft('repeat_int32', false), protocol: 'grpc', mode: { kind: 'stream' } }, [{ name: 'IN', datatype: 'INT32', shape: [3], data: Int32Array.from([4, 5, 6]) }], { url: '127.0.0.1:8001', protocol: 'grpc' });
  assert.match(exp.script, /^import queue$/m);
  assert.match(exp.script, /triton_final_response/);
  writeFileSync(join(folder, 'stream.py'), exp.script);
  const r = spawnSync('python3', [join(folder, 'stream.py')], { encoding: 'utf8', cwd: folder, env: { ...process.env, PYTHONPATH: folder } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { stream: 'repeat_int32', final_flag: true, inputs: [[4, 5, 6]] });
});
