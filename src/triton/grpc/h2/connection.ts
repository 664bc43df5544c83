// One HTTP/2 client connection (RFC 9113) made for unary gRPC calls: each call opens a stream,
// sends one header block and a body, and receives headers, data and trailers. Flow control runs
// both ways, the server's SETTINGS are honoured (window, frame size, concurrent streams), GOAWAY
// drains the connection, and a server that breaks the protocol fails the connection with a
// message that says how. No server push, no priorities, no stream we did not open.
import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  CONNECTION_PREFACE, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, FRAME_HEADER_BYTES, Flag, FrameType, MAX_STREAM_ID,
  MAX_WINDOW, Setting, errorName, goawayFrame, frame, rstStreamFrame, settingsFrame, windowUpdateFrame, writeFrameHeader,
} from './frames';
import { HpackDecoder, HpackError } from './hpack';
import type { HeaderFields } from './hpack';

/** What a call hears from its stream. After onEnd, onReset, onStreamError or onFailure nothing more comes. */
export interface StreamListener {
  /** A header block (response headers or trailers); 1xx informational blocks are not passed on. */
  onHeaders(fields: HeaderFields): void;
  onData(chunk: Buffer): void;
  /** The server ended the stream (END_STREAM). */
  onEnd(): void;
  /** The server reset the stream (RST_STREAM with this code). */
  onReset(code: number): void;
  /** This stream broke the protocol or a bound; it was reset, the connection carries on. */
  onStreamError(message: string): void;
  onFailure(failure: ConnectionFailure): void;
}

export interface ConnectionFailure {
  /** The server had spoken HTTP/2 (its first SETTINGS came) before the failure. */
  reached: boolean;
  message: string;
  /** The socket's error code (ECONNREFUSED, …), when a socket error is the cause. */
  code?: string;
  cause?: unknown;
  /** The server said (GOAWAY) it did not process this stream, or the call was never sent. */
  notProcessed?: boolean;
  /** The server broke HTTP/2. */
  protocol?: boolean;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  /** TLS options for tls.connect; undefined for plaintext (h2c with prior knowledge). */
  tls?: tls.ConnectionOptions;
  connectTimeoutMs: number;
  /** Our SETTINGS_INITIAL_WINDOW_SIZE. */
  streamWindow: number;
  /** The connection's receive window, raised from 65,535 by a WINDOW_UPDATE at start. */
  connectionWindow: number;
  maxHeaderListSize: number;
  /** The first stream id (odd); tests start near the end of the id space. */
  firstStreamId?: number;
}

/** Our SETTINGS_MAX_FRAME_SIZE: the default, so every frame from the server must fit 16 KiB. */
const OUR_MAX_FRAME_SIZE = DEFAULT_MAX_FRAME_SIZE;
/** Our GOAWAY's last-stream-id names the server's streams we acted on: with push disabled, none. */
const NO_PEER_STREAMS = 0;
/** Below this, a call's HEADERS and DATA go out as one buffer; above, the body parts are written as they are. */
const JOIN_LIMIT = 16 * 1024;
/**
 * PING and SETTINGS acknowledgements we queue while the socket waits to drain: a server that
 * floods those frames without reading our answers would otherwise grow our memory without bound.
 */
const MAX_QUEUED_ACKS = 10000;

export class H2Stream {
  id = 0;
  sendWindow = 0;
  /** Body parts not yet sent, and the offset into the first. */
  parts: Uint8Array[];
  partOffset = 0;
  sentEnd = false;
  receivedEnd = false;
  /** Bytes received and consumed but not yet credited back with a WINDOW_UPDATE. */
  unacked = 0;
  received = 0;
  gotHeaders = false;
  done = false;

  constructor(readonly headerBlock: Buffer, body: Uint8Array[], readonly listener: StreamListener) {
    this.parts = body;
  }
}

