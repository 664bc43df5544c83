import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCurlCommand, buildInferRequest, secretEnvNames, shellQuote } from '../../../src/services/curlRequest';
import { statisticsMarkdown, formatNs } from '../../../src/services/statisticsReport';
import { ConfigOverrideError, pbtxtToConfigJson } from '../../../src/services/configOverride';
import type { ModelMetadata, ModelStatistics } from '../../../src/triton/types';
import { TritonError } from '../../../src/triton/errors';

const meta: ModelMetadata = {
  name: 'simple', versions: ['1'], platform: 'onnxruntime_onnx',
  inputs: [
    { name: 'INPUT0', datatype: 'INT32', shape: [-1, 4] },
    { name: 'FLAG', datatype: 'BOOL', shape: [1] },
    { name: 'TEXT', datatype: 'BYTES', shape: [-1] },
  ],
  outputs: [{ name: 'OUTPUT0', datatype: 'INT32', shape: [-1, 4] }],
};

test('the infer request has placeholder data of the right size and type per input', () => {
  const body = buildInferRequest(meta, 2);
  assert.deepEqual(body.inputs.map((i) => [i.name, i.shape, i.data!.length, i.data![0]]), [
    ['INPUT0', [2, 4], 8, 0],
    ['FLAG', [1], 1, false],
    ['TEXT', [2], 2, ''],
  ]);
  assert.deepEqual(body.outputs, [{ name: 'OUTPUT0' }]);
});

test('a huge fixed shape travels as zero bytes after the JSON rather than as a giant command', () => {
  const image = buildInferRequest({ ...meta, inputs: [{ name: 'IMG', datatype: 'FP32', shape: [3, 224, 224] }, { name: 'T', datatype: 'BYTES', shape: [5000] }, { name: 'S', datatype: 'INT8', shape: [4096] }] });
  assert.deepEqual(image.inputs.map((i) => [i.name, i.data?.length, i.parameters]), [
    ['IMG', undefined, { binary_data_size: 3 * 224 * 224 * 4 }],
    ['T', undefined, { binary_data_size: 5000 * 4 }],
    ['S', 4096, undefined],
  ]);
  const cmd = buildCurlCommand({ ...meta, inputs: [{ name: 'IMG', datatype: 'FP32', shape: [3, 224, 224] }] }, { httpUrl: 'http://h:1' });
  assert.ok(cmd.length < 1000, `${cmd.length} characters`);
  assert.throws(() => buildInferRequest({ ...meta, inputs: [{ name: 'X', datatype: 'FLOAT', shape: [5000] }] }), /input 'X' has datatype 'FLOAT'/);
});

test('the curl command is valid shell that yields the JSON body unchanged', () => {
  const cmd = buildCurlCommand({ ...meta, name: "it's" }, { httpUrl: 'http://localhost:8000/', version: '1', headers: { 'x-team': "o'neil" }, secretHeaderNames: ['Authorization'] });
  assert.match(cmd, /^curl -sS -X POST 'http:\/\/localhost:8000\/v2\/models\/it'\\''s\/versions\/1\/infer'/);
  assert.match(cmd, /-H 'Authorization: '"\$AUTHORIZATION"/);
  // Run the command through a real shell with `curl` replaced by a function that prints its arguments.
  const script = `curl() { for a in "$@"; do printf '%s\\n' "$a"; done; }\nAUTHORIZATION=secret-value\n${cmd}`;
  const args = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).trimEnd().split('\n');
  assert.equal(args[3], "http://localhost:8000/v2/models/it's/versions/1/infer");
  assert.ok(args.includes("x-team: o'neil"));
  assert.ok(args.includes('Authorization: secret-value'), 'the secret comes from the environment');
  const body = JSON.parse(args.at(-1)!) as { inputs: { name: string }[] };
  assert.deepEqual(body.inputs.map((i) => i.name), ['INPUT0', 'FLAG', 'TEXT']);
  assert.equal(shellQuote("a'b"), `'a'\\''b'`);
});

