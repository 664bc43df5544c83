// The client's own HTTP/1.1 layer against real sockets: a net server in the test writes exact answer
// bytes (split where the test says), so framing, hostile answers and the connection pool are checked
// on the wire rather than through node:http's server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { TritonError } from '../../../src/triton/errors';
import type { TritonErrorKind } from '../../../src/triton/errors';
import { ResponseParser } from '../../../src/triton/http/h1/responseParser';
import { pause, rejectsWith } from './tritonErrors';
import type { ResponseHeaders } from '../../../src/triton/http/h1/responseParser';

/** One request as the raw server saw it. */
interface RawRequest {
  head: string;
  body: Buffer;
  /** 1-based index of the request on its connection. */
  nth: number;
  socket: Socket;
}

type Answerer = (request: RawRequest) => void;

let answerer: Answerer = ({ socket }) => socket.destroy();
let server: net.Server;
let hostPort: string;
let accepted = 0;
/** Connections accepted since the last resetCounts() that are still open, and the most open at once. */
let open = 0;
let peakOpen = 0;
let generation = 0;
const sockets = new Set<Socket>();

/** Reads requests off each connection (head up to CRLFCRLF, then Content-Length bytes) and hands each to `answerer`. */
before(async () => {
  server = net.createServer((socket) => {
    accepted++;
    open++;
    peakOpen = Math.max(peakOpen, open);
    const born = generation;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => { if (born === generation) open--; sockets.delete(socket); });
    let buffered = Buffer.alloc(0);
    let nth = 0;
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length);
        buffered = buffered.subarray(end + 4 + length);
        answerer({ head, body, nth: ++nth, socket });
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  hostPort = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((done) => server.close(() => done()));
});

function resetCounts(): void {
  generation++;
  accepted = 0;
  open = 0;
  peakOpen = 0;
}

function newClient(concurrency = 1): TritonClient {
  return createTritonClient({ url: hostPort, protocol: 'http', concurrency, deadlineMs: 5000 });
}

const METADATA = JSON.stringify({ name: 'triton', version: '2.59.1', extensions: ['a', 'b'] });

function withLength(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The metadata body in chunks, with an extension, a chunk of size in upper-case hex, and trailers. */
const CHUNKED = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
  + `5;name=value\r\n${METADATA.slice(0, 5)}\r\n`
  + `${(METADATA.length - 15).toString(16).toUpperCase()}\r\n${METADATA.slice(5, -10)}\r\n`
  + `a ; quoted="x;y"\r\n${METADATA.slice(-10)}\r\n`
  + '0\r\nX-Checksum: none\r\nX-Other: 1\r\n\r\n', 'latin1');


test('the parser gives the same answer whichever bytes arrive together, down to one byte at a time', () => {
  const collect = (pieces: Buffer[]): { status: number; headers: ResponseHeaders; body: string; reusable: boolean[] } => {
    let status = 0;
    let headers: ResponseHeaders = {};
    const body: Buffer[] = [];
    const reusable: boolean[] = [];
    const parser = new ResponseParser({
      onHead: (s, h) => { status = s; headers = h; },
      onBody: (chunk) => body.push(Buffer.from(chunk)),
      onComplete: (r) => reusable.push(r),
    });
    parser.expect();
    for (const piece of pieces) parser.execute(piece);
    return { status, headers, body: Buffer.concat(body).toString(), reusable };
  };
  const whole = collect([CHUNKED]);
  assert.deepEqual(whole, { status: 200, headers: { 'content-type': 'application/json' }, body: METADATA, reusable: [true] });
  assert.deepEqual(collect([...CHUNKED].map((byte) => Buffer.of(byte))), whole);
  for (let a = 1; a < CHUNKED.length; a += 7) {
    for (let b = a; b <= CHUNKED.length; b += 5) {
      assert.deepEqual(collect([CHUNKED.subarray(0, a), CHUNKED.subarray(a, b), CHUNKED.subarray(b)]), whole, `cut at ${a} and ${b}`);
    }
  }
});

