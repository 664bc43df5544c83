// The HTTP/2 client against raw TCP peers that break HTTP/2 or drop calls: each case ends the call
// with a clear error (never a hang, never a crash), and calls that HTTP/2 says are unaffected go
// through. Every call has a deadline that only bounds the test: a 'deadline' failure fails it.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Http2UnaryChannel } from '../../../src/triton/grpc/http2Unary';
import { ErrorCode, Flag, FrameType, frame, goawayFrame, rstStreamFrame, settingsFrame } from '../../../src/triton/grpc/h2/frames';
import { HpackDecoder, encodeLiterals } from '../../../src/triton/grpc/h2/hpack';
import { TritonError } from '../../../src/triton/errors';

interface Received {
  type: number;
  flags: number;
  id: number;
  payload: Buffer;
}

/** The server side of one raw connection: reads the client's frames, writes whatever a case wants. */
class Peer {
  readonly frames: Received[] = [];
  private rest = Buffer.alloc(0);
  private prefaceSeen = false;
  private waiters: Array<() => void> = [];

  constructor(readonly socket: Socket, private readonly onFrame: (peer: Peer, f: Received) => void) {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.rest = Buffer.concat([this.rest, chunk]);
      if (!this.prefaceSeen) {
        if (this.rest.length < 24) return;
        this.rest = this.rest.subarray(24);
        this.prefaceSeen = true;
      }
      while (this.rest.length >= 9 && this.rest.length >= 9 + this.rest.readUIntBE(0, 3)) {
        const length = this.rest.readUIntBE(0, 3);
        const f = { type: this.rest[3]!, flags: this.rest[4]!, id: this.rest.readUInt32BE(5) & 0x7fffffff, payload: this.rest.subarray(9, 9 + length) };
        this.rest = this.rest.subarray(9 + length);
        this.frames.push(f);
        this.onFrame(this, f);
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  /** Resolves once a frame matching `match` has come. */
  async waitFor(match: (f: Received) => boolean): Promise<Received> {
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  write(...buffers: Buffer[]): void {
    this.socket.write(Buffer.concat(buffers));
  }

  headers(id: number, fields: Record<string, string>, flags: number = Flag.END_HEADERS): Buffer {
    return frame(FrameType.HEADERS, flags, id, encodeLiterals(Object.entries(fields)));
  }

  /** A whole gRPC answer: headers, one message, trailers with status 0. */
  answer(id: number, message: Buffer): Buffer {
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(message.length, 1);
    return Buffer.concat([
      this.headers(id, { ':status': '200', 'content-type': 'application/grpc' }),
      frame(FrameType.DATA, 0, id, Buffer.concat([prefix, message])),
      this.headers(id, { 'grpc-status': '0' }, Flag.END_HEADERS | Flag.END_STREAM),
    ]);
  }
}

/** A raw TCP server; `connections` counts the client's connections. */
async function hostile(t: TestContext, onFrame: (peer: Peer, f: Received) => void, onConnect: (peer: Peer) => void = (p) => p.write(settingsFrame([]))): Promise<{ channel: Http2UnaryChannel; peers: Peer[] }> {
  const peers: Peer[] = [];
  const server = createServer((socket) => {
    const peer = new Peer(socket, onFrame);
    peers.push(peer);
    onConnect(peer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const channel = new Http2UnaryChannel({ address: `127.0.0.1:${port}`, tls: false }, undefined, 1 << 20, 2000);
  t.after(() => {
    channel.close();
    for (const peer of peers) peer.socket.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { channel, peers };
}

const isRequest = (f: Received): boolean => f.type === FrameType.HEADERS;

function call(channel: Http2UnaryChannel, label = 'call'): Promise<Buffer> {
  return channel.call({ path: '/s/M', message: Buffer.from('request'), headers: {}, label, deadline: Date.now() + 8000 });
}

async function failure(p: Promise<unknown>): Promise<TritonError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TritonError, String(e));
    assert.notEqual(e.kind, 'deadline', `the call hung until its deadline: ${e.message}`);
    return e;
  }
  assert.fail('the call should fail');
}

test('garbage instead of a frame (an HTTP/1.1 server): unavailable, saying it is not HTTP/2', async (t) => {
  const { channel } = await hostile(t, () => undefined, (peer) => peer.socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  const e = await failure(call(channel));
  assert.equal(e.kind, 'unavailable');
  assert.match(e.message, /does not speak HTTP\/2: its first bytes are not a SETTINGS frame \("HTTP\/1\.1 400 Bad/);
});

test('a peer that closes before its SETTINGS: unavailable, not a lost connection', async (t) => {
  const { channel } = await hostile(t, () => undefined, (peer) => peer.socket.end());
  const e = await failure(call(channel));
  assert.equal(e.kind, 'unavailable');
  assert.match(e.message, /cannot talk to the server: the connection closed before it spoke HTTP\/2/);
});

test('a frame above our maximum frame size fails the connection with FRAME_SIZE_ERROR (and a GOAWAY)', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (isRequest(f)) peer.write(frame(FrameType.DATA, 0, f.id, Buffer.alloc(20000)));
  });
  const e = await failure(call(channel));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /a frame of 20000 bytes \(type 0\) is larger than the 16384-byte maximum we allow \(FRAME_SIZE_ERROR\)/);
  const goaway = await peers[0]!.waitFor((f) => f.type === FrameType.GOAWAY);
  assert.equal(goaway.payload.readUInt32BE(4), ErrorCode.FRAME_SIZE_ERROR);
});

test('a header block with an index beyond the tables is a COMPRESSION_ERROR for the connection', async (t) => {
  const { channel } = await hostile(t, (peer, f) => {
    // 0xff 0x10: indexed field 127 + 16 = 143; the dynamic table is empty.
    if (isRequest(f)) peer.write(frame(FrameType.HEADERS, Flag.END_HEADERS, f.id, Buffer.from([0xff, 0x10])));
  });
  const e = await failure(call(channel));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /header field index 143 is beyond the tables .*COMPRESSION_ERROR/);
});

test('a header list beyond the bound fails its own call only; the call beside it is answered', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (f.id === 1) {
      // 70,000 bytes of one header, in a HEADERS frame and CONTINUATION frames of 16 KiB.
      const block = encodeLiterals([[':status', '200'], ['x-big', 'a'.repeat(70000)]]);
      const frames: Buffer[] = [];
      for (let at = 0; at < block.length; at += 16384) {
        const last = at + 16384 >= block.length;
        frames.push(frame(at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, last ? Flag.END_HEADERS : 0, 1, block.subarray(at, at + 16384)));
      }
      peer.write(...frames);
    } else {
      peer.write(peer.answer(f.id, Buffer.from('fine')));
    }
  });
  const big = call(channel, 'big');
  const beside = call(channel, 'beside');
  const e = await failure(big);
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /header list of 70\d{3} bytes, above the 65536-byte limit/);
  assert.equal((await beside).toString(), 'fine');
  const reset = await peers[0]!.waitFor((f) => f.type === FrameType.RST_STREAM && f.id === 1);
  assert.equal(reset.payload.readUInt32BE(0), ErrorCode.PROTOCOL_ERROR);
  assert.equal(peers.length, 1, 'the connection carried on');
});

