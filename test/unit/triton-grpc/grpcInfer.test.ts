// ModelInfer over a real loopback gRPC server: wire bytes, parameters, output decoding and the
// protocol errors a broken answer must produce.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { buildInferRequest } from '../../../src/triton/grpc/inferRequest';
import { grpcProtos } from '../../../src/triton/grpc/grpcProtos';
import { TritonError } from '../../../src/triton/errors';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferInput, InferOptions, RequestedOutput } from '../../../src/triton/types';
import { startTestServer } from './grpcTestServer';
import type { TestServer } from './grpcTestServer';
import { rejection } from './grpcTestServer';

// ---- A protobuf writer written from the encoding rules, independent of protobufjs ----

function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}
const tag = (field: number, wire: number): number[] => varint(BigInt((field << 3) | wire));
const len = (field: number, body: number[]): number[] => [...tag(field, 2), ...varint(BigInt(body.length)), ...body];
const str = (field: number, s: string): number[] => len(field, [...Buffer.from(s, 'utf8')]);
const vint = (field: number, v: bigint | number): number[] => [...tag(field, 0), ...varint(BigInt(v))];
const dbl = (field: number, v: number): number[] => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...tag(field, 1), ...b];
};
const packed = (field: number, values: number[]): number[] => len(field, values.flatMap((v) => varint(BigInt(v))));
// InferParameter oneof members: bool 1, int64 2, string 3, double 4, uint64 5.
const pBool = (v: boolean): number[] => vint(1, v ? 1 : 0);
const pInt = (v: number | bigint): number[] => vint(2, v);
const pStr = (v: string): number[] => str(3, v);
const pDbl = (v: number): number[] => dbl(4, v);
const pU64 = (v: number): number[] => vint(5, v);
// A map<string, InferParameter> entry: key = 1, value = 2.
const entry = (field: number, key: string, value: number[]): number[] => len(field, [...str(1, key), ...len(2, value)]);

test('ModelInferRequest bytes match what the Python client sends for the same request', () => {
  const inputs: InferInput[] = [
    { name: 'INPUT0', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, -4] },
    { name: 'INPUT1', datatype: 'BYTES', shape: [2], data: ['a', 'bc'] },
    { name: 'INPUT2', datatype: 'FP32', shape: [2], sharedMemory: { region: 'in2', byteSize: 8, offset: 16 } },
  ];
  const outputs: RequestedOutput[] = [
    { name: 'OUTPUT0', classCount: 3 },
    { name: 'OUTPUT1', sharedMemory: { region: 'out', byteSize: 16 } },
  ];
  const options: InferOptions = {
    modelVersion: '1', requestId: 'req-7', sequenceId: 42, sequenceStart: true, priority: 2, timeoutMicros: 1000,
    parameters: { custom: 'x', flag: true, n: 7, ratio: 0.5 },
  };
  const message = buildInferRequest('simple', inputs, outputs, options, 'test');
  const actual = Buffer.from(grpcProtos().types.ModelInferRequest.encode(message).finish());

  const int32le = Buffer.alloc(16);
  [1, 2, 3, -4].forEach((v, i) => int32le.writeInt32LE(v, i * 4));
  const expected = Buffer.from([
    ...str(1, 'simple'),
    ...str(2, '1'),
    ...str(3, 'req-7'),
    // Request parameters in the order Python sets them: sequence, priority, timeout, then custom.
    ...entry(4, 'sequence_id', pInt(42)),
    ...entry(4, 'sequence_start', pBool(true)),
    ...entry(4, 'sequence_end', pBool(false)),
    ...entry(4, 'priority', pU64(2)),
    ...entry(4, 'timeout', pInt(1000)),
    ...entry(4, 'custom', pStr('x')),
    ...entry(4, 'flag', pBool(true)),
    ...entry(4, 'n', pInt(7)),
    ...entry(4, 'ratio', pDbl(0.5)),
    ...len(5, [...str(1, 'INPUT0'), ...str(2, 'INT32'), ...packed(3, [1, 4])]),
    ...len(5, [...str(1, 'INPUT1'), ...str(2, 'BYTES'), ...packed(3, [2])]),
    ...len(5, [
      ...str(1, 'INPUT2'), ...str(2, 'FP32'), ...packed(3, [2]),
      ...entry(4, 'shared_memory_region', pStr('in2')),
      ...entry(4, 'shared_memory_byte_size', pInt(8)),
      ...entry(4, 'shared_memory_offset', pInt(16)),
    ]),
    ...len(6, [...str(1, 'OUTPUT0'), ...entry(2, 'classification', pInt(3))]),
    ...len(6, [...str(1, 'OUTPUT1'), ...entry(2, 'shared_memory_region', pStr('out')), ...entry(2, 'shared_memory_byte_size', pInt(16))]),
    // Raw contents only for the inputs that are not in shared memory, in input order.
    ...len(7, [...int32le]),
    ...len(7, [1, 0, 0, 0, 0x61, 2, 0, 0, 0, 0x62, 0x63]),
  ]);
  assert.equal(actual.toString('hex'), expected.toString('hex'));
});

