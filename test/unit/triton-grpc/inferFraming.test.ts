// Big-tensor framing of ModelInfer: request parts identical to protobufjs's encoding, answers
// gathered once with the tensor 8-byte aligned, and broken big answers refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { AnswerBuffer } from '../../../src/triton/grpc/answerBuffer';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { grpcProtos } from '../../../src/triton/grpc/grpcProtos';
import { encodeInferRequestParts, rawOutputOffset } from '../../../src/triton/grpc/inferFraming';
import { buildInferRequest } from '../../../src/triton/grpc/inferRequest';
import { TritonError } from '../../../src/triton/errors';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferInput } from '../../../src/triton/types';

const requestType = (): ReturnType<typeof grpcProtos>['types']['ModelInferRequest'] => grpcProtos().types.ModelInferRequest;
const responseType = (): ReturnType<typeof grpcProtos>['types']['ModelInferResponse'] => grpcProtos().types.ModelInferResponse;
const join = (parts: readonly Uint8Array[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

test('request parts join to exactly the bytes protobufjs encodes, and the tensors are passed on uncopied', () => {
  // Lengths around every varint boundary of the hand-written length prefix.
  for (const size of [0, 1, 127, 128, 16383, 16384, 2097151, 2097152 + 3]) {
    const raw = pattern(size, size);
    const inputs: InferInput[] = [
      { name: 'A', datatype: 'UINT8', shape: [size], raw },
      { name: 'S', datatype: 'FP32', shape: [2], sharedMemory: { region: 'r', byteSize: 8 } },
      { name: 'B', datatype: 'BYTES', shape: [1], data: ['ünï'] },
    ];
    const message = buildInferRequest('m', inputs, [{ name: 'O', classCount: 2 }], { requestId: 'x', sequenceId: 9n, parameters: { k: 1.5 } }, 't');
    const parts = encodeInferRequestParts(requestType(), message, 0);
    assert.equal(join(parts).toString('hex'), Buffer.from(requestType().encode(message).finish()).toString('hex'), `raw of ${size} bytes`);
    if (size > 0) assert.ok(parts.includes(raw), `the ${size}-byte tensor is one of the parts itself`);
  }
  const none = buildInferRequest('m', [{ name: 'S', datatype: 'FP32', shape: [2], sharedMemory: { region: 'r', byteSize: 8 } }], undefined, {}, 't');
  assert.deepEqual(join(encodeInferRequestParts(requestType(), none, 0)), Buffer.from(requestType().encode(none).finish()));
  // Independent of protobufjs: model_name (1), then raw_input_contents (7) with a two-byte length.
  const only = buildInferRequest('m', [{ name: 'A', datatype: 'UINT8', shape: [300], raw: pattern(300, 1) }], undefined, {}, 't');
  const bytes = join(encodeInferRequestParts(requestType(), only, 0));
  assert.equal(encodeInferRequestParts(requestType(), only).length, 1, 'a small request is encoded whole by default');
  const inputField = Buffer.from(requestType().encode({ inputs: only.inputs } as never).finish());
  assert.deepEqual(bytes, Buffer.concat([Buffer.from([0x0a, 1, 0x6d]), inputField, Buffer.from([0x3a, 0xac, 0x02]), pattern(300, 1)]));
});

function response(raw: Uint8Array[], name = 'model-with-a-long-name'): Buffer {
  return Buffer.from(responseType().encode({
    model_name: name, model_version: '1', id: 'r',
    parameters: { p: { string_param: 'v' } },
    outputs: raw.map((r, i) => ({ name: `O${i}`, datatype: 'UINT8', shape: [r.length] })),
    raw_output_contents: raw,
  } as never).finish());
}

test('the raw output offset points at the first tensor; a short head asks for more; none when absent or unreadable', () => {
  const tensor = pattern(1000, 3);
  const message = response([tensor, pattern(5, 9)]);
  const at = rawOutputOffset(message, message.length);
  assert.equal(typeof at, 'number');
  assert.deepEqual(message.subarray(at as number, (at as number) + 1000), Buffer.from(tensor));
  for (let cut = 0; cut < (at as number); cut++) assert.equal(rawOutputOffset(message.subarray(0, cut), message.length), 'more', `head of ${cut} bytes`);
  const without = Buffer.from(responseType().encode({ model_name: 'x', outputs: [{ name: 'O', datatype: 'FP32', shape: [1] }] } as never).finish());
  assert.equal(rawOutputOffset(without, without.length), 'none');
  assert.equal(rawOutputOffset(Buffer.from([0x07, 1, 2, 3]), 4), 'none', 'wire type 7 does not exist');
  assert.equal(rawOutputOffset(Buffer.from([0x32, 0x7f, 1]), 3), 'none', 'a payload longer than the message');
});

function framed(message: Uint8Array, statedLength = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(statedLength, 1);
  return Buffer.concat([prefix, message]);
}

function feed(buffer: AnswerBuffer, whole: Buffer, sizes: number[]): string | undefined {
  let at = 0;
  for (let i = 0; at < whole.length; i++) {
    const n = sizes[i % sizes.length]!;
    const refused = buffer.push(whole.subarray(at, at + n));
    if (refused !== undefined) return refused;
    at += n;
  }
  return undefined;
}

test('a big answer is gathered whole in any chunking, with its tensor 8-byte aligned', () => {
  const tensor = pattern(200_000, 5);
  for (const name of ['m', 'mo', 'mod', 'model', 'models-7']) {
    const whole = framed(response([tensor], name));
    for (const sizes of [[1, 2, 3], [4, 16384], [whole.length], [7, 65536, 13]]) {
      const buffer = new AnswerBuffer(1 << 30, rawOutputOffset);
      assert.equal(feed(buffer, whole, sizes), undefined);
      const gathered = buffer.finish();
      assert.ok('data' in gathered, JSON.stringify(gathered));
      assert.deepEqual(gathered.data, whole, `${name} chunked ${sizes.join('/')}`);
      const at = 5 + (rawOutputOffset(whole.subarray(5), whole.length - 5) as number);
      assert.equal((gathered.data.byteOffset + at) % 8, 0, 'the tensor starts 8-byte aligned');
    }
  }
});

test('big answers shorter or longer than their prefix, or stating more than the limit, are refused', () => {
  const message = response([pattern(100_000, 1)]);
  const short = new AnswerBuffer(1 << 30, rawOutputOffset);
  assert.equal(feed(short, framed(message, message.length + 10), [30_000]), undefined);
  assert.deepEqual(short.finish(), { error: `answer message states ${message.length + 10} byte(s) but ${message.length} arrived` });
  const long = new AnswerBuffer(1 << 30, rawOutputOffset);
  assert.equal(feed(long, framed(message, message.length - 10), [30_000]), undefined);
  assert.deepEqual(long.finish(), { error: `answer message states ${message.length - 10} byte(s) but ${message.length} arrived` });
  const capped = new AnswerBuffer(50_000, rawOutputOffset);
  assert.equal(capped.push(framed(message).subarray(0, 100)), 'response larger than the 50000-byte limit', 'refused on the stated length, before the body arrives');
});

let server: http2.Http2Server;
let client: TritonClient;
let lastRequest: Buffer | undefined;

before(async () => {
  // Echoes every raw input back as an output, framed by protobufjs, as a Triton identity model would.
  server = http2.createServer();
  server.on('stream', (stream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      lastRequest = Buffer.concat(chunks);
      const req = requestType().decode(lastRequest.subarray(5)) as unknown as { inputs: { name: string; datatype: string; shape: unknown[] }[]; raw_input_contents: Uint8Array[] };
      const answer = responseType().encode({
        model_name: 'echo-odd', model_version: '1',
        outputs: req.inputs.map((inp) => ({ name: `${inp.name}_OUT`, datatype: inp.datatype, shape: inp.shape })),
        raw_output_contents: req.raw_input_contents,
      } as never).finish();
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(framed(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = createGrpcClient({ url: `127.0.0.1:${(server.address() as { port: number }).port}`, protocol: 'grpc', deadlineMs: 20_000 });
});

after(async () => {
  await client?.close();
  await new Promise<void>((r) => server.close(() => r()));
});

test('a 4 MiB FP64 round trip: the wire request is protobufjs\'s encoding, the answer a view of one aligned buffer', async () => {
  const data = Float64Array.from({ length: 1 << 19 }, (_, i) => i * 0.5 - 3);
  const inputs: InferInput[] = [{ name: 'X', datatype: 'FP64', shape: [data.length], data }];
  const result = await client.infer('echo-odd', inputs, undefined, { requestId: 'q' });
  const expected = requestType().encode(buildInferRequest('echo-odd', inputs, undefined, { requestId: 'q' }, 't')).finish();
  assert.ok(lastRequest?.subarray(5).equals(expected), 'request bytes differ from protobufjs encoding');
  assert.equal(lastRequest?.readUInt32BE(1), expected.length);
  const out = result.outputs[0]!.data as Float64Array;
  assert.ok(out instanceof Float64Array);
  assert.deepEqual(out, data);
  // Read in place: the array is a view into the gathered answer, not a buffer of its own.
  assert.ok(out.buffer.byteLength > out.byteLength, 'the output was copied out of the answer');
});

test('a small answer still takes the plain path and decodes the same', async () => {
  const result = await client.infer('echo-odd', [{ name: 'Y', datatype: 'INT32', shape: [3], data: [1, -2, 3] }]);
  assert.deepEqual(Array.from(result.outputs[0]!.data as Int32Array), [1, -2, 3]);
  await assert.rejects(client.infer('echo-odd', [{ name: 'Y', datatype: 'INT32', shape: [3], data: [1, 2] }]), TritonError);
});