test('GOAWAY mid-call: the stream above last-stream-id fails as not processed, the one below completes, new calls get a new connection', async (t) => {
  let requests = 0;
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (peer !== peers[0]) {
      peer.write(peer.answer(f.id, Buffer.from('new connection')));
      return;
    }
    if (++requests === 2) peer.write(goawayFrame(1, ErrorCode.NO_ERROR, 'restarting'), peer.answer(1, Buffer.from('first')));
  });
  const first = call(channel, 'first');
  const second = call(channel, 'second');
  assert.equal((await first).toString(), 'first');
  const e = await failure(second);
  assert.equal(e.kind, 'unavailable');
  assert.match(e.message, /GOAWAY NO_ERROR: restarting\) and did not process this call/);
  assert.equal((await call(channel, 'third')).toString(), 'new connection');
  assert.equal(peers.length, 2);
});

test('RST_STREAM on one call maps to its gRPC code; the other call on the connection is answered', async (t) => {
  const { channel } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (f.id === 1) peer.write(rstStreamFrame(1, ErrorCode.REFUSED_STREAM));
    else peer.write(peer.answer(f.id, Buffer.from('ok')));
  });
  const refused = call(channel, 'refused');
  const other = call(channel, 'other');
  const e = await failure(refused);
  assert.equal(e.kind, 'unavailable');
  assert.match(e.message, /RST_STREAM with code 7/);
  assert.equal((await other).toString(), 'ok');
});

test('the socket closed in the middle of an answer: the connection was lost, and the next call reconnects', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (peer === peers[0]) {
      const prefix = Buffer.from([0, 0, 0, 0, 100]);
      peer.write(peer.headers(f.id, { ':status': '200', 'content-type': 'application/grpc' }), frame(FrameType.DATA, 0, f.id, Buffer.concat([prefix, Buffer.alloc(10)])));
      setTimeout(() => peer.socket.destroy(), 20);
    } else {
      peer.write(peer.answer(f.id, Buffer.from('again')));
    }
  });
  const e = await failure(call(channel));
  assert.equal(e.kind, 'unavailable');
  assert.match(e.message, /the connection was lost during the request \(the server closed the HTTP\/2 connection before answering\)/);
  assert.equal((await call(channel)).toString(), 'again');
});