export class H2Connection {
  private readonly socket: net.Socket | tls.TLSSocket;
  private readonly decoder: HpackDecoder;
  private readonly streams = new Map<number, H2Stream>();
  private readonly queue: H2Stream[] = [];
  private readonly blocked = new Set<H2Stream>();
  private nextStreamId: number;
  private rest: Buffer | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  /** The server's first SETTINGS has come. */
  reached = false;
  private failed: ConnectionFailure | undefined;
  private goingAway = false;
  private closing = false;
  private referenced = false;
  // The server's settings.
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private peerMaxConcurrent = Infinity;
  private sendWindow = DEFAULT_WINDOW;
  // Our receive side.
  private receiveWindow: number;
  private connectionUnacked = 0;
  /** Acknowledgements written since the socket last drained, counted only while it needs to. */
  private queuedAcks = 0;
  /** A header block that continues in CONTINUATION frames. */
  private continuing: { id: number; fragments: Buffer[]; size: number; wire: number; endStream: boolean } | undefined;

  constructor(private readonly options: ConnectionOptions) {
    this.decoder = new HpackDecoder(4096, options.maxHeaderListSize);
    this.nextStreamId = options.firstStreamId ?? 1;
    this.receiveWindow = options.connectionWindow;
    if (options.tls) {
      const servername = net.isIP(options.host) ? undefined : options.host;
      this.socket = tls.connect({ ...options.tls, host: options.host, port: options.port, servername, ALPNProtocols: ['h2'] });
      this.socket.once('secureConnect', () => {
        const negotiated = (this.socket as tls.TLSSocket).alpnProtocol;
        if (negotiated !== 'h2') this.fail({ reached: false, message: `the server did not agree to HTTP/2 over TLS (ALPN gave ${negotiated === false || negotiated === undefined ? 'nothing' : JSON.stringify(negotiated)})` });
      });
    } else {
      this.socket = net.connect({ host: options.host, port: options.port });
    }
    const socket = this.socket;
    socket.setNoDelay(true);
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => {
      this.queuedAcks = 0;
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.fail({ reached: this.reached, message: e.message, code: typeof e.code === 'string' ? e.code : undefined, cause: e });
    });
    socket.on('close', () => {
      this.fail({
        reached: this.reached,
        message: this.reached ? 'the server closed the HTTP/2 connection before answering' : 'the connection closed before it spoke HTTP/2',
      });
    });
    const limit = options.connectTimeoutMs;
    this.connectTimer = setTimeout(() => this.fail({ reached: false, message: `no HTTP/2 answer from the server within ${limit} ms` }), limit);
    this.connectTimer.unref();
    const raise = options.connectionWindow - DEFAULT_WINDOW;
    socket.write(Buffer.concat([
      CONNECTION_PREFACE,
      settingsFrame([[Setting.ENABLE_PUSH, 0], [Setting.INITIAL_WINDOW_SIZE, options.streamWindow], [Setting.MAX_HEADER_LIST_SIZE, options.maxHeaderListSize]]),
      ...(raise > 0 ? [windowUpdateFrame(0, raise)] : []),
    ]));
  }

  /** Whether new calls may start here (not failed, not draining, stream ids left). */
  get acceptsCalls(): boolean {
    return this.failed === undefined && !this.goingAway && !this.closing && this.nextStreamId + 2 * this.queue.length <= MAX_STREAM_ID;
  }

  /** Calls started or waiting on this connection. */
  get activeCalls(): number {
    return this.streams.size + this.queue.length;
  }

  /** Starts a call (or queues it beyond the server's MAX_CONCURRENT_STREAMS). */
  open(headerBlock: Buffer, body: Uint8Array[], listener: StreamListener): H2Stream {
    const stream = new H2Stream(headerBlock, body, listener);
    if (!this.acceptsCalls) {
      const failure = this.failed ?? { reached: this.reached, message: 'the connection is closing', notProcessed: true };
      stream.done = true;
      queueMicrotask(() => listener.onFailure(failure));
      return stream;
    }
    if (this.streams.size >= this.concurrencyLimit()) this.queue.push(stream);
    else this.start(stream);
    this.updateRef();
    return stream;
  }

  /** Ends a call from our side (deadline, abort, refused answer): RST_STREAM CANCEL, no more callbacks. */
  cancel(stream: H2Stream, code: number = ErrorCode.CANCEL): void {
    if (stream.done) return;
    stream.done = true;
    if (stream.id === 0) {
      const at = this.queue.indexOf(stream);
      if (at >= 0) this.queue.splice(at, 1);
    } else {
      if (this.failed === undefined) this.socket.write(rstStreamFrame(stream.id, code));
      this.forget(stream);
    }
    this.afterStreamEnd();
  }

  /** No new calls; the connection ends once the calls on it (started or queued) are done. */
  close(): void {
    this.closing = true;
    this.afterStreamEnd();
  }

  /** Ends the connection now, failing whatever is on it. */
  destroy(message = 'the connection was closed'): void {
    this.fail({ reached: this.reached, message });
  }

  private start(stream: H2Stream): void {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.id = id;
    stream.sendWindow = this.peerInitialWindow;
    this.streams.set(id, stream);
    const headers = this.headerFrames(id, stream.headerBlock);
    let length = 0;
    for (const part of stream.parts) length += part.byteLength;
    const fits = length <= JOIN_LIMIT && length <= this.peerMaxFrameSize && length <= stream.sendWindow && length <= this.sendWindow;
    if (fits) {
      // The common small call: one buffer, one write.
      const out = Buffer.allocUnsafe(headers.length + FRAME_HEADER_BYTES + length);
      headers.copy(out, 0);
      writeFrameHeader(out, headers.length, length, FrameType.DATA, Flag.END_STREAM, id);
      let at = headers.length + FRAME_HEADER_BYTES;
      for (const part of stream.parts) {
        out.set(part, at);
        at += part.byteLength;
      }
      stream.sendWindow -= length;
      this.sendWindow -= length;
      stream.parts = [];
      stream.sentEnd = true;
      this.socket.write(out);
      return;
    }
    this.socket.cork();
    this.socket.write(headers);
    this.pump(stream);
    this.socket.uncork();
  }

  /** HEADERS, with CONTINUATION frames when the block is larger than the server's frame size. */
  private headerFrames(id: number, block: Buffer): Buffer {
    const max = this.peerMaxFrameSize;
    if (block.length <= max) {
      const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + block.length);
      writeFrameHeader(out, 0, block.length, FrameType.HEADERS, Flag.END_HEADERS, id);
      block.copy(out, FRAME_HEADER_BYTES);
      return out;
    }
    const frames: Buffer[] = [];
    for (let at = 0; at < block.length; at += max) {
      const last = at + max >= block.length;
      frames.push(frame(at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, last ? Flag.END_HEADERS : 0, id, block.subarray(at, Math.min(block.length, at + max))));
    }
    return Buffer.concat(frames);
  }

  /** Sends as much of the stream's body as the windows and the frame size allow. */
  private pump(stream: H2Stream): void {
    while (!stream.sentEnd) {
      const part = stream.parts[0];
      if (part === undefined) {
        this.socket.write(frame(FrameType.DATA, Flag.END_STREAM, stream.id));
        stream.sentEnd = true;
        break;
      }
      const allowed = Math.min(stream.sendWindow, this.sendWindow, this.peerMaxFrameSize);
      if (allowed <= 0) {
        this.blocked.add(stream);
        return;
      }
      const n = Math.min(allowed, part.byteLength - stream.partOffset);
      const chunk = part.subarray(stream.partOffset, stream.partOffset + n);
      stream.partOffset += n;
      if (stream.partOffset === part.byteLength) {
        stream.parts.shift();
        stream.partOffset = 0;
      }
      const last = stream.parts.length === 0;
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      writeFrameHeader(header, 0, n, FrameType.DATA, last ? Flag.END_STREAM : 0, stream.id);
      this.socket.write(header);
      this.socket.write(chunk);
      stream.sendWindow -= n;
      this.sendWindow -= n;
      if (last) stream.sentEnd = true;
    }
    this.blocked.delete(stream);
  }

  private pumpBlocked(): void {
    if (this.blocked.size === 0) return;
    this.socket.cork();
    for (const stream of [...this.blocked]) {
      if (this.sendWindow <= 0) break;
      this.blocked.delete(stream);
      if (!stream.done) this.pump(stream);
    }
    this.socket.uncork();
  }

  private receive(chunk: Buffer): void {
    if (this.failed) return;
    let p = 0;
    let rest = this.rest;
    if (rest !== undefined) {
      // A frame cut by the previous chunk: only its own missing bytes are copied, not the chunk.
      this.rest = undefined;
      if (rest.length < FRAME_HEADER_BYTES) {
        p = Math.min(FRAME_HEADER_BYTES - rest.length, chunk.length);
        rest = Buffer.concat([rest, chunk.subarray(0, p)]);
        if (rest.length < FRAME_HEADER_BYTES) {
          this.rest = rest;
          return;
        }
      }
      if (!this.acceptable(rest, 0)) return;
      const total = FRAME_HEADER_BYTES + ((rest[0]! << 16) | (rest[1]! << 8) | rest[2]!);
      const take = Math.min(total - rest.length, chunk.length - p);
      if (take > 0) {
        rest = Buffer.concat([rest, chunk.subarray(p, p + take)]);
        p += take;
      }
      if (rest.length < total) {
        this.rest = rest;
        return;
      }
      this.parse(rest, 0);
      if (this.failed) return;
    }
    const left = this.parse(chunk, p);
    if (this.failed) return;
    if (left < chunk.length) this.rest = left === 0 ? chunk : chunk.subarray(left);
    if (this.connectionUnacked > 0 && this.connectionUnacked >= this.options.connectionWindow / 4) {
      this.socket.write(windowUpdateFrame(0, this.connectionUnacked));
      this.receiveWindow += this.connectionUnacked;
      this.connectionUnacked = 0;
    }
  }

  /** Whether the frame header at `p` may be read on (the connection has failed if not). */
  private acceptable(buf: Buffer, p: number): boolean {
    const length = (buf[p]! << 16) | (buf[p + 1]! << 8) | buf[p + 2]!;
    const type = buf[p + 3]!;
    if (!this.reached && type !== FrameType.SETTINGS) {
      this.fail({ reached: false, message: `the server does not speak HTTP/2: its first bytes are not a SETTINGS frame (${JSON.stringify(buf.subarray(p, p + 16).toString('latin1'))}…)`, protocol: true }, ErrorCode.PROTOCOL_ERROR);
      return false;
    }
    if (length > OUR_MAX_FRAME_SIZE) {
      this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, `a frame of ${length} bytes (type ${type}) is larger than the ${OUR_MAX_FRAME_SIZE}-byte maximum we allow`);
      return false;
    }
    return true;
  }

  /** Handles the whole frames in `buf` from `p`; returns where the first incomplete one starts. */
  private parse(buf: Buffer, p: number): number {
    while (buf.length - p >= FRAME_HEADER_BYTES) {
      if (!this.acceptable(buf, p)) return buf.length;
      const length = (buf[p]! << 16) | (buf[p + 1]! << 8) | buf[p + 2]!;
      if (buf.length - p - FRAME_HEADER_BYTES < length) break;
      const type = buf[p + 3]!;
      const flags = buf[p + 4]!;
      const id = buf.readUInt32BE(p + 5) & 0x7fffffff;
      const payload = buf.subarray(p + FRAME_HEADER_BYTES, p + FRAME_HEADER_BYTES + length);
      p += FRAME_HEADER_BYTES + length;
      this.handleFrame(type, flags, id, payload);
      if (this.failed) return buf.length;
    }
    return p;
  }

  private handleFrame(type: number, flags: number, id: number, payload: Buffer): void {
    if (this.continuing !== undefined && (type !== FrameType.CONTINUATION || id !== this.continuing.id)) {
      this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a frame of type ${type} came in the middle of a header block of stream ${this.continuing.id}`);
      return;
    }
    switch (type) {
      case FrameType.DATA: return this.onData(flags, id, payload);
      case FrameType.HEADERS: return this.onHeaders(flags, id, payload);
      case FrameType.CONTINUATION: return this.onContinuation(flags, id, payload);
      case FrameType.PRIORITY:
        if (id === 0) this.protocolFailure(ErrorCode.PROTOCOL_ERROR, 'a PRIORITY frame on stream 0');
        return;
      case FrameType.RST_STREAM: return this.onReset(id, payload);
      case FrameType.SETTINGS: return this.onSettings(flags, id, payload);
      case FrameType.PUSH_PROMISE:
        this.protocolFailure(ErrorCode.PROTOCOL_ERROR, 'a PUSH_PROMISE although push is disabled');
        return;
      case FrameType.PING: return this.onPing(flags, id, payload);
      case FrameType.GOAWAY: return this.onGoaway(id, payload);
      case FrameType.WINDOW_UPDATE: return this.onWindowUpdate(id, payload);
      default:
        // Unknown frame types are ignored (RFC 9113 §4.1).
        return;
    }
  }

  /** The payload without its padding, or undefined (after failing) when the padding is wrong. */
  private unpad(flags: number, payload: Buffer, what: string): Buffer | undefined {
    if ((flags & Flag.PADDED) === 0) return payload;
    const pad = payload.length > 0 ? payload[0]! : -1;
    if (pad < 0 || pad >= payload.length) {
      this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a padded ${what} frame whose padding (${pad}) does not fit its ${payload.length} bytes`);
      return undefined;
    }
    return payload.subarray(1, payload.length - pad);
  }

  private onData(flags: number, id: number, payload: Buffer): void {
    if (id === 0) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, 'a DATA frame on stream 0');
    // The whole payload, padding included, counts against the windows.
    this.receiveWindow -= payload.length;
    if (this.receiveWindow < 0) return this.protocolFailure(ErrorCode.FLOW_CONTROL_ERROR, 'the server sent more data than the connection window allows');
    this.connectionUnacked += payload.length;
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (id >= this.nextStreamId || id % 2 === 0) this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a DATA frame on stream ${id}, which was never opened`);
      // Data for a stream we cancelled: credited back with the connection window, otherwise dropped.
      return;
    }
    const data = this.unpad(flags, payload, 'DATA');
    if (data === undefined) return;
    stream.received += payload.length;
    if (stream.received > this.options.streamWindow) {
      return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR, `the server sent more data on the stream than its ${this.options.streamWindow}-byte window allows`);
    }
    if (!stream.gotHeaders) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR, 'the server sent DATA before its response headers');
    if (data.length > 0) stream.listener.onData(data);
    if (stream.done) return;
    if (flags & Flag.END_STREAM) {
      this.ended(stream);
      return;
    }
    stream.unacked += payload.length;
    if (stream.unacked >= this.options.streamWindow / 4) {
      this.socket.write(windowUpdateFrame(id, stream.unacked));
      stream.received -= stream.unacked;
      stream.unacked = 0;
    }
  }

  private onHeaders(flags: number, id: number, payload: Buffer): void {
    if (id === 0) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, 'a HEADERS frame on stream 0');
    let fragment = this.unpad(flags, payload, 'HEADERS');
    if (fragment === undefined) return;
    if (flags & Flag.PRIORITY) {
      if (fragment.length < 5) return this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, 'a HEADERS frame too short for its priority fields');
      fragment = fragment.subarray(5);
    }
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) {
      this.headerBlock(id, fragment, endStream);
      return;
    }
    this.continuing = { id, fragments: [fragment], size: fragment.length, wire: FRAME_HEADER_BYTES + payload.length, endStream };
  }

  private onContinuation(flags: number, id: number, payload: Buffer): void {
    const continuing = this.continuing;
    if (continuing === undefined) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a CONTINUATION frame on stream ${id} without a header block to continue`);
    continuing.fragments.push(payload);
    continuing.size += payload.length;
    // A compressed block never needs to be much larger than the list it carries. The bound counts
    // the bytes on the wire, frame headers included, so that empty CONTINUATION frames (which add
    // nothing to the block but a fragment to hold) cannot keep a block open for ever.
    continuing.wire += FRAME_HEADER_BYTES + payload.length;
    const bound = 2 * this.options.maxHeaderListSize + OUR_MAX_FRAME_SIZE;
    if (continuing.wire > bound) {
      return this.protocolFailure(ErrorCode.ENHANCE_YOUR_CALM, `a header block of more than ${bound} bytes on stream ${id}`);
    }
    if (flags & Flag.END_HEADERS) {
      this.continuing = undefined;
      this.headerBlock(id, Buffer.concat(continuing.fragments, continuing.size), continuing.endStream);
    }
  }

  private headerBlock(id: number, block: Buffer, endStream: boolean): void {
    let decoded: ReturnType<HpackDecoder['decode']>;
    try {
      decoded = this.decoder.decode(block);
    } catch (e) {
      if (!(e instanceof HpackError)) throw e;
      return this.protocolFailure(ErrorCode.COMPRESSION_ERROR, `a header block on stream ${id} cannot be decoded: ${e.message}`);
    }
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (id >= this.nextStreamId || id % 2 === 0) this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a HEADERS frame on stream ${id}, which was never opened`);
      return;
    }
    if (decoded.tooLarge !== undefined) {
      return this.streamError(stream, ErrorCode.PROTOCOL_ERROR, `the server sent a header list of ${decoded.tooLarge} bytes, above the ${this.decoder.maxHeaderListSize}-byte limit`);
    }
    if (stream.gotHeaders && !endStream) {
      // After the response headers the only header block allowed is the trailers, which end the stream (RFC 9113 §8.1).
      return this.streamError(stream, ErrorCode.PROTOCOL_ERROR, 'the server sent a second header block without END_STREAM (trailers must end the stream)');
    }
    const status = decoded.fields[':status'];
    if (!stream.gotHeaders && (status === undefined || !/^[1-5]\d\d$/.test(status))) {
      // Every response header block carries a 3-digit :status (RFC 9113 §8.3.2).
      return this.streamError(stream, ErrorCode.PROTOCOL_ERROR, `the server's response headers have no valid :status (${status === undefined ? 'none' : JSON.stringify(status.slice(0, 40))})`);
    }
    if (!endStream && status?.startsWith('1') === true) return;
    stream.gotHeaders = true;
    stream.listener.onHeaders(decoded.fields);
    if (endStream && !stream.done) this.ended(stream);
  }

  private onReset(id: number, payload: Buffer): void {
    if (payload.length !== 4) return this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, `an RST_STREAM frame of ${payload.length} bytes (4 expected)`);
    if (id === 0) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, 'an RST_STREAM frame on stream 0');
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    stream.done = true;
    this.forget(stream);
    stream.listener.onReset(payload.readUInt32BE(0));
    this.afterStreamEnd();
  }

  private onSettings(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a SETTINGS frame on stream ${id}`);
    if (flags & Flag.ACK) {
      if (payload.length !== 0) this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, 'a SETTINGS acknowledgement with a payload');
      return;
    }
    if (payload.length % 6 !== 0) return this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, `a SETTINGS frame of ${payload.length} bytes (a multiple of 6 expected)`);
    let windowDelta = 0;
    for (let at = 0; at < payload.length; at += 6) {
      const setting = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      switch (setting) {
        case Setting.ENABLE_PUSH:
          if (value > 1) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH of ${value}`);
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxConcurrent = value;
          break;
        case Setting.INITIAL_WINDOW_SIZE:
          if (value > MAX_WINDOW) return this.protocolFailure(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE of ${value}, above 2^31-1`);
          windowDelta += value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          break;
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE of ${value}, outside 16384–16777215`);
          this.peerMaxFrameSize = value;
          break;
        default:
          // HEADER_TABLE_SIZE bounds an encoder's dynamic table; ours never indexes. Unknown settings are ignored.
          break;
      }
    }
    if (windowDelta !== 0) {
      for (const stream of this.streams.values()) {
        stream.sendWindow += windowDelta;
        if (stream.sendWindow > MAX_WINDOW) return this.protocolFailure(ErrorCode.FLOW_CONTROL_ERROR, 'SETTINGS_INITIAL_WINDOW_SIZE made a stream window exceed 2^31-1');
        if (!stream.sentEnd) this.blocked.add(stream);
      }
    }
    if (!this.acknowledge(frame(FrameType.SETTINGS, Flag.ACK, 0), 'SETTINGS')) return;
    if (!this.reached) {
      this.reached = true;
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    }
    if (this.peerMaxConcurrent === 0) {
      // A server that allows no streams at all would leave queued calls waiting forever.
      const failure: ConnectionFailure = { reached: true, message: 'the server allows no calls on this connection (SETTINGS_MAX_CONCURRENT_STREAMS 0)', notProcessed: true };
      for (const stream of this.queue.splice(0)) {
        stream.done = true;
        stream.listener.onFailure(failure);
      }
      this.goingAway = true;
      this.afterStreamEnd();
    }
    this.drainQueue();
    if (windowDelta > 0) this.pumpBlocked();
  }

  private onPing(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a PING frame on stream ${id}`);
    if (payload.length !== 8) return this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, `a PING frame of ${payload.length} bytes (8 expected)`);
    if ((flags & Flag.ACK) === 0) this.acknowledge(frame(FrameType.PING, Flag.ACK, 0, payload), 'PING');
  }

  private onGoaway(id: number, payload: Buffer): void {
    if (id !== 0) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, `a GOAWAY frame on stream ${id}`);
    if (payload.length < 8) return this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, `a GOAWAY frame of ${payload.length} bytes (at least 8 expected)`);
    const lastStreamId = payload.readUInt32BE(0) & 0x7fffffff;
    const code = payload.readUInt32BE(4);
    const debug = payload.subarray(8, 8 + 200).toString('utf8').replace(/[^\x20-\x7e]/g, '?');
    this.goingAway = true;
    const why = `the server is closing the connection (GOAWAY ${errorName(code)}${debug ? `: ${debug}` : ''})`;
    const failure: ConnectionFailure = { reached: true, message: `${why} and did not process this call`, notProcessed: true };
    for (const stream of [...this.streams.values()]) {
      if (stream.id <= lastStreamId) continue;
      stream.done = true;
      this.forget(stream);
      stream.listener.onFailure(failure);
    }
    for (const stream of this.queue.splice(0)) {
      stream.done = true;
      stream.listener.onFailure(failure);
    }
    this.afterStreamEnd();
  }

  private onWindowUpdate(id: number, payload: Buffer): void {
    if (payload.length !== 4) return this.protocolFailure(ErrorCode.FRAME_SIZE_ERROR, `a WINDOW_UPDATE frame of ${payload.length} bytes (4 expected)`);
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0) return this.protocolFailure(ErrorCode.PROTOCOL_ERROR, 'a WINDOW_UPDATE of 0 for the connection');
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) return this.protocolFailure(ErrorCode.FLOW_CONTROL_ERROR, 'a WINDOW_UPDATE made the connection window exceed 2^31-1');
      this.pumpBlocked();
      return;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    if (increment === 0) return this.streamError(stream, ErrorCode.PROTOCOL_ERROR, 'the server sent a WINDOW_UPDATE of 0 for the stream');
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.streamError(stream, ErrorCode.FLOW_CONTROL_ERROR, 'a WINDOW_UPDATE made the stream window exceed 2^31-1');
    if (!stream.sentEnd && this.blocked.has(stream)) {
      this.socket.cork();
      this.pump(stream);
      this.socket.uncork();
    }
  }

  /** Writes a PING or SETTINGS acknowledgement; false (after failing) when too many wait behind a socket that does not drain. */
  private acknowledge(ack: Buffer, what: string): boolean {
    if (this.socket.writableNeedDrain && ++this.queuedAcks > MAX_QUEUED_ACKS) {
      this.fail({
        reached: this.reached,
        message: `the server sent more than ${MAX_QUEUED_ACKS} PING or SETTINGS frames (the last a ${what}) while our acknowledgements were not read (ENHANCE_YOUR_CALM)`,
        protocol: true,
      }, ErrorCode.ENHANCE_YOUR_CALM);
      return false;
    }
    this.socket.write(ack);
    return true;
  }

  /** The server ended its side of the stream. */
  private ended(stream: H2Stream): void {
    stream.receivedEnd = true;
    if (!stream.sentEnd) {
      // The server answered before taking the whole request: the rest is not sent.
      stream.sentEnd = true;
      this.blocked.delete(stream);
      this.socket.write(rstStreamFrame(stream.id, ErrorCode.CANCEL));
    }
    this.complete(stream);
  }

  private complete(stream: H2Stream): void {
    if (stream.done) return;
    stream.done = true;
    this.forget(stream);
    stream.listener.onEnd();
    this.afterStreamEnd();
  }

  private forget(stream: H2Stream): void {
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
  }

  private streamError(stream: H2Stream, code: number, message: string): void {
    stream.done = true;
    this.socket.write(rstStreamFrame(stream.id, code));
    this.forget(stream);
    stream.listener.onStreamError(message);
    this.afterStreamEnd();
  }

  /**
   * Until the server's SETTINGS come its MAX_CONCURRENT_STREAMS is unknown: one call goes out at
   * once (it cannot be answered before those SETTINGS anyway), the others wait for them rather
   * than risk being refused.
   */
  private concurrencyLimit(): number {
    return this.reached ? this.peerMaxConcurrent : 1;
  }

  private drainQueue(): void {
    while (this.queue.length > 0 && this.streams.size < this.concurrencyLimit() && this.failed === undefined) {
      this.start(this.queue.shift()!);
    }
  }

  private afterStreamEnd(): void {
    if (this.failed) return;
    this.drainQueue();
    if (this.activeCalls === 0 && (this.closing || this.goingAway || !this.acceptsCalls)) {
      this.socket.end(goawayFrame(NO_PEER_STREAMS, ErrorCode.NO_ERROR));
      this.failed = { reached: this.reached, message: 'the connection was closed' };
      clearTimeout(this.connectTimer);
      this.socket.destroySoon();
    }
    this.updateRef();
  }

  /** The socket keeps the process alive exactly while a call is on it. */
  private updateRef(): void {
    const want = this.activeCalls > 0;
    if (want === this.referenced) return;
    this.referenced = want;
    if (want) this.socket.ref();
    else this.socket.unref();
  }

  private protocolFailure(code: number, message: string): void {
    this.fail({ reached: this.reached, message: `the server broke HTTP/2: ${message} (${errorName(code)})`, protocol: true }, code);
  }

  /** Fails the connection and every call on it, once. */
  private fail(failure: ConnectionFailure, goawayCode?: number): void {
    if (this.failed) return;
    this.failed = failure;
    clearTimeout(this.connectTimer);
    if (goawayCode !== undefined && !this.socket.destroyed) {
      this.socket.end(goawayFrame(NO_PEER_STREAMS, goawayCode, failure.message.slice(0, 120)));
    }
    this.socket.destroy();
    const streams = [...this.streams.values(), ...this.queue.splice(0)];
    this.streams.clear();
    this.blocked.clear();
    for (const stream of streams) {
      if (stream.done) continue;
      stream.done = true;
      stream.listener.onFailure(stream.id === 0 ? { ...failure, notProcessed: true } : failure);
    }
    this.updateRef();
  }
}