test('a minimal request leaves every default off the wire', () => {
  const message = buildInferRequest('m', [{ name: 'X', datatype: 'BOOL', shape: [2], data: [true, false] }], undefined, {}, 'test');
  const actual = Buffer.from(grpcProtos().types.ModelInferRequest.encode(message).finish());
  const expected = Buffer.from([...str(1, 'm'), ...len(5, [...str(1, 'X'), ...str(2, 'BOOL'), ...packed(3, [2])]), ...len(7, [1, 0])]);
  assert.equal(actual.toString('hex'), expected.toString('hex'));
});

test('ids: string sequence ids go as string_param, uint64 ids above 2^63 keep their bits in int64_param', () => {
  const one = (sequenceId: InferOptions['sequenceId']): Buffer => Buffer.from(grpcProtos().types.ModelInferRequest.encode(
    buildInferRequest('m', [], undefined, { sequenceId, sequenceEnd: true }, 'test')).finish());
  assert.equal(one('abc').toString('hex'), Buffer.from([
    ...str(1, 'm'), ...entry(4, 'sequence_id', pStr('abc')), ...entry(4, 'sequence_start', pBool(false)), ...entry(4, 'sequence_end', pBool(true)),
  ]).toString('hex'));
  const big = 2n ** 64n - 2n;
  assert.equal(one(big).toString('hex'), Buffer.from([
    ...str(1, 'm'), ...entry(4, 'sequence_id', pInt(big)), ...entry(4, 'sequence_start', pBool(false)), ...entry(4, 'sequence_end', pBool(true)),
  ]).toString('hex'));
  assert.equal(one(0).length, str(1, 'm').length, 'sequence id 0 means no sequence');
});

test('invalid requests fail before anything is sent', () => {
  const bad = (inputs: InferInput[], outputs?: RequestedOutput[], options?: InferOptions): TritonError => {
    try {
      buildInferRequest('m', inputs, outputs, options, 'ModelInfer m');
    } catch (e) {
      assert.ok(e instanceof TritonError);
      return e;
    }
    assert.fail('expected a TritonError');
  };
  assert.equal(bad([], undefined, { parameters: { priority: 1 } }).kind, 'invalid-argument');
  assert.match(bad([], undefined, { parameters: { triton_x: 1 } }).message, /reserved/);
  assert.match(bad([{ name: 'A', datatype: 'FP32', shape: [3], data: [1, 2] }]).message, /2 element/);
  assert.match(bad([{ name: 'A', datatype: 'FP32', shape: [2], raw: new Uint8Array(7) }]).message, /needs 8 bytes/);
  assert.match(bad([{ name: 'A', datatype: 'NOPE' as 'FP32', shape: [1], data: [1] }]).message, /unknown datatype/);
  assert.match(bad([{ name: 'A', datatype: 'FP32', shape: [1] }]).message, /exactly one/);
  assert.match(bad([], [{ name: 'O', classCount: 2, sharedMemory: { region: 'r', byteSize: 4 } }]).message, /classification/);
  assert.match(bad([], undefined, { modelVersion: 'latest' }).message, /version/);
});

// ---- Against a server ----

const responseType = (): ReturnType<typeof grpcProtos>['types']['ModelInferResponse'] => grpcProtos().types.ModelInferResponse;
let server: TestServer;
let client: TritonClient;
let lastRequestBytes: Buffer | undefined;
let lastMetadata: grpc.Metadata | undefined;