test('PING is acknowledged; padding, priority fields and unknown frame types are handled', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    const ping = frame(FrameType.PING, 0, 0, Buffer.from('pingpong'));
    const unknown = frame(0x42, 0xff, f.id, Buffer.from('ignore me'));
    // HEADERS with 3 bytes of padding and the 5 priority bytes; DATA with 7 bytes of padding.
    const block = encodeLiterals([[':status', '200'], ['content-type', 'application/grpc']]);
    const headers = frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.PADDED | Flag.PRIORITY, f.id, Buffer.concat([Buffer.from([3]), Buffer.from([0, 0, 0, 0, 16]), block, Buffer.alloc(3)]));
    const message = Buffer.concat([Buffer.from([0, 0, 0, 0, 6]), Buffer.from('padded')]);
    const data = frame(FrameType.DATA, Flag.PADDED, f.id, Buffer.concat([Buffer.from([7]), message, Buffer.alloc(7)]));
    const trailers = peer.headers(f.id, { 'grpc-status': '0' }, Flag.END_HEADERS | Flag.END_STREAM);
    peer.write(ping, unknown, headers, data, trailers);
  });
  assert.equal((await call(channel)).toString(), 'padded');
  const ack = await peers[0]!.waitFor((f) => f.type === FrameType.PING);
  assert.equal(ack.flags & Flag.ACK, Flag.ACK);
  assert.equal(ack.payload.toString(), 'pingpong');
});

test('an answer that arrives a few bytes at a time (frames cut anywhere) is put together whole', async (t) => {
  const { channel } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    peer.socket.setNoDelay(true);
    const answer = peer.answer(f.id, Buffer.alloc(16000, 9));
    let at = 0;
    const step = (): void => {
      if (at >= answer.length || peer.socket.destroyed) return;
      // 1 to 7 bytes per write, each in its own turn of the event loop.
      const n = 1 + (at % 7);
      peer.socket.write(answer.subarray(at, at + n));
      at += n;
      setImmediate(step);
    };
    step();
  });
  const answer = await call(channel);
  assert.equal(answer.length, 16000);
  assert.ok(answer.every((b) => b === 9));
});

test('padding longer than its frame is a PROTOCOL_ERROR, not a crash', async (t) => {
  const { channel } = await hostile(t, (peer, f) => {
    if (isRequest(f)) peer.write(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.PADDED, f.id, Buffer.from([200, 0x88])));
  });
  const e = await failure(call(channel));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /padding \(200\) does not fit its 2 bytes.*PROTOCOL_ERROR/);
});

test('a deadline or an abort resets the stream (RST_STREAM CANCEL) and the connection carries on', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (isRequest(f) && f.id === 5) peer.write(peer.answer(5, Buffer.from('after')));
  });
  const started = Date.now();
  const late = await channel.call({ path: '/s/M', message: Buffer.from('x'), headers: {}, label: 'late', deadline: Date.now() + 150 }).catch((e: unknown) => e);
  assert.ok(late instanceof TritonError && late.kind === 'deadline', String(late));
  assert.ok(Date.now() - started < 2000);
  const sent = new HpackDecoder().decode((await peers[0]!.waitFor((f) => isRequest(f) && f.id === 1)).payload).fields;
  assert.match(sent['grpc-timeout'] ?? '', /^1[0-5]\dm$/, 'the deadline travels as grpc-timeout');
  assert.deepEqual([sent[':method'], sent[':path'], sent['content-type'], sent.te], ['POST', '/s/M', 'application/grpc', 'trailers']);
  const controller = new AbortController();
  const aborted = channel.call({ path: '/s/M', message: Buffer.from('x'), headers: {}, label: 'aborted', signal: controller.signal });
  await peers[0]!.waitFor((f) => isRequest(f) && f.id === 3);
  controller.abort();
  await assert.rejects(aborted, (e: unknown) => e instanceof TritonError && e.kind === 'cancelled');
  for (const id of [1, 3]) {
    const reset = await peers[0]!.waitFor((f) => f.type === FrameType.RST_STREAM && f.id === id);
    assert.equal(reset.payload.readUInt32BE(0), ErrorCode.CANCEL, `stream ${id}`);
  }
  assert.equal((await call(channel)).toString(), 'after');
  assert.equal(peers.length, 1);
});