test('a chunked answer split at every byte boundary on a real socket, all on one kept-alive connection', async () => {
  const client = newClient();
  resetCounts();
  let cut = 0;
  answerer = ({ socket }) => {
    const at = cut++;
    socket.write(CHUNKED.subarray(0, at), () => setTimeout(() => socket.write(CHUNKED.subarray(at)), 2));
  };
  for (let i = 0; i <= CHUNKED.length; i++) {
    const metadata = await client.serverMetadata();
    assert.deepEqual({ ...metadata }, { name: 'triton', version: '2.59.1', extensions: ['a', 'b'] }, `cut at ${i}`);
  }
  assert.equal(accepted, 1, 'every answer left the connection reusable');
  await client.close();
});

test('interim 1xx answers are skipped; 204 and 304 carry no body and keep the connection', async () => {
  const client = newClient();
  resetCounts();
  answerer = ({ socket, head }) => {
    if (head.startsWith('GET /v2/health/live')) socket.write('HTTP/1.1 204 No Content\r\nContent-Type: text/plain\r\n\r\n');
    else if (head.startsWith('GET /v2/health/ready')) socket.write('HTTP/1.1 304 Not Modified\r\n\r\n');
    else socket.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${withLength(METADATA)}`);
  };
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(await client.isServerLive(), false);
  assert.equal(await client.isServerReady(), false);
  assert.equal((await client.serverMetadata()).version, '2.59.1');
  assert.equal(accepted, 1);
  await client.close();
});

test('close-delimited bodies, HTTP/1.0 and Connection: close end with the connection, which is not reused', async () => {
  const client = newClient();
  resetCounts();
  answerer = ({ socket, nth }) => {
    if (nth > 1) { socket.destroy(); return; }
    switch (accepted % 3) {
      case 1: socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${METADATA}`); break;
      case 2: socket.write(`HTTP/1.0 200 OK\r\n\r\n${METADATA}`, () => setTimeout(() => socket.end(), 20)); break;
      default: socket.write(withLength(METADATA, 'Connection: keep-alive, Close\r\n'));
    }
  };
  for (let i = 0; i < 6; i++) assert.equal((await client.serverMetadata()).name, 'triton', `call ${i}`);
  assert.equal(accepted, 6, 'one connection per answer');
  await client.close();
});