/** Encodes a ModelInferResponse the way a server (or a broken one) would send it. */
function encodeResponse(outputs: { name: string; datatype: string; shape: number[]; raw: Uint8Array }[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(responseType().encode({
    model_name: 'echo', model_version: '1', ...extra,
    outputs: outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    raw_output_contents: outputs.map((o) => o.raw),
  } as never).finish());
}

before(async () => {
  server = await startTestServer({
    // Echoes each input back as OUTPUT<i>, or misbehaves when the model name says so.
    ModelInfer: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      lastRequestBytes = call.request;
      lastMetadata = call.metadata;
      const req = grpcProtos().types.ModelInferRequest.decode(call.request) as unknown as {
        model_name: string; id: string; inputs: { name: string; datatype: string; shape: { toNumber(): number }[] }[]; raw_input_contents: Buffer[];
      };
      const shapeOf = (i: number): number[] => req.inputs[i]!.shape.map((d) => Number(d.toString()));
      if (req.model_name.startsWith('unknown')) {
        callback({ code: grpc.status.NOT_FOUND, details: `Request for unknown model: '${req.model_name}' is not found, 100% sure` });
      } else if (req.model_name === 'typed') {
        // A KServe server that answers with typed contents instead of raw bytes.
        callback(null, Buffer.from(responseType().encode({
          model_name: 'typed',
          outputs: [
            { name: 'I8', datatype: 'INT8', shape: [3], contents: { int_contents: [-128, 0, 127] } },
            { name: 'I64', datatype: 'INT64', shape: [2], contents: { int64_contents: ['-9223372036854775808', '5'] } },
            { name: 'U64', datatype: 'UINT64', shape: [1], contents: { uint64_contents: ['18446744073709551615'] } },
            { name: 'F', datatype: 'FP32', shape: [2], contents: { fp32_contents: [0.5, -1] } },
            { name: 'B', datatype: 'BOOL', shape: [2], contents: { bool_contents: [true, false] } },
            { name: 'S', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from('hi')] } },
            { name: 'BAD', datatype: 'FP64', shape: [3], contents: { fp64_contents: [1] } },
          ].filter((o) => o.name !== 'BAD' || req.id === 'bad'),
        } as never).finish()));
      } else if (req.model_name === 'versionless') {
        // model_version is optional: a KServe server may leave it out.
        callback(null, encodeResponse([{ name: 'OUTPUT0', datatype: 'UINT8', shape: [1], raw: Uint8Array.of(7) }], { model_version: '' }));
      } else if (req.model_name === 'short') {
        callback(null, encodeResponse([{ name: 'OUT', datatype: 'FP32', shape: [4], raw: new Uint8Array(12) }]));
      } else if (req.model_name === 'mismatch') {
        const r = responseType().encode({ model_name: 'x', outputs: [{ name: 'A', datatype: 'FP32', shape: [1] }, { name: 'B', datatype: 'FP32', shape: [1] }], raw_output_contents: [new Uint8Array(4)] } as never).finish();
        callback(null, Buffer.from(r));
      } else if (req.model_name === 'bytes-overrun') {
        callback(null, encodeResponse([{ name: 'S', datatype: 'BYTES', shape: [1], raw: Uint8Array.from([200, 0, 0, 0, 65]) }]));
      } else if (req.model_name === 'garbage') {
        // raw_output_contents entry that claims 10 bytes but holds 1.
        callback(null, Buffer.from([0x32, 0x0a, 0x01]));
      } else if (req.model_name === 'classify') {
        const labels = ['0.900000:3:tabby cat', '0.050000:1:dog', '0.010000:0'];
        const raw = Buffer.concat(labels.map((l) => { const b = Buffer.from(l); const n = Buffer.alloc(4); n.writeUInt32LE(b.length); return Buffer.concat([n, b]); }));
        callback(null, encodeResponse([
          { name: 'PROB', datatype: 'BYTES', shape: [1, 3], raw },
          { name: 'SHM', datatype: 'FP32', shape: [4], raw: new Uint8Array(0) },
        ], { id: req.id }));
      } else {
        callback(null, encodeResponse(req.inputs.map((input, i) => ({
          name: `OUTPUT${i}`, datatype: input.datatype, shape: shapeOf(i), raw: req.raw_input_contents[i] ?? new Uint8Array(0),
        })), { id: req.id, parameters: { triton_final_response: { bool_param: true }, big: { uint64_param: '18446744073709551615' } } }));
      }
    },
  }, { rawRequests: ['ModelInfer'], rawResponses: ['ModelInfer'] });
  client = createGrpcClient({ url: server.url, protocol: 'grpc', headers: { Authorization: 'Bearer t0k' }, deadlineMs: 5000 });
});