test('a stream window of 0 holds the body back until the server raises INITIAL_WINDOW_SIZE; nothing is sent beyond it', async (t) => {
  const { channel, peers } = await hostile(
    t,
    (peer, f) => {
      if (f.type === FrameType.DATA && f.flags & Flag.END_STREAM) peer.write(peer.answer(f.id, Buffer.from('done')));
    },
    (peer) => peer.write(settingsFrame([[0x4, 0]])),
  );
  // The first call may go out before the server's SETTINGS, under the default 65,535 window (RFC 9113
  // allows it); the second starts under the server's window of 0.
  assert.equal((await call(channel)).toString(), 'done');
  const answer = call(channel);
  // Awaited below; this only keeps an early assertion failure from leaving it unhandled.
  answer.catch(() => undefined);
  const peer = peers[0]!;
  const sum = (sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);
  const dataOf = (id: number): number[] => peer.frames.filter((f) => f.type === FrameType.DATA && f.id === id).map((f) => f.payload.length);
  await peer.waitFor((f) => isRequest(f) && f.id === 3);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(dataOf(3), [], 'no DATA while the stream window is 0');
  // 8 bytes of window for the 12-byte message (5-byte prefix + 'request'): 8 go, 4 wait.
  peer.write(settingsFrame([[0x4, 8]]));
  await peer.waitFor((f) => f.type === FrameType.DATA && f.id === 3);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(sum(dataOf(3)), 8, `only what the window allows: ${dataOf(3).join(' + ')}`);
  assert.equal(peer.frames.filter((f) => f.type === FrameType.DATA && f.id === 3 && f.flags & Flag.END_STREAM).length, 0);
  peer.write(frame(FrameType.WINDOW_UPDATE, 0, 3, Buffer.from([0, 0, 0, 100])));
  assert.equal((await answer).toString(), 'done');
  assert.equal(sum(dataOf(3)), 12);
});

test('a server that allows no streams (MAX_CONCURRENT_STREAMS 0) fails waiting calls at once instead of holding them', async (t) => {
  const { channel } = await hostile(t, (peer, f) => {
    // The server's SETTINGS come only after the first request.
    if (isRequest(f)) peer.write(settingsFrame([[0x3, 0]]), peer.answer(f.id, Buffer.from('first')));
  }, () => undefined);
  // The first call goes out before the server's SETTINGS; the second waits for them.
  const first = call(channel, 'first');
  const second = call(channel, 'second');
  const e = await failure(second);
  assert.equal(e.kind, 'unavailable');
  assert.match(e.message, /allows no calls on this connection \(SETTINGS_MAX_CONCURRENT_STREAMS 0\)/);
  assert.equal((await first).toString(), 'first');
});

test('a header block kept open with empty CONTINUATION frames is bounded by the bytes on the wire, not only by its fragments', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    const empty = frame(FrameType.CONTINUATION, 0, f.id);
    peer.write(frame(FrameType.HEADERS, 0, f.id, encodeLiterals([[':status', '200']])), ...Array<Buffer>(20000).fill(empty));
  });
  const e = await failure(call(channel));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /a header block of more than \d+ bytes on stream 1 .*ENHANCE_YOUR_CALM/);
  const goaway = await peers[0]!.waitFor((f) => f.type === FrameType.GOAWAY);
  assert.equal(goaway.payload.readUInt32BE(4), ErrorCode.ENHANCE_YOUR_CALM);
});

test('trailers without END_STREAM (a second header block, then DATA) are a malformed answer: a stream error, the connection carries on', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (f.id === 1) {
      const message = Buffer.from([0, 0, 0, 0, 2, 0x6f, 0x6b]);
      peer.write(
        peer.headers(1, { ':status': '200', 'content-type': 'application/grpc' }),
        peer.headers(1, { 'grpc-status': '0' }),
        frame(FrameType.DATA, Flag.END_STREAM, 1, message),
      );
    } else {
      peer.write(peer.answer(f.id, Buffer.from('fine')));
    }
  });
  const e = await failure(call(channel, 'malformed'));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /a second header block without END_STREAM/);
  const reset = await peers[0]!.waitFor((f) => f.type === FrameType.RST_STREAM && f.id === 1);
  assert.equal(reset.payload.readUInt32BE(0), ErrorCode.PROTOCOL_ERROR);
  assert.equal((await call(channel, 'next')).toString(), 'fine');
  assert.equal(peers.length, 1, 'the connection carried on');
});

