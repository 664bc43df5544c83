// The direct HTTP/2 inference path against a hand-written HTTP/2 server that misbehaves on
// request: non-gRPC answers, missing status, cut or compressed frames, resets, dropped sessions.
// Every call has a deadline and every client is closed even when an assertion fails: an HTTP/2
// server's close() waits for every session still open, so one leaked client would otherwise turn a
// failed test into a file that never ends (and node --test shows nothing of a file that never ends).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { openChannelCount } from '../../../src/triton/grpc/grpcChannel';
import { Http2UnaryChannel } from '../../../src/triton/grpc/http2Unary';
import { grpcProtos } from '../../../src/triton/grpc/grpcProtos';
import { TritonError } from '../../../src/triton/errors';
import type { TritonClient } from '../../../src/triton/clientTypes';

let server: http2.Http2Server;
let client: TritonClient;
let lastHeaders: http2.IncomingHttpHeaders | undefined;
let lastBody: Buffer | undefined;
let bigAnswer: Buffer = Buffer.alloc(0);
let sessions = 0;
const serverSessions = new Set<http2.ServerHttp2Session>();

function framed(message: Uint8Array, flag = 0, statedLength = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(statedLength, 1);
  return Buffer.concat([prefix, message]);
}

const okMessage = (): Uint8Array => grpcProtos().types.ModelInferResponse.encode({ model_name: 'h2', model_version: '3' } as never).finish();

