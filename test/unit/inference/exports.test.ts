import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCurlExport } from '../../../src/inference/exports/curlExport';
import { buildExportBundle } from '../../../src/inference/exports/exportBundle';
import { buildPerfAnalyzerExport, perfAnalyzerInputData } from '../../../src/inference/exports/perfAnalyzerExport';
import { pyBytes } from '../../../src/inference/exports/pythonExport';
import { fileNamePart, uniqueNames } from '../../../src/inference/exports/resolvedRequest';
import type { RequestDraft } from '../../../src/inference/requestDraft';

const base: RequestDraft = { version: 1, model: 'simple', protocol: 'http', binary: false, inputs: [], outputs: [], mode: { kind: 'single' } };

test('perf_analyzer data: one entry per batch item, shapes without the batch dimension, values exact', () => {
  const { json, batchSize } = perfAnalyzerInputData([
    { name: 'INPUT0', datatype: 'INT32', shape: [2, 3], data: Int32Array.from([1, 2, 3, 4, 5, 6]) },
    { name: 'T', datatype: 'BYTES', shape: [2, 1], data: ['a"b', Uint8Array.from([0x68, 0x69])] },
    { name: 'L', datatype: 'UINT64', shape: [2, 1], data: BigUint64Array.from([2n ** 64n - 1n, 0n]) },
  ], true);
  assert.equal(batchSize, 2);
  assert.deepEqual(JSON.parse(json.replace('18446744073709551615', '"18446744073709551615"')), {
    data: [
      { INPUT0: { content: [1, 2, 3], shape: [3] }, T: { content: ['a"b'], shape: [1] }, L: { content: ['18446744073709551615'], shape: [1] } },
      { INPUT0: { content: [4, 5, 6], shape: [3] }, T: { content: ['hi'], shape: [1] }, L: { content: [0], shape: [1] } },
    ],
  });
});

test('perf_analyzer data: FP16 as base64 of its little-endian bytes; FP32 with every digit; bad values named', () => {
  const { json } = perfAnalyzerInputData([
    { name: 'H', datatype: 'FP16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
    { name: 'F', datatype: 'FP32', shape: [2], data: Float32Array.from([0.1, 2]) },
  ], false);
  const parsed = JSON.parse(json) as { data: { H: { b64: string; shape: number[] }; F: { content: number[] } }[] };
  assert.deepEqual([...Buffer.from(parsed.data[0]!.H.b64, 'base64')], [0x00, 0x3c, 0x00, 0xc0]);
  assert.deepEqual(parsed.data[0]!.H.shape, [2]);
  assert.deepEqual(parsed.data[0]!.F.content, [Math.fround(0.1), 2]);
  assert.throws(() => perfAnalyzerInputData([{ name: 'F', datatype: 'FP32', shape: [1], data: Float32Array.from([NaN]) }], false), /input 'F' element 0 is NaN/);
  assert.throws(() => perfAnalyzerInputData([{ name: 'S', datatype: 'BYTES', shape: [1], data: [Uint8Array.from([0xff])] }], false), /input 'S' element 0 is not UTF-8/);
  assert.throws(() => perfAnalyzerInputData([
    { name: 'A', datatype: 'INT8', shape: [2, 1], data: Int8Array.from([1, 2]) },
    { name: 'B', datatype: 'INT8', shape: [3, 1], data: Int8Array.from([1, 2, 3]) },
  ], true), /disagree on the batch size/);
});

test('perf_analyzer command: model, version, url, protocol, batch and shapes, quoted for the shell', () => {
  const exp = buildPerfAnalyzerExport({ ...base, model: "it's", modelVersion: '2' }, [{ name: 'INPUT0', datatype: 'INT32', shape: [4, 16], data: new Int32Array(64) }], { url: 'http://localhost:8000', protocol: 'grpc', batched: true });
  assert.equal(exp.command, "perf_analyzer -m 'it'\\''s' -x '2' -u 'localhost:8000' -i grpc --input-data input-data.json -b 4 --shape 'INPUT0:16'");
  assert.equal(exp.files[0]!.name, 'input-data.json');
  assert.equal(new TextDecoder().decode(exp.files[0]!.bytes), exp.data);
  assert.throws(() => buildPerfAnalyzerExport(base, [], { url: 'x:1', protocol: 'http', batched: false, dataFileName: '../x.json' }), /plain file name/);
});

test('curl: options of the draft reach the body; secret headers stay environment references; file names are checked', () => {
  const draft: RequestDraft = { ...base, modelVersion: '3', requestId: 'r1', sequence: { id: 7, start: true, end: false }, priority: 2, timeoutUs: 100, parameters: { custom: 'v' }, outputs: [{ name: 'OUTPUT0', classCount: 2 }] };
  const exp = buildCurlExport(draft, [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 2], data: Int32Array.from([1, 2]) }], { httpUrl: 'http://h:8000/', headers: { 'X-Plain': 'a' }, secretHeaderNames: ['Authorization'] });
  const body = JSON.parse(exp.json) as Record<string, unknown>;
  assert.equal(body.id, 'r1');
  assert.deepEqual(body.parameters, { sequence_id: 7, sequence_start: true, sequence_end: false, priority: 2, timeout: 100, custom: 'v' });
  assert.deepEqual(body.outputs, [{ name: 'OUTPUT0', parameters: { classification: 2, binary_data: false } }]);
  assert.match(exp.command, /'http:\/\/h:8000\/v2\/models\/simple\/versions\/3\/infer'/);
  assert.match(exp.command, /-H 'X-Plain: a'/);
  assert.match(exp.command, /-H 'Authorization: '"\$AUTHORIZATION"/);
  assert.throws(() => buildCurlExport(base, [], { httpUrl: 'http://h', bodyFileName: '../../etc/x' }), /plain file name/);
  assert.throws(() => buildCurlExport(base, [{ name: 'X', datatype: 'INT32', shape: [3], data: Int32Array.from([1]) }], { httpUrl: 'http://h' }), /input 'X'/);
});