after(async () => {
  await client?.close();
  await server?.stop();
});

test('infer round trip: typed outputs, request id, response parameters, metadata headers', async () => {
  const result = await client.infer('echo', [
    { name: 'A', datatype: 'FP32', shape: [2, 2], data: [1.5, -2, 3, 4] },
    { name: 'B', datatype: 'INT64', shape: [2], data: [1n, -(2n ** 40n)] },
    { name: 'C', datatype: 'BYTES', shape: [2], data: [new Uint8Array(Buffer.from('héllo')), new Uint8Array([0, 255])] },
    { name: 'E', datatype: 'BYTES', shape: [1], data: ['ünï'] },
    { name: 'D', datatype: 'BOOL', shape: [3], data: [true, false, true] },
  ], undefined, { requestId: 'r1', headers: { 'X-Extra': 'yes' } });
  assert.equal(result.id, 'r1');
  assert.equal(result.modelName, 'echo');
  assert.equal(result.modelVersion, '1');
  assert.deepEqual(result.parameters, { triton_final_response: true, big: 2n ** 64n - 1n });
  const [a, b, c, e, d] = result.outputs;
  assert.equal(Buffer.from((e?.data as Uint8Array[])[0]!).toString('utf8'), 'ünï');
  assert.deepEqual(a?.shape, [2, 2]);
  assert.deepEqual(Array.from(a?.data as Float32Array), [1.5, -2, 3, 4]);
  assert.deepEqual(Array.from(b?.data as BigInt64Array), [1n, -(2n ** 40n)]);
  assert.deepEqual((c?.data as Uint8Array[]).map((x) => Buffer.from(x).toString('hex')), [Buffer.from('héllo').toString('hex'), '00ff']);
  assert.deepEqual(d?.data, [true, false, true]);
  assert.equal(lastMetadata?.get('authorization')[0], 'Bearer t0k');
  assert.equal(lastMetadata?.get('x-extra')[0], 'yes');
});

test('the bytes on the wire are the encoded request, nothing more', async () => {
  const inputs: InferInput[] = [{ name: 'A', datatype: 'UINT8', shape: [3], data: [1, 2, 3] }];
  await client.infer('echo', inputs, undefined, { requestId: 'w' });
  const expected = Buffer.from(grpcProtos().types.ModelInferRequest.encode(buildInferRequest('echo', inputs, undefined, { requestId: 'w' }, 't')).finish());
  assert.ok(lastRequestBytes?.equals(expected));
});

test('classification outputs are parsed and shared-memory outputs carry no data', async () => {
  const result = await client.infer('classify', [], [{ name: 'PROB', classCount: 3 }, { name: 'SHM', sharedMemory: { region: 'o', byteSize: 16, offset: 32 } }]);
  const prob = result.outputs.find((o) => o.name === 'PROB');
  assert.deepEqual(prob?.classification, [{ score: 0.9, index: 3, label: 'tabby cat' }, { score: 0.05, index: 1, label: 'dog' }, { score: 0.01, index: 0 }]);
  const shm = result.outputs.find((o) => o.name === 'SHM');
  assert.equal(shm?.data, undefined);
  assert.deepEqual(shm?.sharedMemory, { region: 'o', byteSize: 16, offset: 32 });
});

test('raw output shorter than its shape → protocol error naming the output', async () => {
  const e = await rejection(client.infer('short', []));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /ModelInfer short output 'OUT'.*needs 16 bytes but 12 arrived/);
});

test('outputs and raw entries that do not pair up → protocol error', async () => {
  const e = await rejection(client.infer('mismatch', []));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /2 output\(s\) but 1 raw_output_contents/);
});

test('a BYTES length prefix past the end → protocol error, no over-read', async () => {
  const e = await rejection(client.infer('bytes-overrun', []));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /claims 200 byte/);
});

test('bytes that are not a ModelInferResponse → protocol error', async () => {
  const e = await rejection(client.infer('garbage', []));
  assert.equal(e.kind, 'protocol');
});

