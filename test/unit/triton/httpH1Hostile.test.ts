// The client's own HTTP/1.1 layer against odd and hostile servers: a net server in the test writes
// exact bytes, so each framing rule is checked on a real socket.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { TritonError } from '../../../src/triton/errors';
import { ResponseParser } from '../../../src/triton/http/h1/responseParser';
import { pause, rejectsWith } from './tritonErrors';

/** One request as the raw server saw it. */
interface RawRequest {
  head: string;
  socket: Socket;
}

let answerer: (request: RawRequest) => void = ({ socket }) => socket.destroy();
let server: net.Server;
let hostPort: string;
let accepted = 0;
const sockets = new Set<Socket>();

before(async () => {
  server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        answerer({ head, socket });
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

function newClient(concurrency = 1): TritonClient {
  return createTritonClient({ url: hostPort, protocol: 'http', concurrency, deadlineMs: 3000 });
}

const METADATA = JSON.stringify({ name: 'triton', version: '2.59.1', extensions: [] });


/** The server keeps every connection open: a framing the client misreads would wait for the deadline. */
async function refusedAtOnce(client: TritonClient, bytes: string, pattern: RegExp): Promise<void> {
  answerer = ({ socket }) => socket.write(bytes, 'latin1');
  const started = Date.now();
  await rejectsWith(client.serverMetadata(), 'protocol', pattern);
  assert.ok(Date.now() - started < 1500, `${JSON.stringify(bytes.slice(0, 60))} took ${Date.now() - started} ms`);
}

test('lines ended by a bare LF or a bare CR in the head are refused at once, not waited on or misread', async () => {
  const client = newClient();
  // Ended by bare LFs only: there is no CRLFCRLF to wait for.
  await refusedAtOnce(client, `HTTP/1.1 200 OK\nContent-Length: ${METADATA.length}\n\n${METADATA}`, /invalid HTTP answer: the answer's head has a line ended by a bare LF/);
  // A bare LF inside the status line would hide the Content-Length behind the reason phrase.
  await refusedAtOnce(client, `HTTP/1.1 200 OK\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`, /bare LF/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nX-A: 1\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`, /bare LF/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nX-A: 1\rContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`, /bare CR/);
  answerer = ({ socket }) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`);
  assert.equal((await client.serverMetadata()).name, 'triton');
  await client.close();
});

test('a header name with whitespace before the colon or other bytes outside a token is refused, not skipped', async () => {
  const client = newClient();
  // Skipped, "Content-Length :" would leave a body read until a close that never comes.
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nContent-Length : ${METADATA.length}\r\n\r\n${METADATA}`, /invalid header name 'Content-Length '/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nTransfer-Encoding\t: chunked\r\nContent-Length: 2\r\n\r\n{}`, /invalid header name 'Transfer-Encoding\\x09'/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nX(y): 1\r\nContent-Length: 2\r\n\r\n{}`, /invalid header name 'X\(y\)'/);
  await client.close();
});

test('interim 1xx answers are bounded: an endless run of them is refused rather than read forever', async () => {
  const client = newClient();
  answerer = ({ socket }) => socket.write(`${'HTTP/1.1 100 Continue\r\n\r\n'.repeat(200)}HTTP/1.1 200 OK\r\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`);
  await rejectsWith(client.serverMetadata(), 'protocol', /invalid HTTP answer: more than 16 interim \(1xx\) answers/);
  // A few (100 Continue, 103 Early Hints) are normal.
  answerer = ({ socket }) => socket.write(`${'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n'.repeat(16)}HTTP/1.1 200 OK\r\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`);
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal((await client.serverMetadata()).name, 'triton', 'the count starts again with each request');
  await client.close();
});

test('chunk sizes: leading zeros are allowed, a size beyond 2^53 is refused', async () => {
  const client = newClient();
  const chunked = (size: string): string => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n${METADATA}\r\n0000000000000000000\r\n\r\n`;
  const size = METADATA.length.toString(16);
  answerer = ({ socket }) => socket.write(chunked(size.padStart(20, '0')));
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal((await client.serverMetadata()).name, 'triton');
  await refusedAtOnce(client, chunked('20000000000000'), /chunk size too large/);
  await refusedAtOnce(client, chunked('1fffffffffffff0'), /chunk size too large/);
  await client.close();
});

test('bytes that arrive after a compressed answer while the socket is held back are never read as the next answer', async () => {
  const client = newClient();
  accepted = 0;
  const noise = randomBytes(150_000).toString('base64');
  const answer = gzipSync(JSON.stringify({ model_name: 'm', id: noise, outputs: [{ name: 'O', datatype: 'INT32', shape: [1], data: [7] }] }), { level: 0 });
  const stale = JSON.stringify({ name: 'stale', version: '0', extensions: [] });
  answerer = ({ socket, head }) => {
    if (head.startsWith('GET')) {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`);
      return;
    }
    // The last 40 KiB arrive as one piece: more than the inflater takes without asking the socket to wait.
    const split = answer.length - 40 * 1024;
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${answer.length}\r\n\r\n`);
    socket.write(answer.subarray(0, split));
    setTimeout(() => socket.write(answer.subarray(split), () => {
      // A server gone wrong: a second answer nobody asked for, on the connection now idle.
      setTimeout(() => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${stale.length}\r\n\r\n${stale}`), 30);
    }), 30);
  };
  const result = await client.infer('m', [{ name: 'I', datatype: 'INT32', shape: [1], data: new Int32Array([1]) }], undefined, { acceptCompression: 'gzip' });
  assert.deepEqual([...(result.outputs[0]!.data as Int32Array)], [7]);
  await pause(120);
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 2, 'the connection with unasked-for bytes was not reused');
  await client.close();
});