test('secret header names are quoted: a backtick or $() in a name runs nothing, and env names stay distinct', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-curl-'));
  try {
    const marker = join(dir, 'ran');
    const names = [`x\`touch ${marker}\``, `y$(touch ${marker})`, 'x-key', 'x_key'];
    const cmd = buildCurlCommand(meta, { httpUrl: 'http://h:1', secretHeaderNames: names });
    const env = secretEnvNames(names);
    assert.equal(new Set(env.values()).size, 4, [...env.values()].join());
    const script = `curl() { for a in "$@"; do printf '%s\\n' "$a"; done; }\n${[...env.values()].map((v, i) => `${v}=v${i}`).join('\n')}\n${cmd}`;
    const args = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.ok(!existsSync(marker), 'nothing in a header name was executed');
    names.forEach((n, i) => assert.ok(args.includes(`${n}: v${i}`), `${n} → ${args.join(' | ')}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FP16/BF16 tensors travel as binary: JSON header with binary_data_size, zero bytes after it, binary outputs', () => {
  const half = { name: 'h', versions: ['1'], platform: 'x', inputs: [{ name: 'A', datatype: 'FP16', shape: [-1, 3] }, { name: 'B', datatype: 'INT32', shape: [2] }, { name: 'C', datatype: 'BF16', shape: [2] }], outputs: [{ name: 'Y', datatype: 'FP16', shape: [3] }, { name: 'Z', datatype: 'FP32', shape: [3] }] };
  const req = buildInferRequest(half);
  assert.deepEqual(req.inputs.map((i) => [i.name, i.data, i.parameters]), [['A', undefined, { binary_data_size: 6 }], ['B', [0, 0], undefined], ['C', undefined, { binary_data_size: 4 }]]);
  assert.deepEqual(req.outputs, [{ name: 'Y', parameters: { binary_data: true } }, { name: 'Z' }]);
  const cmd = buildCurlCommand(half, { httpUrl: 'http://h:1' });
  // Capture what curl would read from stdin.
  const script = `curl() { cat; }\n${cmd}`;
  const body = execFileSync('/bin/sh', ['-c', script]);
  const headerLength = Number(/Inference-Header-Content-Length: (\d+)/.exec(cmd)![1]);
  assert.deepEqual(JSON.parse(body.subarray(0, headerLength).toString('utf8')), req);
  assert.deepEqual([...body.subarray(headerLength)], new Array(10).fill(0));
  assert.match(cmd, /--output -/);
});

const stats: ModelStatistics = {
  name: 'simple', version: '1', last_inference: 1716235405829, inference_count: 7, execution_count: 4,
  inference_stats: {
    success: { count: 4, ns: 4_000_000 }, fail: { count: 1, ns: 10 }, queue: { count: 4, ns: 200_000 },
    compute_input: { count: 4, ns: 4_000 }, compute_infer: { count: 4, ns: 8_000_000_000n }, compute_output: { count: 0, ns: 0 },
    cache_hit: { count: 0, ns: 0 }, cache_miss: { count: 0, ns: 0 },
  },
  response_stats: {},
  batch_stats: [
    { batch_size: 2, compute_input: { count: 3, ns: 300 }, compute_infer: { count: 3, ns: 3_000_000 }, compute_output: { count: 3, ns: 30 } },
    { batch_size: 1, compute_input: { count: 1, ns: 100 }, compute_infer: { count: 1, ns: 1_000 }, compute_output: { count: 1, ns: 10 } },
  ],
  memory_usage: [],
};

test('statistics read as counts and averages, per batch size in order', () => {
  const text = statisticsMarkdown('simple', 'local', [stats], new Date(0));
  assert.match(text, /\| Inferences \(batch elements\) \| 7 \|/);
  assert.match(text, /\| Executions \| 4 \|/);
  assert.match(text, /\| Average queue time \| 50\.0 µs \|/);
  assert.match(text, /\| Average compute infer \| 2\.00 s \|/);
  assert.match(text, /\| Average compute output \| — \|/);
  assert.match(text, /\| 1 \| 1 \| 100 ns \| 1\.0 µs \| 10 ns \|\n\| 2 \| 3 \| 100 ns \| 1\.00 ms \| 10 ns \|/);
  assert.match(statisticsMarkdown('m', 's', []), /no loaded version/);
  assert.equal(formatNs(1_500_000), '1.50 ms');
});

test('config.pbtxt converts to protobuf JSON the load API accepts', () => {
  const json = pbtxtToConfigJson(`
    name: "simple"   # comment
    backend: "onnxruntime"
    max_batch_size: 8
    input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 16 ] } ]
    output { name: "OUTPUT0" data_type: TYPE_INT32 dims: [ -1, 16 ] }
    output { name: "OUTPUT1" data_type: TYPE_INT32 dims: 16 }
    instance_group [ { kind: KIND_CPU count: 2 } ]
    dynamic_batching { max_queue_delay_microseconds: 100 preserve_ordering: true }
    parameters { key: "k" value: { string_value: "v" } }
    version_policy: { specific { versions: [ 1, 3 ] } }
  `);
  assert.deepEqual(json, {
    name: 'simple', backend: 'onnxruntime', max_batch_size: 8,
    input: [{ name: 'INPUT0', data_type: 'TYPE_INT32', dims: [16] }],
    output: [{ name: 'OUTPUT0', data_type: 'TYPE_INT32', dims: [-1, 16] }, { name: 'OUTPUT1', data_type: 'TYPE_INT32', dims: [16] }],
    instance_group: [{ kind: 'KIND_CPU', count: 2 }],
    dynamic_batching: { max_queue_delay_microseconds: 100, preserve_ordering: true },
    parameters: { k: { string_value: 'v' } },
    version_policy: { specific: { versions: [1, 3] } },
  });
});

test('unknown fields and syntax errors say where', () => {
  assert.throws(() => pbtxtToConfigJson('name: "x"\n  bogus_field: 1'), (e: unknown) => e instanceof ConfigOverrideError && e.line === 2 && e.column === 3 && /bogus_field/.test(e.message));
  assert.throws(() => pbtxtToConfigJson('input [ { name: "a" data_type: TYPE_NOPE } ]'), /'TYPE_NOPE' is not a DataType value/);
  assert.throws(() => pbtxtToConfigJson('input [ { name: "a" '), ConfigOverrideError);
  assert.throws(() => pbtxtToConfigJson('max_batch_size: "8"'), /takes an integer/);
});

test('every model config in the repository converts, with names and tensors intact', () => {
  const roots = [join(__dirname, '../../server/models'), join(__dirname, '../../../demo/workspace/model_repository')].filter((d) => existsSync(d));
  let converted = 0;
  for (const root of roots) {
    for (const name of readdirSync(root)) {
      const file = join(root, name, 'config.pbtxt');
      if (!existsSync(file)) continue;
      const json = pbtxtToConfigJson(readFileSync(file, 'utf8'));
      assert.equal(json.name, name, file);
      assert.ok(Array.isArray(json.input) || json.platform === 'ensemble' || json.input === undefined, file);
      converted++;
    }
  }
  assert.ok(converted >= 10, `only ${converted} configs found`);
});

test('a malformed statistics answer is a protocol error naming the field, never a TypeError', () => {
  const cases: [unknown, RegExp][] = [
    [[{ name: 'm', version: 1 }], /model_stats\[0\]\.version is 1, not a string/],
    [[{ name: 'm', version: '1', batch_stats: 5 }], /model_stats\[0\]\.batch_stats is 5, not a list/],
    [[{ name: 'm', version: '1', inference_stats: { success: 'x' } }], /model_stats\[0\]\.inference_stats\.success is the string "x"/],
    [[{ name: 'm', version: '1', batch_stats: [{ batch_size: 1, compute_infer: { count: -1, ns: 0 } }] }], /batch_stats\[0\]\.compute_infer\.count is -1/],
    [[{ name: 'm', version: '1', memory_usage: {} }], /memory_usage is an object, not a list/],
    [[{ name: 'm', version: '1', response_stats: [] }], /response_stats is a list, not an object/],
    [[null], /model_stats\[0\] is null/],
    [{ not: 'a list' }, /model_stats is an object, not a list/],
  ];
  for (const [answer, why] of cases) {
    assert.throws(() => statisticsMarkdown('m', 's', answer as ModelStatistics[]), (e: unknown) => e instanceof TritonError && e.kind === 'protocol' && why.test(e.message), JSON.stringify(answer));
  }
});

test('a last-inference time no Date can hold is shown as the number, not thrown', () => {
  const text = statisticsMarkdown('m\nx', 's', [{ ...stats, last_inference: 1e17 }], new Date(0));
  assert.match(text, /\| Last inference \| 100000000000000000 \(not a valid time\) \|/);
  assert.match(text, /^# Statistics of m x on s$/m);
});