before(async () => {
  server = http2.createServer();
  server.on('session', (session) => {
    sessions++;
    serverSessions.add(session);
    session.on('close', () => serverSessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    // Resets and dropped sessions are the point of some modes; the server side ignores them.
    stream.on('error', () => undefined);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      lastHeaders = headers;
      lastBody = Buffer.concat(chunks);
      const grpcHeaders = { ':status': 200, 'content-type': 'application/grpc' };
      switch (headers['x-mode']) {
        case 'html404':
          stream.respond({ ':status': 404, 'content-type': 'text/html' });
          stream.end('<h1>not here</h1>');
          break;
        case 'no-status':
          stream.respond(grpcHeaders);
          stream.end(framed(okMessage()));
          break;
        case 'truncated':
          stream.respond(grpcHeaders, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(framed(okMessage(), 0, 100));
          break;
        case 'compressed':
          stream.respond(grpcHeaders, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(framed(okMessage(), 1));
          break;
        case 'trailers-only':
          stream.respond({ ...grpcHeaders, 'grpc-status': '5', 'grpc-message': encodeURIComponent('no model «x», 100%') }, { endStream: true });
          break;
        case 'refuse':
          stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          break;
        case 'reset':
          stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          break;
        case 'headers-then-nothing':
          stream.respond(grpcHeaders);
          stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          break;
        case 'drop':
          stream.session?.destroy();
          break;
        case 'hang':
          break;
        case 'big':
          stream.respond(grpcHeaders, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          stream.end(bigAnswer);
          break;
        default:
          stream.respond(grpcHeaders, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
          stream.end(framed(okMessage()));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  client = createGrpcClient({ url: `127.0.0.1:${port}`, protocol: 'grpc', headers: { authorization: 'Basic dTpw' } });
});

after(async () => {
  await client?.close();
  if (!server) return;
  // Sessions a failed test left open are ended here; server.close() alone would wait for them forever.
  for (const session of serverSessions) session.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

async function failure(mode: string, deadlineMs = 5000): Promise<TritonError> {
  try {
    await client.infer('m', [], undefined, { deadlineMs, headers: { 'x-mode': mode } });
  } catch (e) {
    assert.ok(e instanceof TritonError, String(e));
    return e;
  }
  assert.fail(`mode ${mode} should fail`);
}

test('a well-formed answer; the request is framed gRPC with the caller headers and a timeout', async () => {
  const result = await client.infer('m', [], undefined, { deadlineMs: 5000, headers: { 'x-mode': 'ok' } });
  assert.deepEqual([result.modelName, result.modelVersion], ['h2', '3']);
  assert.equal(lastHeaders?.['content-type'], 'application/grpc');
  assert.equal(lastHeaders?.te, 'trailers');
  assert.equal(lastHeaders?.authorization, 'Basic dTpw');
  assert.match(String(lastHeaders?.['grpc-timeout']), /^\d+m$/);
  assert.equal(lastHeaders?.[':path'], '/inference.GRPCInferenceService/ModelInfer');
  assert.equal(lastBody?.[0], 0);
  assert.equal(lastBody?.readUInt32BE(1), (lastBody?.length ?? 0) - 5);
});

test('a header that is not valid gRPC metadata fails that call only; calls beside it go through', async () => {
  const beside = client.infer('m', [], undefined, { deadlineMs: 5000, headers: { 'x-mode': 'ok' } });
  await assert.rejects(
    client.infer('m', [], undefined, { deadlineMs: 5000, headers: { 'bad header': 'x' } }),
    (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument' && /bad header/.test(e.message),
  );
  await assert.rejects(
    client.infer('m', [], undefined, { deadlineMs: 5000, headers: { 'x-token': 'a\r\nb' } }),
    (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument' && /x-token/.test(e.message),
  );
  assert.equal((await beside).modelName, 'h2');
  assert.equal((await client.infer('m', [], undefined, { deadlineMs: 5000, headers: { 'x-mode': 'ok' } })).modelName, 'h2');
});

test('an HTTP answer that is not gRPC maps through the gRPC HTTP status table', async () => {
  const e = await failure('html404');
  assert.equal(e.kind, 'unsupported');
  assert.match(e.message, /HTTP 404/);
});

test('missing grpc-status, a cut frame and a compressed frame are protocol errors', async () => {
  assert.equal((await failure('no-status')).kind, 'protocol');
  const cut = await failure('truncated');
  assert.equal(cut.kind, 'protocol');
  assert.match(cut.message, /states 100 byte/);
  assert.match((await failure('compressed')).message, /compressed/);
});

test('a trailers-only error keeps its code and decoded message', async () => {
  const e = await failure('trailers-only');
  assert.equal(e.kind, 'not-found');
  assert.equal(e.serverMessage, 'no model «x», 100%');
});

test('resets map like grpc-js, a dropped connection is unavailable, and the next call reconnects', async () => {
  assert.equal((await failure('refuse')).kind, 'unavailable');
  // Other resets map as grpc-js maps them (INTERNAL_ERROR → INTERNAL).
  const reset = await failure('reset');
  assert.equal(reset.kind, 'server');
  assert.match(reset.message, /RST_STREAM with code 2/);
  assert.notEqual((await failure('headers-then-nothing')).kind, 'ok');
  assert.equal((await failure('drop')).kind, 'unavailable');
  const again = await client.infer('m', [], undefined, { deadlineMs: 5000, headers: { 'x-mode': 'ok' } });
  assert.equal(again.modelName, 'h2');
});

test('a silent server hits the deadline; an abort cancels', async () => {
  assert.equal((await failure('hang', 100)).kind, 'deadline');
  const controller = new AbortController();
  const pending = client.infer('m', [], undefined, { signal: controller.signal, headers: { 'x-mode': 'hang' } });
  controller.abort();
  await assert.rejects(pending, (e: unknown) => e instanceof TritonError && e.kind === 'cancelled');
});

test('nothing listening: unavailable at once, not at the deadline', async (t) => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const dead = createGrpcClient({ url: `127.0.0.1:${port}`, protocol: 'grpc' });
  t.after(() => dead.close());
  // The deadline only bounds the test (a 'deadline' failure would fail the assertion, not hang).
  await assert.rejects(dead.infer('m', [], undefined, { deadlineMs: 20000 }), (e: unknown) => e instanceof TritonError && e.kind === 'unavailable' && /ECONNREFUSED/.test(e.message));
});

test('a peer that accepts the connection but never speaks HTTP/2 fails a call without a deadline', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((r) => silent.close(() => r()));
  });
  const port = (silent.address() as { port: number }).port;
  // A short connect timeout of the channel's own; the client's default is 20 s.
  const channel = new Http2UnaryChannel({ address: `127.0.0.1:${port}`, tls: false }, undefined, 1 << 20, 300);
  t.after(() => channel.close());
  const started = Date.now();
  const call = channel.call({ path: '/inference.GRPCInferenceService/ModelInfer', message: Buffer.alloc(0), headers: {}, label: 'silent' });
  // Bounds the test only: without the connect timeout the call would never settle.
  const guard = new AbortController();
  const timer = setTimeout(() => guard.abort(), 10000);
  t.after(() => clearTimeout(timer));
  const bounded = Promise.race([call, new Promise((_, reject) => guard.signal.addEventListener('abort', () => reject(new Error('the call never settled'))))]);
  await assert.rejects(bounded, (e: unknown) => e instanceof TritonError && e.kind === 'unavailable' && /no HTTP\/2 answer/.test(e.message));
  assert.equal(sockets.size, 1, 'the TCP connection itself was made');
  assert.ok(Date.now() - started < 5000);
});

test('a 3 MiB answer arrives whole through the larger flow-control window', async () => {
  const big = grpcProtos().types.ModelInferResponse.encode({
    model_name: 'big', outputs: [{ name: 'O', datatype: 'UINT8', shape: [3 << 20] }], raw_output_contents: [Buffer.alloc(3 << 20, 7)],
  } as never).finish();
  bigAnswer = framed(big);
  const result = await client.infer('m', [], undefined, { deadlineMs: 10000, headers: { 'x-mode': 'big' } });
  const data = result.outputs[0]?.data as Uint8Array;
  assert.equal(data.length, 3 << 20);
  assert.equal(data[data.length - 1], 7);
});

test('one connection carries consecutive calls; one idle for minutes is replaced', async (t) => {
  const ok = (): Promise<unknown> => client.infer('m', [], undefined, { deadlineMs: 5000, headers: { 'x-mode': 'ok' } });
  await ok();
  const before = sessions;
  await ok();
  await ok();
  assert.equal(sessions, before, 'calls reuse the connection');
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 6 * 60 * 1000 });
  await ok();
  assert.equal(sessions, before + 1, 'an idle connection is replaced');
});

test('clients of the same server share one channel until the last one closes', async (t) => {
  const port = (server.address() as { port: number }).port;
  const opened = openChannelCount();
  // A response limit of their own keeps a and b off the channel the other tests use.
  const a = createGrpcClient({ url: `127.0.0.1:${port}`, protocol: 'grpc', maxResponseBytes: 12345, headers: { 'x-mode': 'ok' }, deadlineMs: 6000 });
  const b = createGrpcClient({ url: `grpc://127.0.0.1:${port}`, protocol: 'grpc', maxResponseBytes: 12345, headers: { 'x-mode': 'ok', authorization: 'other' }, deadlineMs: 4000 });
  const other = createGrpcClient({ url: `127.0.0.1:${port}`, protocol: 'grpc', maxResponseBytes: 54321, headers: { 'x-mode': 'ok' } });
  // Closing twice is harmless; this only matters when an assertion below fails.
  t.after(async () => {
    await a.close();
    await b.close();
    await other.close();
  });
  assert.equal(openChannelCount(), opened + 2, 'same settings share; a different response limit does not');
  const before = sessions;
  await a.infer('m', []);
  await b.infer('m', []);
  assert.equal(lastHeaders?.authorization, 'other', 'headers stay per client');
  assert.equal(sessions, before + 1, 'one connection for both clients');
  await a.close();
  await assert.rejects(a.infer('m', []), (e: unknown) => e instanceof TritonError && e.kind === 'cancelled');
  assert.equal((await b.infer('m', [])).modelName, 'h2', 'the other client keeps working');
  await b.close();
  await other.close();
  assert.equal(openChannelCount(), opened);
});