test('the connect timeout covers the TLS handshake: a server that accepts and then says nothing is unavailable, not a hang', async () => {
  const silent = new Set<Socket>();
  const mute = net.createServer((socket) => { silent.add(socket); socket.on('error', () => undefined); });
  await new Promise<void>((done) => mute.listen(0, '127.0.0.1', done));
  const client = createTritonClient({ url: `https://127.0.0.1:${(mute.address() as AddressInfo).port}`, protocol: 'http', connectTimeoutMs: 300, deadlineMs: 3000 });
  try {
    const started = Date.now();
    await rejectsWith(client.serverMetadata(), 'unavailable', /no connection to 127\.0\.0\.1:\d+ within 300 ms \(the TLS handshake did not finish\)/);
    assert.ok(Date.now() - started < 2000);
  } finally {
    await client.close();
    for (const socket of silent) socket.destroy();
    await new Promise<void>((done) => mute.close(() => done()));
  }
});

test('framing choices stay as decided: equal duplicate lengths pass, transfer codings other than chunked alone and oversized trailers are clear errors', async () => {
  const client = newClient();
  accepted = 0;
  answerer = ({ socket }) => socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${METADATA.length}\r\nContent-Length:\t${METADATA.length} \r\n\r\n${METADATA}`);
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 1, 'an answer with equal duplicate lengths leaves the connection reusable');
  // The client offers no transfer coding (no TE header), so a server may only use chunked, and only last.
  await refusedAtOnce(client, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', /unsupported Transfer-Encoding 'gzip, chunked'/);
  await refusedAtOnce(client, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n', /unsupported Transfer-Encoding 'chunked, gzip'/);
  await refusedAtOnce(client, 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n{}', /invalid Content-Length '2, 2'/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n${'X-T: 1\r\n'.repeat(9000)}\r\n`, /trailers exceed 65536 bytes/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;${'e'.repeat(5000)}\r\n{}\r\n0\r\n\r\n`, /chunk extensions longer than 4096 bytes/);
  await client.close();
});

test('a 64 MiB answer is not kept by the pool once the call is over', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const count = 16 * 1024 * 1024;
  const header = Buffer.from(JSON.stringify({ model_name: 'm', outputs: [{ name: 'O', datatype: 'FP32', shape: [count], parameters: { binary_data_size: count * 4 } }] }));
  const tensor = Buffer.alloc(count * 4, 1);
  answerer = ({ socket }) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nInference-Header-Content-Length: ${header.length}\r\nContent-Length: ${header.length + tensor.length}\r\n\r\n`);
    socket.write(header);
    socket.write(tensor);
  };
  const client = createTritonClient({ url: hostPort, protocol: 'http', concurrency: 1, deadlineMs: 20_000, maxResponseBytes: 128 * 1024 * 1024 });
  const settle = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) { gc(); await pause(20); }
    return process.memoryUsage().arrayBuffers;
  };
  const base = await settle();
  let result: unknown = await client.infer('m', [{ name: 'I', datatype: 'INT32', shape: [1], data: new Int32Array([1]) }], [{ name: 'O', binary: true }]);
  const held = await settle();
  assert.ok(held - base >= 60 * 1024 * 1024, `the answer is alive while its result is: ${((held - base) / 2 ** 20).toFixed(1)} MiB`);
  result = undefined;
  void result;
  const after = await settle();
  assert.ok(after - base < 8 * 1024 * 1024, `${((after - base) / 2 ** 20).toFixed(1)} MiB still held with the connection idle in the pool`);
  await client.close();
});

test('header values lose only spaces and tabs around them: other control bytes make a length invalid', async () => {
  const client = newClient();
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nContent-Length: ${METADATA.length}\x0b\r\n\r\n${METADATA}`, /invalid Content-Length '\d+\\x0b'/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nContent-Length:\x0c${METADATA.length}\r\n\r\n${METADATA}`, /invalid Content-Length '\\x0c\d+'/);
  await refusedAtOnce(client, `HTTP/1.1 200 OK\r\nContent-Length:\xa0${METADATA.length}\r\n\r\n${METADATA}`, /invalid Content-Length '\\xa0\d+'/);
  answerer = ({ socket }) => socket.write(`HTTP/1.1 200 OK\r\nContent-Type: \t application/json \t\r\nContent-Length:\t${METADATA.length}\t\r\n\r\n${METADATA}`);
  assert.equal((await client.serverMetadata()).name, 'triton');
  await client.close();
});

