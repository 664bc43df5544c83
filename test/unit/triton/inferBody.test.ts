import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TritonError } from '../../../src/triton/errors';
import { buildInferBody, jsonDouble } from '../../../src/triton/http/inferBody';
import { jsonString, parseJsonAnswer } from '../../../src/triton/http/jsonText';

// The expected bodies below are written by hand from client-conventions.md §4 (key order of the
// request: id, inputs, outputs, parameters; of an input: name, shape, datatype, parameters, data;
// of an output's parameters: classification, binary_data, shared_memory_*) and the compact JSON
// python-rapidjson prints, followed by the binary chunks in input order.

function int32le(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeInt32LE(v, i * 4));
  return out;
}

function joined(chunks: Uint8Array[]): Buffer {
  return Buffer.concat(chunks);
}

function invalid(e: unknown): boolean {
  return e instanceof TritonError && e.kind === 'invalid-argument';
}

test('the simple example request: two binary INT32 inputs, one binary and one JSON output', () => {
  const in0 = Array.from({ length: 16 }, (_, i) => i);
  const in1 = new Array<number>(16).fill(1);
  const body = buildInferBody(
    [
      { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: Int32Array.from(in0) },
      { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: in1 },
    ],
    [{ name: 'OUTPUT0' }, { name: 'OUTPUT1', binary: false }],
  );
  const json = '{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","parameters":{"binary_data_size":64}},'
    + '{"name":"INPUT1","shape":[1,16],"datatype":"INT32","parameters":{"binary_data_size":64}}],'
    + '"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}},{"name":"OUTPUT1","parameters":{"binary_data":false}}]}';
  assert.equal(body.json, json);
  assert.equal(body.headerLength, json.length);
  const expected = Buffer.concat([Buffer.from(json), int32le(in0), int32le(in1)]);
  assert.deepEqual(joined(body.chunks), expected);
  assert.equal(body.byteLength, expected.length);
});

test('no outputs listed: binary_data_output is added after the request-level parameters', () => {
  const body = buildInferBody(
    [{ name: 'IN', datatype: 'UINT8', shape: [2], data: [7, 8] }],
    undefined,
    { requestId: 'r1', sequenceId: 42, sequenceStart: true, priority: 2, timeoutMicros: 1000, parameters: { p: 'x', n: 3, b: false, f: 1e-5, big: 1e21 } },
  );
  const json = '{"id":"r1","inputs":[{"name":"IN","shape":[2],"datatype":"UINT8","parameters":{"binary_data_size":2}}],'
    + '"parameters":{"sequence_id":42,"sequence_start":true,"sequence_end":false,"priority":2,"timeout":1000,"binary_data_output":true,"p":"x","n":3,"b":false,"f":1e-05,"big":1000000000000000000000}}';
  assert.deepEqual(joined(body.chunks), Buffer.concat([Buffer.from(json), Buffer.from([7, 8])]));
});

test('a string or bigint sequence id is sent exactly; zero means no sequence', () => {
  const input = { name: 'IN', datatype: 'BOOL' as const, shape: [1], data: [true] };
  assert.match(buildInferBody([input], [{ name: 'O' }], { sequenceId: 'abc-1' }).json, /"parameters":\{"sequence_id":"abc-1","sequence_start":false,"sequence_end":false\}/);
  assert.match(buildInferBody([input], [{ name: 'O' }], { sequenceId: 2n ** 64n - 1n }).json, /"sequence_id":18446744073709551615,/);
  assert.doesNotMatch(buildInferBody([input], [{ name: 'O' }], { sequenceId: 0, sequenceStart: true }).json, /sequence/);
});