for (const kind of ['PING', 'SETTINGS'] as const) {
  test(`a ${kind} flood from a server that does not read its acknowledgements fails the connection (ENHANCE_YOUR_CALM) instead of queueing them without bound`, async (t) => {
    const flood = kind === 'PING' ? frame(FrameType.PING, 0, 0, Buffer.alloc(8)) : settingsFrame([]);
    const { channel } = await hostile(t, (peer, f) => {
      if (!isRequest(f)) return;
      // The server stops reading and sends 1,500,000 frames (about 25 MB of them, as many acknowledgements
      // owed): more than the socket buffers of both sides hold.
      peer.socket.pause();
      const block = Buffer.concat(Array<Buffer>(10000).fill(flood));
      let left = 150;
      const more = (): void => {
        while (left > 0 && !peer.socket.destroyed) {
          left--;
          if (!peer.socket.write(block)) {
            peer.socket.once('drain', more);
            return;
          }
        }
      };
      more();
    });
    const e = await failure(call(channel));
    assert.equal(e.kind, 'protocol');
    assert.match(e.message, new RegExp(`acknowledgements .*not read.*ENHANCE_YOUR_CALM`));
  });
}

/** A 4-byte big-endian payload. */
function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value, 0);
  return out;
}

const connectionErrors: Array<{ name: string; reply: (peer: Peer, id: number) => Buffer[]; message: RegExp; code: number }> = [
  { name: 'SETTINGS_ENABLE_PUSH of 2', reply: () => [settingsFrame([[0x2, 2]])], message: /SETTINGS_ENABLE_PUSH of 2/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'SETTINGS_MAX_FRAME_SIZE below 16384', reply: () => [settingsFrame([[0x5, 16383]])], message: /SETTINGS_MAX_FRAME_SIZE of 16383/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'SETTINGS_MAX_FRAME_SIZE above 2^24-1', reply: () => [settingsFrame([[0x5, 0x1000000]])], message: /SETTINGS_MAX_FRAME_SIZE of 16777216/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1', reply: () => [settingsFrame([[0x4, 0x80000000]])], message: /SETTINGS_INITIAL_WINDOW_SIZE of 2147483648/, code: ErrorCode.FLOW_CONTROL_ERROR },
  { name: 'a SETTINGS frame of 7 bytes', reply: () => [frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(7))], message: /SETTINGS frame of 7 bytes/, code: ErrorCode.FRAME_SIZE_ERROR },
  { name: 'a connection WINDOW_UPDATE beyond 2^31-1', reply: () => [frame(FrameType.WINDOW_UPDATE, 0, 0, u32(0x7fffffff))], message: /connection window exceed 2\^31-1/, code: ErrorCode.FLOW_CONTROL_ERROR },
  { name: 'a PUSH_PROMISE although push is disabled', reply: (_p, id) => [frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, id, Buffer.concat([u32(2), encodeLiterals([[':method', 'GET']])]))], message: /PUSH_PROMISE although push is disabled/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'HEADERS on an even-numbered stream', reply: (peer) => [peer.headers(2, { ':status': '200' })], message: /HEADERS frame on stream 2, which was never opened/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'HEADERS on a stream not yet opened', reply: (peer) => [peer.headers(7, { ':status': '200' })], message: /HEADERS frame on stream 7, which was never opened/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'DATA on a stream not yet opened', reply: () => [frame(FrameType.DATA, 0, 9, Buffer.alloc(3))], message: /DATA frame on stream 9, which was never opened/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'a PING inside a header block', reply: (peer, id) => [peer.headers(id, { ':status': '200' }, 0), frame(FrameType.PING, 0, 0, Buffer.alloc(8))], message: /a frame of type 6 came in the middle of a header block of stream 1/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'a CONTINUATION for another stream inside a header block', reply: (peer, id) => [peer.headers(id, { ':status': '200' }, 0), frame(FrameType.CONTINUATION, Flag.END_HEADERS, id + 2, Buffer.alloc(0))], message: /a frame of type 9 came in the middle of a header block of stream 1/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'a CONTINUATION with no header block open', reply: (_p, id) => [frame(FrameType.CONTINUATION, Flag.END_HEADERS, id, Buffer.alloc(0))], message: /CONTINUATION frame on stream 1 without a header block to continue/, code: ErrorCode.PROTOCOL_ERROR },
  { name: 'an HPACK table size update above SETTINGS_HEADER_TABLE_SIZE', reply: (_p, id) => [frame(FrameType.HEADERS, Flag.END_HEADERS, id, Buffer.from([0x3f, 0xe2, 0x1f, 0x88]))], message: /dynamic table size update to 4097 exceeds the 4096 allowed.*COMPRESSION_ERROR/, code: ErrorCode.COMPRESSION_ERROR },
  { name: 'an HPACK table size update after a field', reply: (_p, id) => [frame(FrameType.HEADERS, Flag.END_HEADERS, id, Buffer.from([0x88, 0x20]))], message: /size update comes after a header field.*COMPRESSION_ERROR/, code: ErrorCode.COMPRESSION_ERROR },
];