test('hostile answers are clear errors: huge header block, bad or conflicting lengths, CL with TE, bad chunks, 101', async () => {
  const client = newClient();
  const cases: Array<[string | Buffer, TritonErrorKind, RegExp]> = [
    [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}`, 'protocol', /invalid HTTP answer: the answer's header block exceeds 65536 bytes$/],
    [`HTTP/1.1 200 OK\r\n${'X-Many: b\r\n'.repeat(7000)}\r\n`, 'protocol', /header block exceeds 65536 bytes/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n', 'protocol', /invalid Content-Length '12abc'/],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'protocol', /invalid Content-Length '-1'/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n', 'protocol', /invalid Content-Length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello', 'protocol', /conflicting Content-Length headers '5' and '6'/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 'protocol', /both Content-Length and Transfer-Encoding/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', 'protocol', /unsupported Transfer-Encoding 'gzip'/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'protocol', /invalid character 0x7a in a chunk size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXY', 'protocol', /chunk data not followed by CRLF/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n', 'protocol', /chunk size too large/],
    ['HTTP/1.1 200 OK\r\nBad Header Line\r\n\r\n', 'protocol', /malformed header line 'Bad Header Line'/],
    ['HTTP/1.1 200 OK\r\n folded: x\r\n\r\n', 'protocol', /folded header lines are not allowed/],
    ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n', 'protocol', /switched protocols \(101\)/],
  ];
  for (const [bytes, kind, pattern] of cases) {
    answerer = ({ socket }) => socket.write(bytes);
    const started = Date.now();
    await rejectsWith(client.serverMetadata(), kind, pattern);
    assert.ok(Date.now() - started < 2000, `${pattern} took ${Date.now() - started} ms`);
  }
  // The connection of a broken answer is never reused: the next call works on a fresh one.
  answerer = ({ socket }) => socket.write(withLength(METADATA));
  assert.equal((await client.serverMetadata()).name, 'triton');
  await client.close();
});

test('garbage or another protocol instead of a status line: the server was reached, but it does not speak HTTP/1.1', async () => {
  const client = newClient();
  for (const bytes of ['SSH-2.0-OpenSSH_9.6\r\n', 'HTTX/1.1 200 OK\r\n\r\n', 'HTTP/2 200\r\n\r\n', 'HTTP/1.1 2x0 OK\r\n\r\n', '\x16\x03\x01\x00\xa5\x01']) {
    answerer = ({ socket }) => socket.write(bytes, 'latin1');
    const error = await rejectsWith(client.serverMetadata(), 'unavailable', /^GET \/v2: the server's answer is not HTTP\/1\.1 \(HPE_/);
    assert.ok([...error.message].every((ch) => ch.charCodeAt(0) >= 0x20), 'control bytes are escaped in the message');
  }
  await client.close();
});

test('a server closing mid-answer: truncated bodies and chunked streams are protocol errors', async () => {
  const client = newClient();
  answerer = ({ socket }) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"name":"tr');
  await rejectsWith(client.serverMetadata(), 'protocol', /^GET \/v2: response cut off: 11 of 100 bytes arrived before the connection closed$/);
  answerer = ({ socket }) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"na\r\n3\r\nme"');
  await rejectsWith(client.serverMetadata(), 'protocol', /response cut off after 7 bytes/);
  answerer = ({ socket }) => { socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"name"'); setTimeout(() => socket.resetAndDestroy(), 10); };
  await rejectsWith(client.serverMetadata(), 'protocol', /response cut off: 7 of 100 bytes/);
  // Cut inside the head: the answer never began, so the connection was lost during the request.
  answerer = ({ socket }) => socket.end('HTTP/1.1 200 OK\r\nContent-Le');
  await rejectsWith(client.serverMetadata(), 'unavailable', /the connection was lost during the request \(ECONNRESET: socket hang up\)/);
  await client.close();
});

test('an idle kept-alive socket the server closes leaves the pool; the next call opens a new one', async () => {
  const client = newClient();
  resetCounts();
  answerer = ({ socket }) => socket.write(withLength(METADATA), () => setTimeout(() => socket.end(), 10));
  assert.equal((await client.serverMetadata()).name, 'triton');
  await pause(80);
  assert.equal(open, 0, 'the client closed its side as well');
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 2);
  await pause(80);
  // Bytes arriving on an idle connection make it untrustworthy: it is closed, not reused.
  answerer = ({ socket }) => socket.write(withLength(METADATA), () => setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n'), 10));
  resetCounts();
  assert.equal((await client.serverMetadata()).name, 'triton');
  await pause(80);
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 2);
  await client.close();
});

test('a connection idle for nearly the Keep-Alive timeout the server announced is not reused', async () => {
  const client = newClient();
  resetCounts();
  answerer = ({ socket }) => socket.write(withLength(METADATA, 'Keep-Alive: timeout=5\r\n'));
  for (let i = 0; i < 3; i++) assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 1, 'well inside the 5 s the server keeps it');
  // One second: within the safety margin as soon as it is idle, so every call gets a fresh connection.
  answerer = ({ socket }) => socket.write(withLength(METADATA, 'Keep-Alive: timeout=1, max=100\r\n'));
  resetCounts();
  for (let i = 0; i < 3; i++) assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 2, 'the first call still used the connection announced with 5 s');
  await client.close();
});

test('bytes after a whole answer: the answer stands, the connection is dropped', async () => {
  const client = newClient();
  resetCounts();
  answerer = ({ socket }) => socket.write(`${withLength(METADATA)}HTTP/1.1 200 OK\r\n`);
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 2);
  await client.close();
});

test('an answer that arrives before a big request was all written closes the connection instead of reusing it', async () => {
  let connections = 0;
  const error = JSON.stringify({ error: 'request too large' });
  // Answers as soon as the request head arrives and never reads the body, as a server refusing an upload does.
  const accepted = new Set<Socket>();
  const early = net.createServer((socket) => {
    connections++;
    accepted.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${error.length}\r\n\r\n${error}`);
      socket.pause();
    });
  });
  await new Promise<void>((done) => early.listen(0, '127.0.0.1', done));
  const client = createTritonClient({ url: `127.0.0.1:${(early.address() as AddressInfo).port}`, protocol: 'http', concurrency: 1, deadlineMs: 5000 });
  try {
    const big = [{ name: 'I', datatype: 'FP32' as const, shape: [8 * 1024 * 1024], data: new Float32Array(8 * 1024 * 1024) }];
    await rejectsWith(client.infer('m', big), 'invalid-argument', /request too large/);
    assert.equal(await client.isServerLive(), false);
    assert.equal(connections, 2, 'the second call did not land behind the rest of the first body');
  } finally {
    await client.close();
    // The server never reads again, so it would not notice the client closing: its sockets go here.
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((done) => early.close(() => done()));
  }
});