test('JSON inputs carry flat data and no Inference-Header-Content-Length', () => {
  const body = buildInferBody(
    [
      { name: 'F', datatype: 'FP32', shape: [1, 3], data: [0.5, 1, -2.25], binary: false },
      { name: 'S', datatype: 'BYTES', shape: [2], data: ['a', 'é\n"'], binary: false },
      { name: 'B', datatype: 'BOOL', shape: [2], data: [true, false], binary: false },
      { name: 'L', datatype: 'INT64', shape: [1], data: [9007199254740993n], binary: false },
    ],
    [{ name: 'O', binary: false }],
  );
  const json = '{"inputs":[{"name":"F","shape":[1,3],"datatype":"FP32","data":[0.5,1.0,-2.25]},'
    + '{"name":"S","shape":[2],"datatype":"BYTES","data":["a","\\u00E9\\n\\""]},'
    + '{"name":"B","shape":[2],"datatype":"BOOL","data":[true,false]},'
    + '{"name":"L","shape":[1],"datatype":"INT64","data":[9007199254740993]}],'
    + '"outputs":[{"name":"O","parameters":{"binary_data":false}}]}';
  assert.equal(body.json, json);
  assert.equal(body.headerLength, undefined);
  assert.deepEqual(joined(body.chunks), Buffer.from(json));
});

test('binaryData:false with no outputs asks for JSON outputs (no binary_data_output)', () => {
  const body = buildInferBody([{ name: 'F', datatype: 'FP64', shape: [1], data: [NaN] }], [], { binaryData: false });
  assert.equal(body.json, '{"inputs":[{"name":"F","shape":[1],"datatype":"FP64","data":[NaN]}]}');
});

test('BYTES binary chunks are length-prefixed and zero-size inputs still mark the body binary', () => {
  const body = buildInferBody(
    [
      { name: 'S', datatype: 'BYTES', shape: [2], data: ['ab', ''] },
      { name: 'E', datatype: 'FP32', shape: [0], data: new Float32Array(0) },
    ],
    [{ name: 'O' }],
  );
  const json = '{"inputs":[{"name":"S","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":10}},'
    + '{"name":"E","shape":[0],"datatype":"FP32","parameters":{"binary_data_size":0}}],'
    + '"outputs":[{"name":"O","parameters":{"binary_data":true}}]}';
  assert.deepEqual(joined(body.chunks), Buffer.concat([Buffer.from(json), Buffer.from([2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0])]));
  assert.equal(body.headerLength, json.length);
});

test('shared-memory inputs and outputs, classification, raw inputs', () => {
  const body = buildInferBody(
    [
      { name: 'IN', datatype: 'FP32', shape: [4], sharedMemory: { region: 'r', byteSize: 16, offset: 32 } },
      { name: 'RAW', datatype: 'INT8', shape: [2], raw: new Uint8Array([1, 0xff]) },
    ],
    [
      { name: 'OUT', sharedMemory: { region: 'o', byteSize: 16 } },
      { name: 'CLS', classCount: 3 },
    ],
  );
  const json = '{"inputs":[{"name":"IN","shape":[4],"datatype":"FP32","parameters":{"shared_memory_region":"r","shared_memory_byte_size":16,"shared_memory_offset":32}},'
    + '{"name":"RAW","shape":[2],"datatype":"INT8","parameters":{"binary_data_size":2}}],'
    + '"outputs":[{"name":"OUT","parameters":{"binary_data":false,"shared_memory_region":"o","shared_memory_byte_size":16}},'
    + '{"name":"CLS","parameters":{"classification":3,"binary_data":true}}]}';
  assert.deepEqual(joined(body.chunks), Buffer.concat([Buffer.from(json), Buffer.from([1, 0xff])]));
});

test('non-ASCII names are escaped so the header length counts bytes', () => {
  const body = buildInferBody([{ name: 'ünï', datatype: 'UINT8', shape: [1], data: [1] }], [{ name: '😀' }]);
  assert.match(body.json, /"name":"\\u00FCn\\u00EF"/);
  assert.match(body.json, /"name":"\\uD83D\\uDE00"/);
  assert.equal(body.headerLength, Buffer.byteLength(body.json, 'utf8'));
  assert.deepEqual(parseJsonAnswer(body.json), JSON.parse(body.json));
});

