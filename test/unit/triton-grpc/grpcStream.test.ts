// ModelStreamInfer against a real loopback server: in-band errors, decoupled responses, stream
// failures, cancellation and a slow reader.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { TritonError } from '../../../src/triton/errors';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { StreamResponse } from '../../../src/triton/types';
import { GrpcConnection } from '../../../src/triton/grpc/grpcChannel';
import { grpcProtos } from '../../../src/triton/grpc/grpcProtos';
import { GrpcInferStream } from '../../../src/triton/grpc/grpcStream';
import { startTestServer } from './grpcTestServer';
import type { TestServer } from './grpcTestServer';

interface WireRequest {
  model_name: string;
  id: string;
  inputs: { name: string; datatype: string; shape: string[] }[];
  raw_input_contents: Buffer[];
  parameters: Record<string, Record<string, unknown>>;
}

let server: TestServer;
let client: TritonClient;
let cancelledOnServer: (() => void) | undefined;
let flooded: (() => void) | undefined;
const FLOOD = 300;
const HEAVY = 48;
const HEAVY_BYTES = 256 * 1024;

function response(req: WireRequest, final: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    infer_response: {
      model_name: req.model_name, model_version: '1', id: req.id,
      parameters: { triton_final_response: { bool_param: final } },
      outputs: req.inputs.map((i) => ({ name: `OUT_${i.name}`, datatype: i.datatype, shape: i.shape })),
      raw_output_contents: req.raw_input_contents,
      ...extra,
    },
  };
}

before(async () => {
  server = await startTestServer({
    ModelStreamInfer: (call: grpc.ServerDuplexStream<WireRequest, unknown>) => {
      call.on('cancelled', () => cancelledOnServer?.());
      call.on('data', (req: WireRequest) => {
        switch (req.model_name) {
          case 'bad':
            call.write({ error_message: `[request id: ${req.id}] unexpected shape for input 'X'`, infer_response: { id: req.id } });
            break;
          case 'repeat':
            // Decoupled: three responses, only the last one final.
            for (let i = 0; i < 3; i++) call.write(response(req, i === 2));
            break;
          case 'short':
            call.write(response(req, true, { outputs: [{ name: 'O', datatype: 'FP32', shape: ['4'] }], raw_output_contents: [Buffer.alloc(4)] }));
            break;
          case 'die':
            call.write(response(req, true));
            call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'GRPC server is shutting down and has stopped accepting new requests.' });
            break;
          case 'flood':
            for (let i = 0; i < FLOOD; i++) call.write(response(req, i === FLOOD - 1, { id: String(i), raw_output_contents: [Buffer.alloc(4096, i % 251)], outputs: [{ name: 'O', datatype: 'UINT8', shape: ['4096'] }] }));
            flooded?.();
            break;
          case 'heavy':
            // Fewer responses than the count bound, but more bytes than the byte bound.
            for (let i = 0; i < HEAVY; i++) call.write(response(req, i === HEAVY - 1, { id: String(i), raw_output_contents: [Buffer.alloc(HEAVY_BYTES, i)], outputs: [{ name: 'O', datatype: 'UINT8', shape: [String(HEAVY_BYTES)] }] }));
            flooded?.();
            break;
          case 'hang':
            break;
          default:
            call.write(response(req, true));
        }
      });
      call.on('end', () => call.end());
    },
  });
  client = createGrpcClient({ url: server.url, protocol: 'grpc' });
});

after(async () => {
  await client?.close();
  await server?.stop();
});

test('responses arrive in order; an in-band error names its request and the stream goes on', async () => {
  const stream = client.streamInfer({ deadlineMs: 10000 });
  const input = { name: 'IN', datatype: 'INT32' as const, shape: [2], data: [5, 6] };
  stream.send({ model: 'echo', inputs: [input], options: { requestId: 'r1' } });
  stream.send({ model: 'bad', inputs: [input], options: { requestId: 'r2' } });
  stream.send({ model: 'repeat', inputs: [input], options: { requestId: 'r3', enableEmptyFinalResponse: true } });
  stream.send({ model: 'short', inputs: [], options: { requestId: 'r4' } });
  stream.send({ model: 'echo', inputs: [input], options: { requestId: 'r5' } });
  stream.end();
  const got: StreamResponse[] = [];
  for await (const item of stream) got.push(item);

  const summary = got.map((g) => (g.error ? `error:${g.requestId}:${g.error.kind}` : `${g.result.id}:${g.final}`));
  assert.deepEqual(summary, ['r1:true', 'error:r2:server', 'r3:false', 'r3:false', 'r3:true', 'error:r4:protocol', 'r5:true']);
  const first = got[0]!;
  assert.ok(!first.error);
  assert.deepEqual(first.result.outputs.map((o) => [o.name, Array.from(o.data as Int32Array)]), [['OUT_IN', [5, 6]]]);
  const err = got[1]!.error!;
  assert.equal(err.serverMessage, "[request id: r2] unexpected shape for input 'X'");
  assert.match(err.message, /request 'r2'/);
  assert.throws(() => stream.send({ model: 'echo', inputs: [] }), (e: unknown) => e instanceof TritonError && e.kind === 'cancelled');
});

