import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTritonClient } from '../../../src/triton/client';
import { TritonError } from '../../../src/triton/errors';

// Real certificates made with the system openssl; without openssl these tests cannot run at all.
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = hasOpenssl() ? false : 'openssl is not installed, so no test certificates can be made';

let dir = '';
let server: https.Server | undefined;
let port = 0;
let serverCert = '';
let serverKey = '';
let clientCert = '';
let clientKey = '';
/** Per request: whether its TLS connection resumed an earlier session. */
const resumed: boolean[] = [];

function selfSigned(name: string, cn: string, san: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'triton-tls-'));
  const srv = selfSigned('server', '127.0.0.1', 'IP:127.0.0.1');
  const cli = selfSigned('client', 'workbench-client', 'DNS:client');
  serverCert = srv.cert;
  serverKey = srv.key;
  clientCert = cli.cert;
  clientKey = cli.key;
  server = https.createServer({ cert: srv.cert, key: srv.key, ca: cli.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    resumed.push((req.socket as TLSSocket).isSessionReused());
    const body = JSON.stringify({ name: 'triton', version: peer.subject?.CN ?? 'anonymous', extensions: [] });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  // close() waits for open connections; one a failed test left behind must not hold the file open.
  server?.closeAllConnections();
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('HTTPS with a trusted CA and a client certificate', { skip }, async () => {
  const client = createTritonClient({ url: `https://127.0.0.1:${port}`, protocol: 'http', deadlineMs: 5000, tls: { ca: serverCert, cert: clientCert, key: Buffer.from(clientKey) } });
  const meta = await client.serverMetadata();
  // The server echoes the client certificate's CN: mutual TLS happened.
  assert.equal(meta.version, 'workbench-client');
  await client.close();
});

test('HTTPS refuses an untrusted certificate unless told to skip verification', { skip }, async () => {
  const strict = createTritonClient({ url: `127.0.0.1:${port}`, protocol: 'http', deadlineMs: 5000, tls: {} });
  await assert.rejects(strict.serverMetadata(), (e: unknown) => e instanceof TritonError && e.kind === 'unavailable' && /TLS|certificate/i.test(e.message));
  await strict.close();
  const insecure = createTritonClient({ url: `https://127.0.0.1:${port}`, protocol: 'http', deadlineMs: 5000, tls: { insecure: true } });
  assert.equal((await insecure.serverMetadata()).version, 'anonymous');
  await insecure.close();
});

test('HTTPS connections after the first resume its TLS session instead of a full handshake', { skip }, async () => {
  const client = createTritonClient({ url: `https://127.0.0.1:${port}`, protocol: 'http', concurrency: 3, deadlineMs: 5000, tls: { ca: serverCert, cert: clientCert, key: clientKey } });
  resumed.length = 0;
  await client.serverMetadata();
  // Three at once: the kept-alive connection and two new ones.
  const metas = await Promise.all([client.serverMetadata(), client.serverMetadata(), client.serverMetadata()]);
  assert.deepEqual(metas.map((m) => m.version), ['workbench-client', 'workbench-client', 'workbench-client']);
  assert.equal(resumed[0], false);
  assert.equal(resumed.filter(Boolean).length, 2, `resumed per request: ${resumed.join(', ')}`);
  await client.close();
});

test('HTTPS to a server that demands a client certificate the call lacks: a TLS failure that says so', { skip }, async () => {
  const strict = https.createServer({ cert: serverCert, key: serverKey, ca: clientCert, requestCert: true, rejectUnauthorized: true }, (_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => strict.listen(0, '127.0.0.1', resolve));
  const client = createTritonClient({ url: `https://127.0.0.1:${(strict.address() as AddressInfo).port}`, protocol: 'http', deadlineMs: 5000, tls: { ca: serverCert } });
  try {
    await assert.rejects(client.serverMetadata(), (e: unknown) => e instanceof TritonError && e.kind === 'unavailable'
      && /^GET \/v2: TLS failure \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\): the server requires a client certificate \(tls\.cert and tls\.key\)$/.test(e.message));
  } finally {
    await client.close();
    strict.closeAllConnections();
    await new Promise<void>((resolve) => strict.close(() => resolve()));
  }
});

test('HTTPS with a client key that does not match its certificate: each call fails clearly, nothing is left behind', { skip }, async () => {
  const client = createTritonClient({ url: `https://127.0.0.1:${port}`, protocol: 'http', concurrency: 2, tls: { ca: serverCert, cert: clientCert, key: serverKey } });
  const controller = new AbortController();
  for (let i = 0; i < 3; i++) {
    await assert.rejects(client.serverMetadata({ signal: controller.signal }), (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument'
      && /^GET \/v2: the TLS options cannot be used: .*key values mismatch/.test(e.message));
  }
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'no call still listens for the abort');
  await client.close();
});