test('bad requests fail before anything is sent', () => {
  const ok = { name: 'IN', datatype: 'FP32' as const, shape: [2], data: [1, 2] };
  assert.throws(() => buildInferBody([{ ...ok, shape: [3] }], undefined), invalid);
  assert.throws(() => buildInferBody([{ ...ok, datatype: 'FP16', binary: false }], undefined), (e: unknown) => invalid(e) && /binary/.test((e as Error).message));
  assert.throws(() => buildInferBody([{ ...ok, datatype: 'NOPE' as 'FP32' }], undefined), invalid);
  assert.throws(() => buildInferBody([{ ...ok, raw: new Uint8Array(8) }], undefined), invalid);
  assert.throws(() => buildInferBody([{ name: 'R', datatype: 'FP32', shape: [2], raw: new Uint8Array(7) }], undefined), invalid);
  assert.throws(() => buildInferBody([ok], undefined, { parameters: { priority: 1 } }), invalid);
  assert.throws(() => buildInferBody([ok], undefined, { parameters: { triton_x: 1 } }), invalid);
  assert.throws(() => buildInferBody([ok], [{ name: 'O', classCount: 2, sharedMemory: { region: 'r', byteSize: 4 } }]), invalid);
  assert.throws(() => buildInferBody([ok], undefined, { sequenceId: -1 }), invalid);
  assert.throws(() => buildInferBody([{ name: 'S', datatype: 'BYTES', shape: [1], data: [new Uint8Array([0xff])], binary: false }], undefined), invalid);
});

test('jsonString escapes like rapidjson: upper-case hex, short escapes, DEL and slash kept', () => {
  assert.equal(jsonString('a/b\u007f'), '"a/b\u007f"');
  assert.equal(jsonString('\u0001\b\t\n\f\r\\'), '"\\u0001\\b\\t\\n\\f\\r\\\\"');
  assert.equal(jsonString('\u001f\u0080'), '"\\u001F\\u0080"');
});

test('answers with NaN/Infinity literals and integers beyond 2^53 parse exactly', () => {
  const doc = parseJsonAnswer('{"a":[NaN,Infinity,-Infinity,1.5],"big":18446744073709551615,"neg":-9223372036854775808,"f":0.10000000149011612}') as Record<string, unknown>;
  const a = doc.a as number[];
  assert.ok(Number.isNaN(a[0]));
  assert.deepEqual(a.slice(1), [Infinity, -Infinity, 1.5]);
  assert.equal(doc.big, 18446744073709551615n);
  assert.equal(doc.neg, -9223372036854775808n);
  assert.equal(doc.f, 0.10000000149011612);
  assert.deepEqual(parseJsonAnswer('{"s":"x\\u00e9\\"","n":null,"t":true}'), { s: 'xé"', n: null, t: true });
  for (const bad of ['{"a":', '[1,]', '{"a" 1}', 'nul', '"abc', '[1] x', '{"a":1,}', '-']) {
    assert.throws(() => parseJsonAnswer(bad), (e: unknown) => e instanceof TritonError && e.kind === 'protocol', bad);
  }
  assert.throws(() => parseJsonAnswer('['.repeat(100000)), (e: unknown) => e instanceof TritonError && e.kind === 'protocol');
});

test('floats in JSON data are written as Python repr() writes them (what python-rapidjson emits)', () => {
  const cases: [number, string][] = [
    [1, '1.0'], [-2, '-2.0'], [0, '0.0'], [-0, '-0.0'], [0.5, '0.5'], [100, '100.0'], [1e15, '1000000000000000.0'],
    [1e16, '1e+16'], [1.5e16, '1.5e+16'], [1.2345678901234568e17, '1.2345678901234568e+17'], [1e21, '1e+21'], [1e100, '1e+100'],
    [1.7976931348623157e308, '1.7976931348623157e+308'], [0.0001, '0.0001'], [0.0003, '0.0003'], [1e-5, '1e-05'],
    [-2.5e-5, '-2.5e-05'], [5e-324, '5e-324'], [Math.fround(0.1), '0.10000000149011612'], [-123.456, '-123.456'],
    [NaN, 'NaN'], [-Infinity, '-Infinity'],
  ];
  for (const [value, text] of cases) assert.equal(jsonDouble(value), text, String(value));
});