test('the pool keeps at most `concurrency` connections, queues the rest in order and reuses them', async () => {
  const client = newClient(3);
  resetCounts();
  const order: string[] = [];
  answerer = ({ socket, head }) => {
    const id = /x-id: (\d+)/i.exec(head)![1]!;
    order.push(id);
    setTimeout(() => socket.write(withLength(JSON.stringify({ name: id, version: '1', extensions: [] }))), 15);
  };
  const calls = Array.from({ length: 12 }, (_, i) => client.serverMetadata({ headers: { 'X-Id': String(i) } }));
  const names = (await Promise.all(calls)).map((m) => m.name);
  assert.deepEqual(names, Array.from({ length: 12 }, (_, i) => String(i)));
  assert.equal(accepted, 3, 'three connections for twelve calls');
  assert.ok(peakOpen <= 3, `at most three open at once, saw ${peakOpen}`);
  assert.deepEqual(order.slice(0, 3).sort(), ['0', '1', '2']);
  assert.deepEqual(order.slice(3), ['3', '4', '5', '6', '7', '8', '9', '10', '11'], 'waiting calls go out in order');
  // A waiting call that gives up leaves the queue without taking a connection.
  answerer = ({ socket }) => setTimeout(() => socket.write(withLength(METADATA)), 60);
  const busy = [client.serverMetadata(), client.serverMetadata(), client.serverMetadata()];
  await rejectsWith(client.serverMetadata({ deadlineMs: 20 }), 'deadline', /within 20 ms/);
  const controller = new AbortController();
  const aborted = client.serverMetadata({ signal: controller.signal });
  controller.abort();
  await rejectsWith(aborted, 'cancelled', /cancelled/);
  await Promise.all(busy);
  assert.equal(accepted, 3);
  await client.close();
});

test('close() fails calls waiting for a connection as cancelled', async () => {
  const client = newClient(1);
  answerer = () => undefined;
  const running = client.serverMetadata();
  const waiting = client.serverMetadata();
  await pause(30);
  await client.close();
  await rejectsWith(running, 'cancelled', /closed while the call ran/);
  await rejectsWith(waiting, 'cancelled', /closed while the call ran/);
});

test('header names and values that could split the request are refused before anything is sent; Host can be set', async () => {
  const client = newClient();
  resetCounts();
  const heads: string[] = [];
  answerer = ({ socket, head }) => { heads.push(head); socket.write(withLength(METADATA)); };
  await rejectsWith(client.serverMetadata({ headers: { 'X-A': 'ok\r\nX-Injected: 1' } }), 'invalid-argument', /header 'X-A' has a value/);
  await rejectsWith(client.serverMetadata({ headers: { 'X A': 'v' } }), 'invalid-argument', /invalid header name 'X A'/);
  assert.throws(() => createTritonClient({ url: hostPort, protocol: 'http', headers: { 'X-B': 'a\nb' } }), TritonError);
  assert.equal(heads.length, 0);
  assert.equal((await client.serverMetadata({ headers: { 'X-Latin': 'caf\u00e9' } })).name, 'triton');
  assert.match(heads[0]!, /^GET \/v2 HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nConnection: keep-alive\r\nx-latin: caf\u00e9$/);
  // A caller's Host replaces the client's (a server behind a name-based proxy), never doubles it.
  await client.serverMetadata({ headers: { Host: 'triton.example' } });
  assert.equal(heads[1]!.match(/^host:/gim)?.length, 1);
  assert.match(heads[1]!, /\r\nhost: triton\.example/);
  await client.close();
});

test('an idle kept-alive connection does not keep the process alive', async () => {
  answerer = ({ socket }) => socket.write(withLength(METADATA));
  const dir = mkdtempSync(join(tmpdir(), 'h1-unref-'));
  try {
    const script = join(dir, 'idle.ts');
    writeFileSync(script, `import { createTritonClient } from ${JSON.stringify(resolve('src/triton/client'))};
const client = createTritonClient({ url: ${JSON.stringify(hostPort)}, protocol: 'http' });
void client.serverMetadata().then((m) => console.log('answered', m.name));
`);
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => child.kill(), 15_000);
    const code = await exit;
    clearTimeout(timer);
    assert.equal(output.trim(), 'answered triton');
    assert.equal(code, 0, 'the process ended on its own with the connection still open');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
