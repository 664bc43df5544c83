// The catalog with the real Triton client over loopback: auth failures, TLS mismatches, dead ports,
// garbage answers and cancelled loads each end as a clear state or error, never a hang or a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientFor } from '../../../src/services/clientFactory';
import { ModelCatalog } from '../../../src/services/modelCatalog';
import type { SecretStore, ServerConfig } from '../../../src/services/serverConfig';
import { writeSecretHeaders } from '../../../src/services/serverConfig';

function memorySecrets(): SecretStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, get: async (k) => map.get(k), store: async (k, v) => void map.set(k, v), delete: async (k) => void map.delete(k) };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A small Triton look-alike: health, metadata and an index, with the index answer chosen per test. */
function tritonLike(index: (res: ServerResponse) => void, guard?: (req: IncomingMessage, res: ServerResponse) => boolean): Handler {
  return (req, res) => {
    req.resume();
    if (guard !== undefined && !guard(req, res)) return;
    if (req.url === '/v2/health/live' || req.url === '/v2/health/ready') return void res.writeHead(200, { 'Content-Length': 0 }).end();
    if (req.url === '/v2') return json(res, 200, { name: 'triton', version: '2.59.1', extensions: ['statistics'] });
    if (req.url === '/v2/repository/index') return index(res);
    json(res, 404, { error: 'Not Found' });
  };
}

function catalogFor(server: ServerConfig, secrets: SecretStore = memorySecrets()): ModelCatalog {
  const catalog = new ModelCatalog({ createClient: (s) => createClientFor(s, secrets), quickDeadlineMs: 3_000 });
  catalog.setServers([server]);
  return catalog;
}

test('401 from an auth proxy is reported as such, and a stored token gets through', async () => {
  const seen: (string | undefined)[] = [];
  const guard = (req: IncomingMessage, res: ServerResponse): boolean => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization === 'Bearer s3cret') return true;
    json(res, 401, { error: 'missing or wrong token' });
    return false;
  };
  const srv = await listen(tritonLike((res) => json(res, 200, [{ name: 'm', version: '1', state: 'READY' }]), guard));
  try {
    const secrets = memorySecrets();
    const catalog = catalogFor({ name: 'auth', httpUrl: srv.url, protocol: 'http' }, secrets);
    assert.equal(await catalog.refreshServer('auth'), 'unreachable');
    const problem = catalog.server('auth')!.health.problem!;
    assert.equal(problem.kind, 'unauthenticated');
    assert.match(problem.message, /missing or wrong token/);
    await writeSecretHeaders(secrets, { name: 'auth', httpUrl: srv.url, protocol: 'http' }, { Authorization: 'Bearer s3cret' });
    catalog.resetClient('auth');
    assert.equal(await catalog.refreshServer('auth'), 'ok');
    assert.equal(catalog.server('auth')!.health.state, 'ready');
    assert.deepEqual([...catalog.server('auth')!.models!.keys()], ['m']);
    assert.equal(seen.at(-1), 'Bearer s3cret');
    catalog.dispose();
  } finally {
    await srv.close();
  }
});

test('a token saved for a server is never sent to another URL under the same name', async () => {
  const seen: (string | undefined)[] = [];
  const other = await listen(tritonLike((res) => json(res, 200, []), (req) => {
    seen.push(req.headers.authorization);
    return true;
  }));
  try {
    const secrets = memorySecrets();
    await writeSecretHeaders(secrets, { name: 'prod', httpUrl: 'https://triton.corp:8000', protocol: 'http' }, { Authorization: 'Bearer s3cret', 'x-api-key': 'k' });
    // A workspace's settings reuse the name for another address.
    const catalog = catalogFor({ name: 'prod', httpUrl: other.url, protocol: 'http' }, secrets);
    assert.equal(await catalog.refreshServer('prod'), 'unreachable');
    const problem = catalog.server('prod')!.health.problem!;
    assert.equal(problem.kind, 'unauthenticated');
    assert.match(problem.message, /saved for https:\/\/triton\.corp:8000, not for http:\/\/127\.0\.0\.1:\d+, so they are not sent.*enter the token again/);
    assert.deepEqual(seen, [], 'the other address was not contacted with the secrets');
    catalog.dispose();
  } finally {
    await other.close();
  }
});

test('an https URL against a plain HTTP server is a TLS problem, a dead port an unreachable one', async () => {
  const srv = await listen(tritonLike((res) => json(res, 200, [])));
  try {
    const catalog = catalogFor({ name: 'tls', httpUrl: srv.url.replace('http:', 'https:'), protocol: 'http' });
    assert.equal(await catalog.refreshServer('tls'), 'unreachable');
    const problem = catalog.server('tls')!.health.problem!;
    assert.equal(problem.kind, 'tls', JSON.stringify(problem));
    catalog.dispose();
  } finally {
    await srv.close();
  }
  const dead = catalogFor({ name: 'dead', httpUrl: srv.url, protocol: 'http' });
  const started = Date.now();
  assert.equal(await dead.refreshServer('dead'), 'unreachable');
  assert.ok(Date.now() - started < 3_000, 'a refused connection fails fast');
  assert.match(dead.server('dead')!.health.problem!.message, /ECONNREFUSED/);
  dead.dispose();
});

