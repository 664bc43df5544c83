// A hostile gRPC server (node:http2, no gRPC library) that answers with gzip-compressed messages:
// grpc-js advertises gzip and deflate on every call and inflates what it gets, so a small message
// that inflates hugely must stop at the client's limits — the stream's byte limit for
// ModelStreamInfer, maxInflatedBytes for calls other than infer — while compressed answers within
// them still arrive whole, and infer keeps maxResponseBytes. Unary calls on the direct HTTP/2 path
// offer only identity and refuse a compressed answer without inflating it.
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { GrpcConnection } from '../../../src/triton/grpc/grpcChannel';
import { grpcProtos } from '../../../src/triton/grpc/grpcProtos';
import { GrpcInferStream } from '../../../src/triton/grpc/grpcStream';
import { TritonError } from '../../../src/triton/errors';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferInput } from '../../../src/triton/types';

const MiB = 1024 * 1024;

/** gzip of `size` zero bytes, made a chunk at a time so the server never holds the inflated size. */
async function gzipOfZeros(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<void>((resolve, reject) => { gzip.on('end', resolve); gzip.on('error', reject); });
  const chunk = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB) {
    if (!gzip.write(left >= MiB ? chunk : chunk.subarray(0, left))) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

/** One length-prefixed gRPC message, flagged compressed. */
function compressedFrame(gz: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 1;
  head.writeUInt32BE(gz.length, 1);
  return Buffer.concat([head, gz]);
}

const protos = grpcProtos();
const outputOf = (bytes: number): Buffer => Buffer.from(protos.types.ModelInferResponse.encode({
  model_name: 'm', model_version: '1', id: 'big',
  outputs: [{ name: 'OUT', datatype: 'UINT8', shape: [bytes] }], raw_output_contents: [Buffer.alloc(bytes, 7)],
}).finish());

let server: http2.Http2Server;
let url = '';
let bomb: Buffer;
/** What the server answers on each RPC path, as a gzip body: set by each test. */
let answers: Record<string, Buffer> = {};
const BOMB_BYTES = 512 * MiB;

before(async () => {
  bomb = await gzipOfZeros(BOMB_BYTES);
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const rpc = String(headers[':path']).split('/').pop()!;
    const gz = answers[rpc];
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    if (gz === undefined) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'not served' }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-encoding': 'gzip' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(compressedFrame(gz));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Peak growth of the resident set while `work` runs, sampled every few ms, and its outcome. */
async function measured<T>(work: () => Promise<T>): Promise<{ outcome: T | TritonError; peakMiB: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 2);
  let outcome: T | TritonError;
  try {
    outcome = await work();
  } catch (e) {
    assert.ok(e instanceof TritonError, String(e));
    outcome = e;
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { outcome, peakMiB: (peak - base) / MiB };
}

function assertTooLarge(outcome: unknown, request: RegExp, limit: number): void {
  assert.ok(outcome instanceof TritonError, `expected a refusal, got ${JSON.stringify(outcome)?.slice(0, 200)}`);
  assert.equal(outcome.kind, 'protocol', outcome.message);
  assert.match(outcome.message, request);
  assert.match(outcome.message, new RegExp(`decompresses to a size larger than ${limit}$`));
}

const input: InferInput[] = [{ name: 'X', datatype: 'UINT8', shape: [1], data: Uint8Array.of(1) }];

test(`a ${BOMB_BYTES / MiB} MiB gzip bomb on ModelStreamInfer stops at the stream's 64 MiB byte limit`, { timeout: 60_000 }, async () => {
  answers = { ModelStreamInfer: bomb };
  assert.ok(bomb.length < MiB, `the bomb is ${bomb.length} bytes on the wire`);
  const client = createGrpcClient({ url, protocol: 'grpc' });
  try {
    const { outcome, peakMiB } = await measured(async () => {
      const stream = client.streamInfer();
      stream.send({ model: 'm', inputs: input });
      for await (const r of stream) return r;
      return undefined;
    });
    assertTooLarge(outcome, /^ModelStreamInfer: response too large/, 64 * MiB);
    // Unbounded, the client grew by more than the inflated size (512 MiB); bounded, by the limit and change.
    assert.ok(peakMiB < 200, `the client grew by ${peakMiB.toFixed(0)} MiB`);
  } finally {
    await client.close();
  }
});

/** Custom channel options put every call on grpc-js, the path that inflates what it gets. */
const GRPC_JS = { 'grpc.keepalive_time_ms': 120_000 };

test('a gzip bomb on a call other than infer is refused uninflated on the direct path', { timeout: 60_000 }, async () => {
  answers = { ModelMetadata: bomb };
  const client = createGrpcClient({ url, protocol: 'grpc' });
  try {
    const { outcome, peakMiB } = await measured(() => client.modelMetadata('m'));
    assert.ok(outcome instanceof TritonError, `expected a refusal, got ${JSON.stringify(outcome)?.slice(0, 200)}`);
    assert.equal(outcome.kind, 'protocol', outcome.message);
    assert.match(outcome.message, /^ModelMetadata m: answer is compressed although only identity encoding was offered$/);
    assert.ok(peakMiB < 64, `the client grew by ${peakMiB.toFixed(0)} MiB`);
  } finally {
    await client.close();
  }
});

test('a gzip bomb on a call other than infer over grpc-js stops at maxInflatedBytes (64 MiB unless set)', { timeout: 60_000 }, async () => {
  answers = { ModelMetadata: bomb, ModelStatistics: bomb };
  const client = createGrpcClient({ url, protocol: 'grpc', grpcChannelOptions: GRPC_JS });
  const small = createGrpcClient({ url, protocol: 'grpc', maxInflatedBytes: 4 * MiB, grpcChannelOptions: GRPC_JS });
  try {
    const { outcome, peakMiB } = await measured(() => client.modelMetadata('m'));
    assertTooLarge(outcome, /^ModelMetadata m: response too large/, 64 * MiB);
    assert.ok(peakMiB < 200, `the client grew by ${peakMiB.toFixed(0)} MiB`);
    assertTooLarge((await measured(() => small.modelStatistics('m'))).outcome, /^ModelStatistics m: response too large/, 4 * MiB);
  } finally {
    await client.close();
    await small.close();
  }
});

test('compressed answers within the limits arrive whole; infer keeps maxResponseBytes', { timeout: 60_000 }, async () => {
  const response = outputOf(6 * MiB);
  answers = {
    ModelStreamInfer: gzipSync(protos.types.ModelStreamInferResponse.encode({ error_message: '', infer_response: protos.types.ModelInferResponse.decode(response) }).finish()),
    ModelInfer: gzipSync(response),
    ModelMetadata: gzipSync(protos.root.lookupType('inference.ModelMetadataResponse').encode({ name: 'm', versions: ['1'], platform: 'p' }).finish()),
  };
  // Infer is bounded by maxResponseBytes only: 6 MiB passes although maxInflatedBytes is 4 MiB.
  const client: TritonClient = createGrpcClient({ url, protocol: 'grpc', maxInflatedBytes: 4 * MiB, grpcChannelOptions: GRPC_JS });
  try {
    assert.equal((await client.modelMetadata('m')).name, 'm');
    const result = await client.infer('m', input, undefined, { compression: 'gzip' });
    assert.equal((result.outputs[0]!.data as Uint8Array).byteLength, 6 * MiB);
    const stream = client.streamInfer();
    stream.send({ model: 'm', inputs: input });
    for await (const r of stream) {
      assert.equal((r.result?.outputs[0]!.data as Uint8Array).byteLength, 6 * MiB);
      break;
    }
  } finally {
    await client.close();
  }
});

test('a stream with a smaller byte limit refuses a compressed message past it', { timeout: 60_000 }, async () => {
  answers = { ModelStreamInfer: gzipSync(protos.types.ModelStreamInferResponse.encode({ error_message: '', infer_response: protos.types.ModelInferResponse.decode(outputOf(3 * MiB)) }).finish()) };
  const conn = new GrpcConnection({ url, protocol: 'grpc' });
  try {
    const stream = new GrpcInferStream(conn, protos, undefined, { responses: 8, bytes: 2 * MiB });
    stream.send({ model: 'm', inputs: input });
    await assert.rejects(async () => {
      for await (const r of stream) void r;
    }, (e: unknown) => {
      assertTooLarge(e, /^ModelStreamInfer: response too large/, 2 * MiB);
      return true;
    });
  } finally {
    conn.close();
  }
});