test('file name parts and Python bytes literals are safe', () => {
  assert.equal(fileNamePart('../a b/c'), '__a_b_c');
  assert.ok(!fileNamePart('..').startsWith('.'));
  assert.deepEqual(uniqueNames(['a', 'a', 'b', 'a']), ['a', 'a_2', 'b', 'a_3']);
  assert.equal(pyBytes(Uint8Array.from([0x61, 0x27, 0x5c, 0x0a, 0xff])), "b'a\\'\\\\\\x0a\\xff'");
});

test('export bundles: file names follow the picked file, scripts change to their folder first', () => {
  const inputs = [{ name: 'INPUT0', datatype: 'INT32' as const, shape: [1, 16], data: new Int32Array(16) }];
  const big = [{ name: 'data_0', datatype: 'FP32' as const, shape: [3, 224, 224], data: new Float32Array(3 * 224 * 224) }];
  const curl = buildExportBundle('curl', { ...base, binary: true }, inputs, { httpUrl: 'http://h:8000' }, 'add two.sh');
  assert.deepEqual([curl.main.name, ...curl.files.map((f) => f.name)], ['add two.sh', 'add_two.bin']);
  const sh = new TextDecoder().decode(curl.main.bytes);
  assert.match(sh, /^#!\/bin\/sh\n/);
  assert.match(sh, /cd "\$\(dirname "\$0"\)" \|\| exit 1\ncurl /);
  assert.match(sh, /--data-binary @add_two\.bin\n$/);
  const py = buildExportBundle('python', { ...base, model: 'color_classifier', protocol: 'grpc' }, big, { httpUrl: 'http://h:8000', grpcUrl: 'h:8001' }, 'classify.py');
  assert.deepEqual(py.files.map((f) => f.name), ['classify.data_0.npy']);
  assert.match(new TextDecoder().decode(py.main.bytes), /InferenceServerClient\(url="h:8001"\)/);
  const perf = buildExportBundle('perf_analyzer', base, inputs, { httpUrl: 'http://h:8000/', batched: true }, 'load data.json');
  assert.equal(perf.main.name, 'load_data.json');
  assert.equal(perf.files[0]!.name, 'load_data.sh');
  assert.match(new TextDecoder().decode(perf.files[0]!.bytes), /perf_analyzer -m 'simple' -u 'h:8000' -i http --input-data load_data\.json -b 1 --shape 'INPUT0:16'\n$/);
});