test('a garbage or oversized index is an index problem on a server that is otherwise healthy', async () => {
  let mode: 'garbage' | 'shape' | 'good' = 'garbage';
  const srv = await listen(tritonLike((res) => {
    if (mode === 'garbage') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('[{"name": "m", ');
    if (mode === 'shape') return json(res, 200, { not: 'an array' });
    json(res, 200, [{ name: 'm', version: '1', state: 'UNAVAILABLE', reason: 'x'.repeat(100_000) }]);
  }));
  try {
    const catalog = catalogFor({ name: 'g', httpUrl: srv.url, protocol: 'http' });
    assert.equal(await catalog.refreshServer('g'), 'ok');
    assert.equal(catalog.server('g')!.health.state, 'ready');
    assert.ok(catalog.server('g')!.indexProblem, 'truncated JSON is reported');
    mode = 'shape';
    await catalog.refreshServer('g');
    assert.ok(catalog.server('g')!.indexProblem, 'an object instead of an array is reported');
    mode = 'good';
    await catalog.refreshServer('g');
    assert.equal(catalog.server('g')!.indexProblem, undefined);
    assert.ok(catalog.model('g', 'm')!.reason!.length <= 2_001, 'a huge reason is clipped');
    catalog.dispose();
  } finally {
    await srv.close();
  }
});

test('a load the server never answers is cancelled by the signal', async () => {
  const srv = await listen((req, res) => {
    req.resume();
    if (req.url?.endsWith('/load')) return; // never answers
    tritonLike((r) => json(r, 200, [{ name: 'slow', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' }]))(req, res);
  });
  try {
    const catalog = catalogFor({ name: 's', httpUrl: srv.url, protocol: 'http' });
    await catalog.refreshServer('s');
    const controller = new AbortController();
    const pending = catalog.load('s', 'slow', undefined, controller.signal);
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await assert.rejects(pending, (e: unknown) => (e as { kind?: string }).kind === 'cancelled');
    assert.ok(Date.now() - started < 2_000);
    assert.equal(catalog.model('s', 'slow')!.state, 'UNAVAILABLE', 'the LOADING mark is replaced by what the server says');
    catalog.dispose();
  } finally {
    await srv.close();
  }
});

test('a tls block (meant for gRPC) keeps an http:// server on plain HTTP', async () => {
  const srv = await listen(tritonLike((res) => json(res, 200, [{ name: 'm', version: '1', state: 'READY' }])));
  const dir = await mkdtemp(join(tmpdir(), 'tw-tls-'));
  try {
    await writeFile(join(dir, 'ca.pem'), 'not used by plain HTTP\n');
    const catalog = catalogFor({ name: 'plain', httpUrl: srv.url, grpcUrl: '127.0.0.1:1', protocol: 'http', tls: { caFile: join(dir, 'ca.pem') } });
    assert.equal(await catalog.refreshServer('plain'), 'ok', JSON.stringify(catalog.server('plain')!.health));
    assert.equal(catalog.server('plain')!.health.state, 'ready');
    catalog.dispose();
  } finally {
    await srv.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a TLS file that cannot be read is named in the error', async () => {
  const catalog = catalogFor({ name: 'certs', httpUrl: 'https://127.0.0.1:1', protocol: 'http', tls: { caFile: '/nonexistent/ca.pem' } });
  assert.equal(await catalog.refreshServer('certs'), 'unreachable');
  const problem = catalog.server('certs')!.health.problem!;
  assert.match(problem.message, /cannot read the TLS CA file of server 'certs' \(\/nonexistent\/ca\.pem/);
  catalog.dispose();
});

test('a TLS path that is a FIFO, a device or a huge file is refused at once, naming the setting and path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tw-tlsfile-'));
  try {
    const fifo = join(dir, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big.pem');
    await writeFile(big, Buffer.alloc(2 * 1024 * 1024, 0x41));
    const cases: [string, RegExp][] = [[fifo, /not a regular file/], ['/dev/zero', /not a regular file/], [big, /2097152 bytes/]];
    for (const [path, why] of cases) {
      const catalog = catalogFor({ name: 'certs', httpUrl: 'https://127.0.0.1:1', protocol: 'http', tls: { caFile: path } });
      const started = Date.now();
      assert.equal(await catalog.refreshServer('certs'), 'unreachable');
      assert.ok(Date.now() - started < 2_000, `${path} answered in ${Date.now() - started} ms`);
      const message = catalog.server('certs')!.health.problem!.message;
      assert.ok(message.includes(`(${path}, setting triton.servers`), message);
      assert.match(message, why);
      catalog.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