test('an HTTP/1.0 answer with Transfer-Encoding is read, but its connection is never reused (RFC 9112 §6.1)', async () => {
  const client = newClient();
  accepted = 0;
  answerer = ({ socket }) => socket.write(`HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n${METADATA.length.toString(16)}\r\n${METADATA}\r\n0\r\n\r\n`);
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 2);
  // HTTP/1.0 with a length and keep-alive stays reusable.
  accepted = 0;
  answerer = ({ socket }) => socket.write(`HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`);
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal((await client.serverMetadata()).name, 'triton');
  assert.equal(accepted, 1);
  await client.close();
});

test('after a chunk size only whitespace, then an extension or the line end, may follow', async () => {
  const client = newClient();
  const chunked = (line: string): string => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${line}\r\n${METADATA}\r\n0\r\n\r\n`;
  const size = METADATA.length.toString(16);
  await refusedAtOnce(client, chunked(`${size} 5`), /invalid character 0x35 after a chunk size/);
  await refusedAtOnce(client, chunked(`${size}\tx=1`), /invalid character 0x78 after a chunk size/);
  for (const line of [`${size} `, `${size} \t;a=b`, `${size};a="x y"`, `${size}\t; a = b`]) {
    answerer = ({ socket }) => socket.write(chunked(line));
    assert.equal((await client.serverMetadata()).name, 'triton', JSON.stringify(line));
  }
  await client.close();
});

test('under concurrency, with connections failing in every way, every call settles and the pool never holds more than `concurrency`', async () => {
  const client = newClient(3);
  const pool = (client as unknown as { target: { pool: { size: number } } }).target.pool;
  let seed = 7;
  const random = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const ok = `HTTP/1.1 200 OK\r\nContent-Length: ${METADATA.length}\r\n\r\n${METADATA}`;
  answerer = ({ socket }) => {
    const r = random();
    if (r < 0.1) socket.destroy();
    else if (r < 0.2) socket.end(ok.replace('OK\r\n', 'OK\r\nConnection: close\r\n'));
    else if (r < 0.3) socket.write(ok.slice(0, 50), () => setTimeout(() => socket.resetAndDestroy(), 2));
    else if (r < 0.35) socket.write('garbage\r\n\r\n');
    else if (r < 0.4) setTimeout(() => socket.write(ok), 30);
    else if (r < 0.45) socket.write(`${ok}HTTP/1.1 200 OK\r\n`);
    else if (r < 0.5) { socket.write(ok); setTimeout(() => socket.destroy(), 1); }
    else socket.write(ok);
  };
  let peak = 0;
  const outcomes = new Map<string, number>();
  const calls = Array.from({ length: 600 }, (_, i) => {
    const controller = new AbortController();
    if (i % 17 === 0) setTimeout(() => controller.abort(), random() * 50);
    return client.serverMetadata({ signal: controller.signal, deadlineMs: i % 23 === 0 ? 5 : undefined }).then(
      () => 'ok',
      (error: unknown) => (error instanceof TritonError ? error.kind : 'not a TritonError'),
    ).then((outcome) => {
      peak = Math.max(peak, pool.size);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    });
  });
  await Promise.all(calls);
  assert.ok(peak <= 3, `the pool held ${peak} connections`);
  assert.ok(!outcomes.has('not a TritonError'));
  assert.ok((outcomes.get('ok') ?? 0) > 300, JSON.stringify([...outcomes]));
  // Afterwards the pool still serves calls.
  answerer = ({ socket }) => socket.write(ok);
  const names = await Promise.all(Array.from({ length: 6 }, () => client.serverMetadata()));
  assert.deepEqual(names.map((m) => m.name), Array(6).fill('triton'));
  assert.ok(pool.size <= 3);
  await client.close();
  assert.equal(pool.size, 0);
});

test('a head dripping in one byte at a time costs time in proportion to its size, like a body does', () => {
  // Timed against a body of the same size fed the same way, best of five each, so a busy machine slows both.
  const lines = `X-Pad: ${'a'.repeat(70)}\r\n`.repeat(800);
  const bigHead = Buffer.from(`HTTP/1.1 200 OK\r\n${lines}Content-Length: 0\r\n\r\n`);
  const bigBody = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${lines.length}\r\n\r\n${lines}`);
  const feed = (bytes: Buffer): number => {
    let completed = 0;
    const parser = new ResponseParser({ onHead: () => undefined, onBody: () => undefined, onComplete: () => { completed++; } });
    parser.expect();
    const started = process.hrtime.bigint();
    for (let i = 0; i < bytes.length; i++) parser.execute(bytes.subarray(i, i + 1));
    const spent = Number(process.hrtime.bigint() - started);
    assert.equal(completed, 1);
    return spent;
  };
  let head = Infinity;
  let body = Infinity;
  for (let round = 0; round < 5; round++) {
    head = Math.min(head, feed(bigHead));
    body = Math.min(body, feed(bigBody));
  }
  // Gathering the head by copying all of it again for every byte made this about 40 times the body's cost.
  assert.ok(head < 15 * body, `a ${bigHead.length}-byte head took ${(head / 1e6).toFixed(1)} ms, the same-size body ${(body / 1e6).toFixed(1)} ms`);
});
