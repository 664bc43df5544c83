// TLS and mutual TLS on both gRPC paths (grpc-js for admin calls and streams, direct HTTP/2 for
// infer), with certificates made by openssl for this run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { Http2UnaryChannel } from '../../../src/triton/grpc/http2Unary';
import { grpcProtos } from '../../../src/triton/grpc/grpcProtos';
import { TritonError } from '../../../src/triton/errors';
import type { TlsOptions } from '../../../src/triton/clientTypes';
import { startTestServer } from './grpcTestServer';
import type { TestServer } from './grpcTestServer';

let dir: string;
let server: TestServer;
let ca: string;
let clientCert: string;
let clientKey: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 20000 });
}

/** A key and a certificate signed by the test CA, valid for 127.0.0.1. */
function issue(name: string): void {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grpc-tls-'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
  issue('server');
  issue('client');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  ca = read('ca.pem');
  clientCert = read('client.pem');
  clientKey = read('client.key');
  const credentials = grpc.ServerCredentials.createSsl(Buffer.from(ca), [{ private_key: Buffer.from(read('server.key')), cert_chain: Buffer.from(read('server.pem')) }], true);
  const responseType = grpcProtos().types.ModelInferResponse;
  server = await startTestServer({
    ServerLive: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { live: true }),
    ModelInfer: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      // Echo the client certificate's CN so the test sees which identity the server got.
      const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN ?? '';
      cb(null, Buffer.from(responseType.encode({ model_name: 'tls', id: String(cn) } as never).finish()));
    },
  }, { credentials, rawRequests: ['ModelInfer'], rawResponses: ['ModelInfer'] });
});

after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof TritonError, String(e));
    return e.kind;
  }
}

function clientWith(tls: TlsOptions, url = server.url): ReturnType<typeof createGrpcClient> {
  return createGrpcClient({ url, protocol: 'grpc', tls, deadlineMs: 5000 });
}

test('mutual TLS: admin calls (grpc-js) and infer (direct HTTP/2) both present the client certificate', async () => {
  const client = clientWith({ ca, cert: clientCert, key: clientKey });
  assert.equal(await client.isServerLive(), true);
  const result = await client.infer('tls', []);
  assert.equal(result.modelName, 'tls');
  assert.equal(result.id, 'client', 'the server saw the client certificate');
  await client.close();
});

test('grpcs:// with the CA but no client certificate is refused on both paths', async () => {
  const client = createGrpcClient({ url: `grpcs://${server.url}`, protocol: 'grpc', tls: { ca }, deadlineMs: 5000 });
  assert.equal(await kindOf(client.serverMetadata()), 'unavailable');
  assert.equal(await kindOf(client.infer('tls', [])), 'unavailable');
  await client.close();
});

test('an untrusted server certificate is refused unless insecure is set', async () => {
  const strict = clientWith({ cert: clientCert, key: clientKey });
  assert.equal(await kindOf(strict.serverMetadata()), 'unavailable');
  assert.equal(await kindOf(strict.infer('tls', [])), 'unavailable');
  await strict.close();
  const lax = clientWith({ insecure: true, cert: clientCert, key: clientKey });
  assert.equal(await lax.isServerLive(), true);
  assert.equal((await lax.infer('tls', [])).modelName, 'tls');
  await lax.close();
});

test('a plaintext client against the TLS port fails cleanly', async () => {
  const plain = createGrpcClient({ url: server.url, protocol: 'grpc', deadlineMs: 3000 });
  assert.notEqual(await kindOf(plain.infer('tls', [])), 'ok');
  await assert.rejects(plain.isServerLive(), TritonError);
  await plain.close();
});

test('a certificate without its key is refused before connecting', () => {
  assert.throws(() => clientWith({ ca, cert: clientCert }), /certificate and key must be given together/);
});

test('a TLS server that does not agree to HTTP/2 (no ALPN h2) fails the direct call as unavailable, saying so', async (t) => {
  const tlsServer = createTlsServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (socket) => socket.on('error', () => undefined));
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => tlsServer.close(() => r())));
  const port = (tlsServer.address() as AddressInfo).port;
  const client = createGrpcClient({ url: `grpcs://127.0.0.1:${port}`, protocol: 'grpc', tls: { ca }, deadlineMs: 5000 });
  t.after(() => client.close());
  await assert.rejects(client.infer('tls', []), (e: unknown) => e instanceof TritonError && e.kind === 'unavailable' && /did not agree to HTTP\/2 over TLS \(ALPN gave nothing\)/.test(e.message));
});

test('TLS options the socket cannot use (a malformed key) fail the direct call as unavailable, not with a raw error', async () => {
  const channel = new Http2UnaryChannel({ address: server.url, tls: true }, { cert: 'not a certificate', key: 'not a key' }, 1 << 20);
  try {
    await assert.rejects(
      channel.call({ path: '/inference.GRPCInferenceService/ModelInfer', message: Buffer.alloc(0), headers: {}, label: 'bad key', deadline: Date.now() + 5000 }),
      (e: unknown) => e instanceof TritonError && e.kind === 'unavailable' && /cannot talk to the server: .*PEM/.test(e.message),
    );
  } finally {
    channel.close();
  }
});
