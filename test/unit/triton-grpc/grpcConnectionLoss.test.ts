// A gRPC server that dies after reading a request: the call fails once, as a lost connection, over the
// direct HTTP/2 path and the grpc-js path alike, with the same kind and wording as over HTTP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { TritonError } from '../../../src/triton/errors';
import type { InferInput } from '../../../src/triton/types';

let server: http2.Http2Server;
let url: string;
let started = 0;
let completed = 0;
const sessions = new Set<http2.ServerHttp2Session>();
/** The raw TCP sockets (a session's own socket refuses to be destroyed directly). */
const sockets = new Set<Socket>();

before(async () => {
  server = http2.createServer();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  server.on('stream', (stream) => {
    started++;
    stream.on('error', () => undefined);
    stream.resume();
    // The whole request arrives, then the process "dies": the TCP connection goes without a word.
    stream.on('end', () => {
      completed++;
      for (const socket of sockets) socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const session of sessions) session.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const inputs: InferInput[] = [{ name: 'I', datatype: 'FP32', shape: [1024], data: new Float32Array(1024) }];

for (const [path, options] of [['direct HTTP/2', {}], ['grpc-js (compressed request)', { compression: 'gzip' as const }]] as const) {
  test(`${path}: a server dying after reading the request is a lost connection, sent once`, async () => {
    const client = createGrpcClient({ url, protocol: 'grpc', deadlineMs: 10_000 });
    started = 0;
    completed = 0;
    try {
      await client.infer('m', inputs, undefined, options);
      assert.fail('the call should fail');
    } catch (error) {
      assert.ok(error instanceof TritonError, String(error));
      assert.equal(error.kind, 'unavailable', error.message);
      assert.match(error.message, /^ModelInfer m: the connection was lost during the request \(.+\)$/);
      assert.doesNotMatch(error.message, /cannot (reach|talk)/);
    } finally {
      await client.close();
    }
    assert.deepEqual({ started, completed }, { started: 1, completed: 1 });
  });
}
