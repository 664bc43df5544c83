import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { TritonError } from '../../../src/triton/errors';
import type { InferInput } from '../../../src/triton/types';

/** What the server does with the n-th request (1-based) on a connection, once its headers are in. */
type Behaviour = (req: IncomingMessage, res: ServerResponse, nthOnSocket: number) => void;

let behaviour: Behaviour = (_req, res) => answer(res);
let server: http.Server;
let url: string;
/** Requests whose headers arrived, and requests whose whole body was read. */
let started = 0;
let completed = 0;
const sockets = new Set<Socket>();
const perSocket = new WeakMap<Socket, number>();

before(async () => {
  server = http.createServer((req, res) => {
    started++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    behaviour(req, res, n);
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ANSWER = JSON.stringify({ model_name: 'm', model_version: '1', outputs: [] });

/** Reads the whole body, then answers (counting it as completed). */
function answer(res: ServerResponse): void {
  const req = res.req;
  req.resume();
  req.on('end', () => {
    completed++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length });
    res.end(ANSWER);
  });
}

/** Reads the whole body, then kills the connection after `ms` without answering: a server dying mid-request. */
function dieAfterReading(req: IncomingMessage, ms: number): void {
  req.resume();
  req.on('end', () => {
    completed++;
    setTimeout(() => req.socket.destroy(), ms);
  });
}

function newClient(): TritonClient {
  return createTritonClient({ url, protocol: 'http', concurrency: 1, deadlineMs: 20_000 });
}

const small: InferInput[] = [{ name: 'I', datatype: 'INT32', shape: [1], data: [1] }];

async function lost(promise: Promise<unknown>): Promise<TritonError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TritonError, `expected a TritonError, got ${String(error)}`);
    assert.equal(error.kind, 'unavailable', error.message);
    assert.match(error.message, /the connection was lost during the request \(/);
    assert.doesNotMatch(error.message, /cannot reach/);
    return error;
  }
  assert.fail('expected the call to fail');
}

function counts(): { started: number; completed: number } {
  return { started, completed };
}

function reset(): void {
  started = 0;
  completed = 0;
}

test('a 64 MiB inference whose server died after reading it is sent once and reported as a lost connection', async () => {
  const client = newClient();
  behaviour = (_req, res, n) => (n === 1 ? answer(res) : dieAfterReading(res.req, 0));
  await client.infer('m', small);
  reset();
  const big: InferInput[] = [{ name: 'I', datatype: 'FP32', shape: [16 * 1024 * 1024], data: new Float32Array(16 * 1024 * 1024) }];
  const error = await lost(client.infer('m', big));
  assert.match(error.message, /^POST \/v2\/models\/m\/infer: the connection was lost during the request \(ECONNRESET: socket hang up\)$/);
  assert.deepEqual(counts(), { started: 1, completed: 1 }, 'the request went out exactly once');
  await client.close();
});

test('a small request the server read before dying is not sent again', async () => {
  const client = newClient();
  // Well past the replay window (a round trip plus 200 ms): the server had the request and ran it.
  behaviour = (_req, res, n) => (n === 1 ? answer(res) : dieAfterReading(res.req, 600));
  await client.infer('m', small);
  reset();
  await lost(client.infer('m', small));
  assert.deepEqual(counts(), { started: 1, completed: 1 });
  // The same for a GET: idempotent, yet read by the server.
  await client.infer('m', small);
  reset();
  await lost(client.modelConfig('m'));
  assert.deepEqual(counts(), { started: 1, completed: 1 });
  await client.close();
});

test('the stale keep-alive race is replayed once: a kept-alive socket closed as the request arrived', async () => {
  const client = newClient();
  // The server closes the connection on the second request without reading it: an idle close racing the request.
  behaviour = (req, res, n) => (n === 2 ? req.socket.destroy() : answer(res));
  await client.infer('m', small);
  reset();
  assert.equal((await client.infer('m', small)).modelName, 'm');
  assert.deepEqual(counts(), { started: 2, completed: 1 });
  // A big body counts as unread when it could not all be written.
  await client.infer('m', small);
  reset();
  const big: InferInput[] = [{ name: 'I', datatype: 'FP32', shape: [4 * 1024 * 1024], data: new Float32Array(4 * 1024 * 1024) }];
  assert.equal((await client.infer('m', big)).modelName, 'm');
  assert.deepEqual(counts(), { started: 2, completed: 1 });
  // A sequence request is never replayed, race or not.
  await client.infer('m', small);
  await lost(client.infer('m', small, undefined, { sequenceId: 9, sequenceStart: true }));
  await client.close();
});

test('a replay that cannot connect still reports the lost connection, not an unreachable server', async () => {
  const client = newClient();
  behaviour = (req, res, n) => {
    if (n === 1) { answer(res); return; }
    // Gone for good: the listener closes too, so the replay meets a refused connection.
    server.close();
    req.socket.destroy();
  };
  await client.infer('m', small);
  const error = await lost(client.infer('m', small));
  assert.match(error.message, /sending it again failed too: ECONNREFUSED\)$/);
  await client.close();
  await new Promise<void>((resolve) => server.listen(Number(url.split(':')[1]), '127.0.0.1', resolve));
});

test('a fresh connection the server accepted and then dropped is a lost connection too', async () => {
  const client = newClient();
  behaviour = (req) => dieAfterReading(req, 0);
  reset();
  await lost(client.isServerLive());
  assert.deepEqual(counts(), { started: 1, completed: 1 });
  await client.close();
});

test('a server answering in something other than HTTP/1.1 was reached: it is not called unreachable', async () => {
  const { createServer } = await import('node:net');
  const garbage = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('\x00\x00\x12\x04\x00\x00\x00\x00\x00'));
  });
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  const client = createTritonClient({ url: `127.0.0.1:${(garbage.address() as AddressInfo).port}`, protocol: 'http', deadlineMs: 5000 });
  try {
    await assert.rejects(client.isServerLive(), (error: unknown) => error instanceof TritonError && error.kind === 'unavailable'
      && /^GET \/v2\/health\/live: the server's answer is not HTTP\/1\.1 \(HPE_/.test(error.message));
  } finally {
    await client.close();
    await new Promise<void>((resolve) => garbage.close(() => resolve()));
  }
});
