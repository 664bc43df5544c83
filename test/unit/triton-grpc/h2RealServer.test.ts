// The HTTP/2 client against real node:http2 (nghttp2) servers: header blocks nghttp2 encodes
// (dynamic table, Huffman) decode to what the server sent; tiny flow-control windows move
// multi-MiB messages both ways; calls beyond the server's MAX_CONCURRENT_STREAMS wait their turn;
// a connection whose stream ids run out takes no more calls and closes.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { Http2UnaryChannel } from '../../../src/triton/grpc/http2Unary';
import { H2Connection } from '../../../src/triton/grpc/h2/connection';
import type { ConnectionFailure, StreamListener } from '../../../src/triton/grpc/h2/connection';
import { CONNECTION_PREFACE, Flag, FrameType, frame, settingsFrame } from '../../../src/triton/grpc/h2/frames';
import { HpackDecoder, encodeLiterals } from '../../../src/triton/grpc/h2/hpack';
import type { HeaderFields } from '../../../src/triton/grpc/h2/hpack';

/** Starts a server; every session is destroyed and the server closed when the test ends. */
async function serve(t: TestContext, options: http2.ServerOptions, onStream: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void): Promise<{ port: number; sessions: () => number }> {
  const server = http2.createServer(options);
  const open = new Set<http2.ServerHttp2Session>();
  let count = 0;
  server.on('session', (session) => {
    count++;
    open.add(session);
    session.on('close', () => open.delete(session));
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    onStream(stream, headers);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const session of open) session.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as AddressInfo).port, sessions: () => count };
}

function channelTo(t: TestContext, port: number, maxResponse = 1 << 20): Http2UnaryChannel {
  const channel = new Http2UnaryChannel({ address: `127.0.0.1:${port}`, tls: false }, undefined, maxResponse, 5000);
  t.after(() => channel.close());
  return channel;
}

function framed(message: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** Answers every call with its own request message (the gRPC frame as it came) and status 0. */
function echo(stream: http2.ServerHttp2Stream): void {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.concat(chunks));
  });
}

test('header blocks nghttp2 sends (dynamic table, Huffman) decode to the headers the server set', async (t) => {
  const sent = new Map<string, { response: Record<string, string | number>; trailers: Record<string, string> }>();
  const { port } = await serve(t, {}, (stream, headers) => {
    const n = String(headers['x-n']);
    const response = { ':status': 200, 'content-type': 'application/grpc', 'x-echo': n, 'x-long': `${'Mixed Case Text 0123456789 '.repeat(8)}${n}`, 'x-same': 'the same value every time' };
    const trailers = { 'grpc-status': n === '2' ? '5' : '0', 'grpc-message': encodeURIComponent(`message ${n} «ü»`) };
    sent.set(n, { response, trailers });
    stream.respond(response, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    stream.end('body');
  });
  // A raw client: preface, SETTINGS, then three requests; every header block that comes back is kept.
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  const blocks: Array<{ id: number; block: Buffer }> = [];
  let ended = 0;
  const done = new Promise<void>((resolve, reject) => {
    let rest = Buffer.alloc(0);
    let pending: { id: number; parts: Buffer[] } | undefined;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      rest = Buffer.concat([rest, chunk]);
      while (rest.length >= 9 && rest.length >= 9 + rest.readUIntBE(0, 3)) {
        const length = rest.readUIntBE(0, 3);
        const [type, flags, id] = [rest[3]!, rest[4]!, rest.readUInt32BE(5) & 0x7fffffff];
        const payload = rest.subarray(9, 9 + length);
        rest = rest.subarray(9 + length);
        if (type === FrameType.SETTINGS && !(flags & Flag.ACK)) socket.write(frame(FrameType.SETTINGS, Flag.ACK, 0));
        if (type === FrameType.HEADERS || type === FrameType.CONTINUATION) {
          assert.equal(flags & (Flag.PADDED | Flag.PRIORITY), 0, 'nghttp2 sends neither padding nor priority here');
          pending = pending ?? { id, parts: [] };
          pending.parts.push(payload);
          if (flags & Flag.END_HEADERS) {
            blocks.push({ id, block: Buffer.concat(pending.parts) });
            pending = undefined;
          }
        }
        if ((type === FrameType.HEADERS || type === FrameType.DATA) && flags & Flag.END_STREAM && ++ended === 3) resolve();
      }
    });
  });
  const requests = [1, 3, 5].map((id, n) => {
    const block = encodeLiterals([[':method', 'POST'], [':scheme', 'http'], [':path', '/x'], [':authority', `127.0.0.1:${port}`], ['x-n', String(n)]]);
    return frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, id, block);
  });
  socket.write(Buffer.concat([CONNECTION_PREFACE, settingsFrame([]), requests[0]!]));
  // One after another, so that the answers come in a known order.
  await new Promise((r) => setTimeout(r, 50));
  socket.write(requests[1]!);
  await new Promise((r) => setTimeout(r, 50));
  socket.write(requests[2]!);
  await done;

  // Decoded in the order they came (the dynamic table depends on it), then sorted out per stream:
  // a response's trailers may come after the next response's headers.
  const decoder = new HpackDecoder();
  const perStream = new Map<number, Array<{ fields: HeaderFields; size: number }>>();
  for (const { id, block } of blocks) perStream.set(id, [...(perStream.get(id) ?? []), { fields: decoder.decode(block).fields, size: block.length }]);
  assert.equal(blocks.length, 6, 'headers and trailers of three responses');
  for (const [n, id] of [[0, 1], [1, 3], [2, 5]] as const) {
    const { response, trailers } = sent.get(String(n))!;
    const [headers, trailing] = perStream.get(id) ?? [];
    for (const [name, value] of Object.entries(response)) assert.equal(headers?.fields[name], String(value), `${name} of response ${n}`);
    assert.deepEqual(trailing?.fields, trailers);
  }
  // The later responses refer to the dynamic table for the fields that repeat: smaller.
  const [firstSize, lastSize] = [perStream.get(1)![0]!.size, perStream.get(5)![0]!.size];
  assert.ok(lastSize < firstSize - 30, `${lastSize} vs ${firstSize} bytes`);
  assert.ok(decoder.dynamicTableSize > 0);
});