for (const c of connectionErrors) {
  test(`connection error: ${c.name}`, async (t) => {
    const { channel, peers } = await hostile(t, (peer, f) => {
      if (isRequest(f)) peer.write(...c.reply(peer, f.id));
    });
    const e = await failure(call(channel));
    assert.equal(e.kind, 'protocol', e.message);
    assert.match(e.message, c.message);
    const goaway = await peers[0]!.waitFor((f) => f.type === FrameType.GOAWAY);
    assert.equal(goaway.payload.readUInt32BE(4), c.code);
  });
}

test('HPACK table size updates at the start of a block (two of them) are accepted and the call is answered', async (t) => {
  const { channel } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    const prefix = Buffer.from([0, 0, 0, 0, 2, 0x6f, 0x6b]);
    peer.write(
      frame(FrameType.HEADERS, Flag.END_HEADERS, f.id, Buffer.concat([Buffer.from([0x20, 0x3f, 0xe1, 0x1f]), encodeLiterals([[':status', '200']])])),
      frame(FrameType.DATA, 0, f.id, prefix),
      peer.headers(f.id, { 'grpc-status': '0' }, Flag.END_HEADERS | Flag.END_STREAM),
    );
  });
  assert.equal((await call(channel)).toString(), 'ok');
});

test('a stream WINDOW_UPDATE beyond 2^31-1 resets that stream (FLOW_CONTROL_ERROR); the connection carries on', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (f.id === 1) peer.write(frame(FrameType.WINDOW_UPDATE, 0, 1, u32(0x7fffffff)));
    else peer.write(peer.answer(f.id, Buffer.from('fine')));
  });
  const e = await failure(call(channel));
  assert.equal(e.kind, 'protocol');
  assert.match(e.message, /stream window exceed 2\^31-1/);
  const reset = await peers[0]!.waitFor((f) => f.type === FrameType.RST_STREAM && f.id === 1);
  assert.equal(reset.payload.readUInt32BE(0), ErrorCode.FLOW_CONTROL_ERROR);
  assert.equal((await call(channel)).toString(), 'fine');
  assert.equal(peers.length, 1);
});

test('SETTINGS_INITIAL_WINDOW_SIZE lowered while the body waits: the stream window goes negative and only what WINDOW_UPDATEs then allow is sent', async (t) => {
  const { channel, peers } = await hostile(
    t,
    (peer, f) => {
      if (f.type === FrameType.DATA && f.flags & Flag.END_STREAM) peer.write(peer.answer(f.id, Buffer.from('done')));
    },
    (peer) => peer.write(settingsFrame([[0x4, 1000]])),
  );
  // A first call so that the server's SETTINGS are in force for the second.
  const first = call(channel);
  await peers[0]?.waitFor((f) => f.type === FrameType.DATA && f.id === 1 && (f.flags & Flag.END_STREAM) !== 0);
  assert.equal((await first).toString(), 'done');
  const peer = peers[0]!;
  const answer = channel.call({ path: '/s/M', message: Buffer.alloc(4995, 1), headers: {}, label: 'big', deadline: Date.now() + 8000 });
  answer.catch(() => undefined);
  const sent = (): number => peer.frames.filter((f) => f.type === FrameType.DATA && f.id === 3).reduce((a, f) => a + f.payload.length, 0);
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 80));
  await peer.waitFor((f) => f.type === FrameType.DATA && f.id === 3);
  await settle();
  assert.equal(sent(), 1000, 'the first 1000 bytes, the whole initial window');
  // Window 0, then 500 - 1000 = -500; a WINDOW_UPDATE of 700 leaves 200 to send.
  peer.write(settingsFrame([[0x4, 500]]), frame(FrameType.WINDOW_UPDATE, 0, 3, u32(700)));
  await settle();
  assert.equal(sent(), 1200);
  peer.write(frame(FrameType.WINDOW_UPDATE, 0, 3, u32(10000)));
  assert.equal((await answer).toString(), 'done');
  assert.equal(sent(), 5000);
});