test('inferMany keeps request order and isolates failures', async () => {
  const outcomes = await client.inferMany([
    { model: 'echo', inputs: [{ name: 'A', datatype: 'INT32', shape: [1], data: [1] }], options: { requestId: 'a' } },
    { model: 'short', inputs: [] },
    { model: 'echo', inputs: [{ name: 'A', datatype: 'INT32', shape: [1], data: [3] }], options: { requestId: 'c' } },
  ], { concurrency: 2 });
  assert.equal(outcomes.length, 3);
  assert.ok(outcomes[0]?.ok && outcomes[0].result.id === 'a');
  assert.ok(outcomes[1] && !outcomes[1].ok && outcomes[1].error.kind === 'protocol');
  assert.ok(outcomes[2]?.ok && outcomes[2].result.id === 'c');
});

test('server errors keep their code and text, including escaped characters', async () => {
  const e = await rejection(client.infer('unknown-ünï', []));
  assert.equal(e.kind, 'not-found');
  assert.equal(e.grpcCode, grpc.status.NOT_FOUND);
  assert.equal(e.serverMessage, "Request for unknown model: 'unknown-ünï' is not found, 100% sure");
});

test('compressed requests go through grpc-js and give the same result', async () => {
  const inputs: InferInput[] = [{ name: 'A', datatype: 'FP64', shape: [300], data: new Float64Array(300).fill(0.25) }];
  const gz = await client.infer('echo', inputs, undefined, { compression: 'gzip', requestId: 'gz' });
  const plain = await client.infer('echo', inputs, undefined, { requestId: 'gz' });
  assert.deepEqual(gz, plain);
  const e = await rejection(client.infer('unknown-gz', [], undefined, { compression: 'deflate' }));
  assert.equal(e.kind, 'not-found');
});

test('responses over maxResponseBytes fail as protocol errors on both paths', async () => {
  const small = createGrpcClient({ url: server.url, protocol: 'grpc', maxResponseBytes: 200, deadlineMs: 5000 });
  const inputs: InferInput[] = [{ name: 'A', datatype: 'UINT8', shape: [400], data: new Uint8Array(400) }];
  assert.equal((await rejection(small.infer('echo', inputs))).kind, 'protocol');
  assert.equal((await rejection(small.infer('echo', inputs, undefined, { compression: 'gzip' }))).kind, 'protocol');
  const fits = await small.infer('echo', [{ name: 'A', datatype: 'UINT8', shape: [8], data: new Uint8Array(8) }]);
  assert.equal(fits.outputs[0]?.shape[0], 8);
  await small.close();
});

test('a requested output missing from the answer is a protocol error naming it, on both paths', async () => {
  const inputs: InferInput[] = [{ name: 'A', datatype: 'UINT8', shape: [2], data: [1, 2] }];
  for (const options of [{}, { compression: 'gzip' as const }]) {
    const e = await rejection(client.infer('echo', inputs, [{ name: 'OUTPUT0' }, { name: 'SCORES' }], options));
    assert.equal(e.kind, 'protocol', e.message);
    assert.match(e.message, /^ModelInfer echo: the answer has no output 'SCORES', which the request asked for \(it has 'OUTPUT0'\)$/);
    const fine = await client.infer('echo', inputs, [{ name: 'OUTPUT0' }], options);
    assert.deepEqual(Array.from(fine.outputs[0]!.data as Uint8Array), [1, 2]);
  }
  const versionless = await client.infer('versionless', [], [{ name: 'OUTPUT0' }]);
  assert.equal(versionless.modelVersion, '');
  assert.deepEqual(Array.from(versionless.outputs[0]!.data as Uint8Array), [7]);
});

test('typed InferTensorContents (other KServe servers) are read when no raw bytes come', async () => {
  const result = await client.infer('typed', []);
  const by = (n: string): unknown => result.outputs.find((o) => o.name === n)?.data;
  assert.deepEqual(Array.from(by('I8') as Int8Array), [-128, 0, 127]);
  assert.deepEqual(Array.from(by('I64') as BigInt64Array), [-(2n ** 63n), 5n]);
  assert.deepEqual(Array.from(by('U64') as BigUint64Array), [2n ** 64n - 1n]);
  assert.deepEqual(Array.from(by('F') as Float32Array), [0.5, -1]);
  assert.deepEqual(by('B'), [true, false]);
  assert.equal(Buffer.from((by('S') as Uint8Array[])[0]!).toString(), 'hi');
  const e = await rejection(client.infer('typed', [], undefined, { requestId: 'bad' }));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /1 typed value\(s\) but shape \[3\] needs 3/);
});