test('tiny windows (1 KiB stream window): multi-MiB messages go both ways, several calls at once', async (t) => {
  const { port } = await serve(t, { settings: { initialWindowSize: 1024, maxFrameSize: 16384 } }, echo);
  const channel = channelTo(t, port, 16 << 20);
  // 6 MiB also passes our own 4 MiB stream window: the answer needs our WINDOW_UPDATEs.
  const big = randomBytes(6 << 20);
  const answer = await channel.call({ path: '/e/Echo', message: big, headers: {}, label: 'echo', deadline: Date.now() + 30000 });
  assert.equal(answer.length, big.length);
  assert.ok(answer.equals(big), 'the echoed message arrives intact');
  const parts = [randomBytes(1 << 20), randomBytes(3 << 20), randomBytes(100)];
  const answers = await Promise.all(parts.map((m, i) => channel.call({ path: '/e/Echo', message: [m.subarray(0, 7), m.subarray(7)], headers: {}, label: `echo ${i}`, deadline: Date.now() + 30000 })));
  answers.forEach((a, i) => assert.ok(a.equals(parts[i]!), `call ${i}`));
});

test('a server with a larger MAX_FRAME_SIZE gets larger DATA frames; the answer is the same', async (t) => {
  const { port } = await serve(t, { settings: { maxFrameSize: 1 << 20, initialWindowSize: 8 << 20 } }, echo);
  const channel = channelTo(t, port, 4 << 20);
  const message = randomBytes(3 << 20);
  assert.ok((await channel.call({ path: '/e/Echo', message, headers: {}, label: 'echo', deadline: Date.now() + 30000 })).equals(message));
});

test('calls beyond the server\'s MAX_CONCURRENT_STREAMS wait; all succeed on one connection', async (t) => {
  let active = 0;
  let most = 0;
  const { port, sessions } = await serve(t, { settings: { maxConcurrentStreams: 3 } }, (stream) => {
    active++;
    most = Math.max(most, active);
    stream.on('close', () => active--);
    stream.resume();
    stream.on('end', () => setTimeout(() => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(framed(Buffer.from('ok')));
    }, 5));
  });
  const channel = channelTo(t, port);
  const calls = Array.from({ length: 40 }, (_, i) => channel.call({ path: '/c/Call', message: Buffer.from([i]), headers: {}, label: `call ${i}`, deadline: Date.now() + 20000 }));
  const answers = await Promise.all(calls);
  assert.ok(answers.every((a) => a.toString() === 'ok'));
  assert.ok(most <= 3, `at most 3 streams at once on the server, saw ${most}`);
  assert.equal(most, 3, 'and the limit was used');
  assert.equal(sessions(), 1);
});