test('padded DATA for a cancelled stream is still credited to the connection, padding included', async (t) => {
  // The client's connection window is 16 MiB: 17 MiB sent on a stream it has reset must be given back,
  // or the connection runs out of window (a FLOW_CONTROL_ERROR) and the next call cannot be answered.
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (f.id === 1) {
      // 17 MiB of padded DATA frames (16,384 bytes each, 255 of them padding) on stream 1, which the client
      // refuses (over its answer limit) and resets after the first.
      peer.write(peer.headers(1, { ':status': '200', 'content-type': 'application/grpc' }));
      const padded = frame(FrameType.DATA, Flag.PADDED, 1, Buffer.concat([Buffer.from([255]), Buffer.alloc(16384 - 256, 0), Buffer.alloc(255)]));
      peer.write(...Array<Buffer>(17 * 64).fill(padded));
    } else {
      // Then answers of 1,000,005 bytes.
      const body = Buffer.alloc(1_000_005, 3);
      body.writeUInt32BE(body.length - 5, 1);
      body[0] = 0;
      const frames = [peer.headers(f.id, { ':status': '200', 'content-type': 'application/grpc' })];
      for (let at = 0; at < body.length; at += 16384) frames.push(frame(FrameType.DATA, 0, f.id, body.subarray(at, at + 16384)));
      frames.push(peer.headers(f.id, { 'grpc-status': '0' }, Flag.END_HEADERS | Flag.END_STREAM));
      peer.write(...frames);
    }
  });
  const refused = channel.call({ path: '/s/M', message: Buffer.from('x'), headers: {}, label: 'refused', deadline: Date.now() + 8000, maxAnswerBytes: 1024 });
  const e = await failure(refused);
  assert.match(e.message, /larger than the 1024-byte limit/);
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 2; i++) assert.equal((await call(channel, `big ${i}`)).length, 1_000_000);
  assert.equal(peers.length, 1, 'the connection carried on');
  const credited = peers[0]!.frames.filter((f) => f.type === FrameType.WINDOW_UPDATE && f.id === 0).reduce((a, f) => a + f.payload.readUInt32BE(0), 0);
  assert.ok(credited >= 16 * 1024 * 1024 - 65535 + 16 * 1024 * 1024, `connection credit given back: ${credited}`);
});

test('a far deadline still travels as a valid grpc-timeout (at most 8 digits, in a coarser unit)', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (isRequest(f)) peer.write(peer.answer(f.id, Buffer.from('ok')));
  });
  const cases: Array<[number, RegExp, number]> = [
    [5000, /^(4\d{3}|5000)m$/, 1],
    [200_000_000, /^\d{1,8}S$/, 1000],
  ];
  for (const [ms, shape, unit] of cases) {
    assert.equal((await channel.call({ path: '/s/M', message: Buffer.from('x'), headers: {}, label: 'far', deadline: Date.now() + ms })).toString(), 'ok');
    const requests = peers[0]!.frames.filter(isRequest);
    const sent = new HpackDecoder().decode(requests[requests.length - 1]!.payload).fields['grpc-timeout'] ?? '';
    assert.match(sent, shape, `${ms} ms sent as ${sent}`);
    const value = Number(sent.slice(0, -1)) * { m: 1, S: 1000, M: 60000, H: 3600000 }[sent.slice(-1) as 'm' | 'S' | 'M' | 'H'];
    assert.ok(value >= ms - 1000 && value <= ms + unit, `${sent} stands for ${value} ms, not about ${ms}`);
  }
});

test('a deadline further than a timer can wait (over 2^31-1 ms, about 24.8 days) does not end the call at once', async (t) => {
  const { channel } = await hostile(t, (peer, f) => {
    if (isRequest(f)) setTimeout(() => peer.write(peer.answer(f.id, Buffer.from('later'))), 100);
  });
  const answer = await channel.call({ path: '/s/M', message: Buffer.from('x'), headers: {}, label: 'far', deadline: Date.now() + 400 * 24 * 3600 * 1000 });
  assert.equal(answer.toString(), 'later');
});

test('the connection dies with calls queued behind MAX_CONCURRENT_STREAMS: every call fails at once, the queued ones as never sent', async (t) => {
  const { channel, peers } = await hostile(
    t,
    (peer, f) => {
      if (!isRequest(f)) return;
      if (peer === peers[0]) setTimeout(() => peer.socket.destroy(), 30);
      else peer.write(peer.answer(f.id, Buffer.from('again')));
    },
    (peer) => peer.write(settingsFrame([[0x3, 1]])),
  );
  const calls = [call(channel, 'a'), call(channel, 'b'), call(channel, 'c')];
  const errors = await Promise.all(calls.map(failure));
  assert.equal(peers[0]!.frames.filter(isRequest).length, 1, 'one stream at a time');
  for (const e of errors) assert.equal(e.kind, 'unavailable', e.message);
  assert.equal(errors.filter((e) => /lost/.test(e.message)).length, 1, errors.map((e) => e.message).join(' | '));
  assert.equal((await call(channel)).toString(), 'again');
});