test('invalid requests are refused by send() and the stream stays open', async () => {
  const stream = client.streamInfer({ deadlineMs: 10000 });
  assert.throws(() => stream.send({ model: 'echo', inputs: [{ name: 'A', datatype: 'FP32', shape: [2], data: [1] }] }), /1 element/);
  stream.send({ model: 'echo', inputs: [], options: { requestId: 'ok' } });
  stream.end();
  const ids: string[] = [];
  for await (const item of stream) ids.push(item.result?.id ?? 'error');
  assert.deepEqual(ids, ['ok']);
});

test('a stream the server ends with a status delivers what came before, then throws', async () => {
  const stream = client.streamInfer({ deadlineMs: 10000 });
  stream.send({ model: 'die', inputs: [], options: { requestId: 'd1' } });
  const ids: string[] = [];
  await assert.rejects(async () => {
    for await (const item of stream) ids.push(item.result?.id ?? 'error');
  }, (e: unknown) => e instanceof TritonError && e.kind === 'unavailable' && /shutting down/.test(e.message));
  assert.deepEqual(ids, ['d1']);
});

test('aborting the signal cancels the stream on both ends', async () => {
  const controller = new AbortController();
  const serverSaw = new Promise<void>((r) => { cancelledOnServer = r; });
  const stream = client.streamInfer({ signal: controller.signal });
  stream.send({ model: 'echo', inputs: [], options: { requestId: 'a' } });
  stream.send({ model: 'hang', inputs: [], options: { requestId: 'b' } });
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.value?.result?.id, 'a');
  const pending = it.next();
  controller.abort();
  await assert.rejects(pending, (e: unknown) => e instanceof TritonError && e.kind === 'cancelled');
  await serverSaw;
});

test('the client default deadline does not apply to streams; an explicit one does', async () => {
  const withDefault = createGrpcClient({ url: server.url, protocol: 'grpc', deadlineMs: 50 });
  const open = withDefault.streamInfer();
  open.send({ model: 'hang', inputs: [] });
  // The wait is the point here: the stream must outlive the 50 ms default, then still answer.
  const it = open[Symbol.asyncIterator]();
  await new Promise<void>((r) => setTimeout(r, 200));
  open.send({ model: 'echo', inputs: [], options: { requestId: 'late' } });
  assert.equal((await it.next()).value?.result?.id, 'late');
  open.cancel();
  await withDefault.close();
});

test('a stream deadline ends a stream that stays silent', async () => {
  const stream = client.streamInfer({ deadlineMs: 150 });
  stream.send({ model: 'hang', inputs: [] });
  await assert.rejects(async () => {
    for await (const _ of stream) { /* nothing arrives */ }
  }, (e: unknown) => e instanceof TritonError && e.kind === 'deadline');
});

test('a slow reader holds at most a bounded number of responses', async () => {
  const stream = client.streamInfer({ deadlineMs: 20000 });
  const allWritten = new Promise<void>((r) => { flooded = r; });
  stream.send({ model: 'flood', inputs: [] });
  stream.end();
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.value?.result?.id, '0');
  await allWritten;
  const held = (): number => (stream as unknown as { queue: unknown[] }).queue.length;
  let most = held();
  let count = 1;
  for (;;) {
    most = Math.max(most, held());
    const next = await it.next();
    if (next.done) break;
    assert.equal(next.value.result?.id, String(count));
    // A slow consumer: let the network run several turns between reads.
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    assert.equal((next.value.result?.outputs[0]?.data as Uint8Array)[4095], count % 251);
    count++;
  }
  assert.equal(count, FLOOD);
  assert.ok(most <= 65, `held ${most} responses`);
});

test('a slow reader of large responses holds a bounded number of bytes', async () => {
  // Limits scaled down (4 MiB instead of 64 MiB) so the test moves little data.
  const conn = new GrpcConnection({ url: server.url, protocol: 'grpc' });
  const stream = new GrpcInferStream(conn, grpcProtos(), { deadlineMs: 30000 }, { responses: 1000, bytes: 4 << 20 });
  const allWritten = new Promise<void>((r) => { flooded = r; });
  stream.send({ model: 'heavy', inputs: [] });
  stream.end();
  const it = stream[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.result?.id, '0');
  await allWritten;
  const held = (): number => (stream as unknown as { queuedBytes: number }).queuedBytes;
  // Give the transport many turns to deliver while nothing is read; an unbounded buffer would take
  // in all 12 MiB, a bounded one stops near its limit.
  for (let turn = 0; turn < 2000 && held() < 8 << 20; turn++) await new Promise<void>((r) => setImmediate(r));
  let most = held();
  let count = 1;
  for (;;) {
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
    most = Math.max(most, held());
    const next = await it.next();
    if (next.done) break;
    assert.equal((next.value.result?.outputs[0]?.data as Uint8Array)[0], count);
    count++;
  }
  assert.equal(count, HEAVY);
  assert.ok(most <= (4 << 20) + HEAVY_BYTES, `held ${(most / 1048576).toFixed(1)} MiB`);
  conn.close();
});