class Collect implements StreamListener {
  headers: HeaderFields[] = [];
  readonly result: Promise<string>;
  private settle!: (outcome: string) => void;
  constructor() {
    this.result = new Promise((r) => (this.settle = r));
  }
  onHeaders(fields: HeaderFields): void {
    this.headers.push(fields);
  }
  onData(): void {}
  onEnd(): void {
    this.settle('end');
  }
  onReset(code: number): void {
    this.settle(`reset ${code}`);
  }
  onStreamError(message: string): void {
    this.settle(`stream error: ${message}`);
  }
  onFailure(failure: ConnectionFailure): void {
    this.settle(`failure: ${failure.message}`);
  }
}

test('a connection whose stream ids run out takes no more calls and closes when its last call is done', async (t) => {
  const seen: number[] = [];
  const { port } = await serve(t, {}, (stream) => {
    seen.push(stream.id ?? 0);
    echo(stream);
  });
  const connection = new H2Connection({ host: '127.0.0.1', port, connectTimeoutMs: 5000, streamWindow: 1 << 20, connectionWindow: 1 << 20, maxHeaderListSize: 65536, firstStreamId: 0x7ffffffd });
  t.after(() => connection.destroy());
  const block = encodeLiterals([[':method', 'POST'], [':scheme', 'http'], [':path', '/e/Echo'], [':authority', 'x'], ['content-type', 'application/grpc']]);
  const first = new Collect();
  connection.open(block, [framed(Buffer.from('a'))], first);
  assert.equal(await first.result, 'end');
  assert.equal(connection.acceptsCalls, true, 'one id (2^31-1) is left');
  const last = new Collect();
  connection.open(block, [framed(Buffer.from('b'))], last);
  assert.equal(connection.acceptsCalls, false, 'no id after 2^31-1');
  assert.equal(await last.result, 'end');
  assert.deepEqual(seen, [0x7ffffffd, 0x7fffffff]);
  const refused = new Collect();
  connection.open(block, [framed(Buffer.from('c'))], refused);
  assert.match(await refused.result, /^failure: /);
});

test('an idle connection does not keep the process alive; one with a call in flight does', async (t) => {
  let release: (() => void) | undefined;
  const { port } = await serve(t, {}, (stream, headers) => {
    if (headers['x-hold'] === 'yes') {
      // Held until the test has seen the client process still alive.
      release = () => echo(stream);
      return;
    }
    echo(stream);
  });
  // A client process that makes one call and never closes its channel: it must exit by itself.
  const script = (hold: boolean): string => `
    const { Http2UnaryChannel } = require(${JSON.stringify(require.resolve('../../../src/triton/grpc/http2Unary'))});
    const channel = new Http2UnaryChannel({ address: '127.0.0.1:${port}', tls: false }, undefined, 1 << 20, 5000);
    const prefix = Buffer.from([0, 0, 0, 0, 2]);
    channel.call({ path: '/e/Echo', message: Buffer.concat([prefix, Buffer.from('hi')]), headers: { 'x-hold': '${hold ? 'yes' : 'no'}' }, label: 'x' })
      .then((a) => console.log('answer ' + a.subarray(5).toString()), (e) => console.log('error ' + e.message));`;
  const run = (hold: boolean): { exited: Promise<{ code: number | null; out: string; ms: number }> } => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script(hold)], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => child.kill());
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    return { exited: new Promise((r) => child.on('exit', (code) => r({ code, out, ms: Date.now() - started }))) };
  };
  const bounded = <T>(p: Promise<T>): Promise<T | 'still running'> => Promise.race([p, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15000).unref())]);
  const free = await bounded(run(false).exited);
  assert.notEqual(free, 'still running', 'the idle connection kept the process alive');
  if (free === 'still running') return;
  assert.equal(free.out.trim(), 'answer hi');
  assert.equal(free.code, 0);
  // The held call: the process must still be there while the answer is outstanding.
  const held = run(true);
  const early = await Promise.race([held.exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('alive'), 3000))]);
  assert.equal(early, 'alive', 'a call in flight keeps the process alive');
  assert.ok(release, 'the held request reached the server');
  release();
  const end = await held.exited;
  assert.equal(end.out.trim(), 'answer hi');
});