test('2000 calls with a shared AbortSignal, deadlines racing the answers: no listener left on the signal, one connection throughout', async (t) => {
  const { EventEmitter } = await import('node:events');
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    peer.socket.setNoDelay(true);
    // Every third answer comes as its deadline is due.
    if (f.id % 3 === 0) setTimeout(() => peer.write(peer.answer(f.id, Buffer.from('ok'))), 2);
    else peer.write(peer.answer(f.id, Buffer.from('ok')));
  });
  const controller = new AbortController();
  let answered = 0;
  let late = 0;
  for (let i = 0; i < 2000; i++) {
    const deadline = Date.now() + (i % 3 === 1 ? 2 : 5000);
    try {
      const answer = await channel.call({ path: '/s/M', message: Buffer.from('x'), headers: {}, label: `call ${i}`, deadline, signal: controller.signal });
      assert.equal(answer.toString(), 'ok');
      answered++;
    } catch (e) {
      assert.ok(e instanceof TritonError && e.kind === 'deadline', String(e));
      late++;
    }
  }
  assert.equal(answered + late, 2000);
  assert.ok(answered >= 600, `${answered} answered`);
  assert.equal(EventEmitter.getEventListeners(controller.signal, 'abort').length, 0);
  assert.equal(peers.length, 1);
});

test('a big answer is not kept by the client once the caller lets it go (and neither is the request body)', async (t) => {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  // A channel of its own, with room for an 8 MiB answer.
  const server = createServer((socket) => {
    const peer = new Peer(socket, (p, f) => {
      if (!isRequest(f)) return;
      const body = Buffer.alloc(8 << 20, 7);
      body[0] = 0;
      body.writeUInt32BE(body.length - 5, 1);
      const frames = [p.headers(f.id, { ':status': '200', 'content-type': 'application/grpc' })];
      for (let at = 0; at < body.length; at += 16384) frames.push(frame(FrameType.DATA, 0, f.id, body.subarray(at, at + 16384)));
      frames.push(p.headers(f.id, { 'grpc-status': '0' }, Flag.END_HEADERS | Flag.END_STREAM));
      p.write(...frames);
    });
    peer.write(settingsFrame([]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const channel = new Http2UnaryChannel({ address: `127.0.0.1:${(server.address() as AddressInfo).port}`, tls: false }, undefined, 16 << 20, 2000);
  t.after(() => {
    channel.close();
    server.close();
  });
  // The calls run in a function of their own, so that no frame of this one holds the last of them.
  const run = async (): Promise<Array<WeakRef<ArrayBufferLike>>> => {
    const made: Array<WeakRef<ArrayBufferLike>> = [];
    for (let i = 0; i < 3; i++) {
      const request = Buffer.alloc(4 << 20, 1);
      const answer = await channel.call({ path: '/s/M', message: request, headers: {}, label: 'big', deadline: Date.now() + 8000 });
      assert.equal(answer.length, (8 << 20) - 5);
      made.push(new WeakRef(answer.buffer), new WeakRef(request.buffer));
    }
    return made;
  };
  const refs = await run();
  await new Promise((r) => setTimeout(r, 50));
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const kept = refs.filter((r) => r.deref() !== undefined).length;
  assert.equal(kept, 0, `${kept} of ${refs.length} answers and request bodies still reachable after the calls`);
});

test('response headers without a valid :status are a malformed answer: a stream error that says so', async (t) => {
  const { channel, peers } = await hostile(t, (peer, f) => {
    if (!isRequest(f)) return;
    if (f.id === 1) peer.write(peer.headers(1, { 'content-type': 'application/grpc', 'grpc-status': '0' }, Flag.END_HEADERS | Flag.END_STREAM));
    else if (f.id === 3) peer.write(peer.headers(3, { ':status': '2x0', 'grpc-status': '0' }, Flag.END_HEADERS | Flag.END_STREAM));
    else peer.write(peer.answer(f.id, Buffer.from('fine')));
  });
  for (const [label, shown] of [['none', 'none'], ['bad', '"2x0"']]) {
    const e = await failure(call(channel, label));
    assert.equal(e.kind, 'protocol');
    assert.equal(e.message, `${label}: the server's response headers have no valid :status (${shown})`);
  }
  const reset = await peers[0]!.waitFor((f) => f.type === FrameType.RST_STREAM && f.id === 1);
  assert.equal(reset.payload.readUInt32BE(0), ErrorCode.PROTOCOL_ERROR);
  assert.equal((await call(channel)).toString(), 'fine');
});
