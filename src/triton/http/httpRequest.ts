// One HTTP exchange with hard limits: deadline, abort signal, bounded response size, decompression.
// Exchanges run on the client's own HTTP/1.1 connections (h1/); the event stream of generate_stream
// opens its request through node:http (openRequest).
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { TritonError, connectionLost } from '../errors';
import { BUFFERED_REQUEST_BYTES, isConnectionLoss, isStaleSocketRace, lossDetail } from './connectionLoss';
import type { Connection, ConnectionPool, ConnectionUser } from './h1/connectionPool';
import type { HttpParseError, ResponseHeaders } from './h1/responseParser';
import { BodyInflater, acceptsEncoding } from './inflateBody';

export interface HttpTarget {
  secure: boolean;
  hostname: string;
  port: number;
  /** Kept-alive connections for exchange(). */
  pool: ConnectionPool;
  /** "Host: …\r\n" */
  hostLine: string;
  /** "Host: …\r\nConnection: keep-alive\r\n", the same for every request. */
  hostLines: string;
  /** node:http's pool, for openRequest (event streams). */
  agent: http.Agent;
  /** 0 = no limit. */
  connectTimeoutMs: number;
  /** 0 = no limit. */
  idleTimeoutMs: number;
  /** Set by close(): failures of calls still running are reported as 'cancelled'. */
  closed?: boolean;
}

export interface HttpExchange {
  method: 'GET' | 'POST';
  /** Path with query, already percent-encoded, base path included. */
  path: string;
  headers: Record<string, string>;
  /** Body parts sent back to back (no copy for large parts). */
  body?: readonly Uint8Array[];
  bodyLength?: number;
  signal?: AbortSignal;
  deadlineMs?: number;
  maxResponseBytes: number;
  /** Largest body a compressed answer may inflate to (at most maxResponseBytes). */
  maxInflatedBytes: number;
  /**
   * Lay the answer out so the binary part after Inference-Header-Content-Length bytes starts on an
   * 8-byte boundary: output tensors can then be typed-array views instead of copies.
   */
  alignBinary?: boolean;
  /**
   * Safe to send twice. Only such requests are replayed, and only in the stale keep-alive race: a
   * kept-alive socket the server closed before it could have read the request (connectionLoss.ts).
   */
  idempotent?: boolean;
  /** "POST /v2/models/m/infer", for error messages. */
  request: string;
}

export interface HttpAnswer {
  status: number;
  /** The headers the client reads (content-type, content-encoding, inference-header-content-length, content-length). */
  headers: ResponseHeaders;
  /** Body after decompression. */
  body: Buffer;
}

/** Below this size the body parts are joined so headers and body leave in one write. */
const JOIN_BELOW = 64 * 1024;

/** Sends one request; an idempotent one meeting the stale keep-alive race is sent once more (Exchange.replay). */
export function exchange(target: HttpTarget, call: HttpExchange): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => new Exchange(target, call, Date.now(), resolve, reject).begin());
}

class StaleSocketError extends Error {}

/** Opens the request and resolves once response headers arrive; the caller reads the body (node:http, for event streams). */
export function openRequest(
  target: HttpTarget,
  call: HttpExchange,
  onResponse: (res: IncomingMessage, fail: (error: TritonError) => void, done: () => void) => void,
): Promise<void> {
  return streamRequest(target, call, onResponse);
}

const BAD_PATH = /[^\x21-\x7e]/;

/**
 * The request head: request line, Host and Connection (unless the call sets its own), the call's
 * headers (checked where they entered the client) and Content-Length.
 */
function requestHead(target: HttpTarget, call: HttpExchange): string {
  if (BAD_PATH.test(call.path)) throw new TritonError('invalid-argument', 'the request path contains characters that must be percent-encoded', { request: call.request });
  const headers = call.headers;
  let head = `${call.method} ${call.path} HTTP/1.1\r\n`;
  if (headers.host === undefined && headers.connection === undefined) head += target.hostLines;
  else {
    if (headers.host === undefined) head += target.hostLine;
    if (headers.connection === undefined) head += 'Connection: keep-alive\r\n';
  }
  for (const name in headers) head += `${name}: ${headers[name]!}\r\n`;
  if (call.method === 'POST') head += `content-length: ${call.bodyLength ?? 0}\r\n`;
  return `${head}\r\n`;
}

function onDeadline(exchange: Exchange): void {
  exchange.finish(new TritonError('deadline', `no complete answer within ${exchange.call.deadlineMs} ms`, { request: exchange.call.request }));
}

/**
 * One request and its answer on a pooled connection. The call's state lives in this object, which is
 * also its abort listener and the connection's listener: no closures per request.
 */
class Exchange implements ConnectionUser {
  private settled = false;
  private connection: Connection | undefined;
  private reused = false;
  private fullyWritten = false;
  private gotResponse = false;
  private timer: NodeJS.Timeout | undefined;
  private status = 0;
  private headers: ResponseHeaders = {};
  private expected: number | undefined;
  private received = 0;
  private chunks: Buffer[] = [];
  private inflater: BodyInflater | undefined;
  private head = '';

  /** `firstLoss`: set on a replay, what the first attempt met. */
  constructor(
    private readonly target: HttpTarget,
    readonly call: HttpExchange,
    private readonly startedAt: number,
    private readonly resolve: (answer: HttpAnswer) => void,
    private readonly reject: (error: Error) => void,
    private readonly firstLoss?: string,
  ) {}

  begin(): void {
    const { call } = this;
    if (call.signal?.aborted) {
      this.settled = true;
      this.fail(new TritonError('cancelled', 'cancelled before it was sent', { request: call.request, cause: call.signal.reason }));
      return;
    }
    if (call.deadlineMs !== undefined && !(call.deadlineMs > 0)) {
      this.settled = true;
      this.fail(new TritonError('deadline', `deadline of ${call.deadlineMs} ms already passed`, { request: call.request }));
      return;
    }
    try {
      this.head = requestHead(this.target, call);
    } catch (error) {
      this.settled = true;
      this.fail(error as Error);
      return;
    }
    call.signal?.addEventListener('abort', this, { once: true });
    if (call.deadlineMs !== undefined) this.timer = setTimeout(onDeadline, call.deadlineMs, this);
    this.target.pool.acquire(this);
  }

  /** The abort signal fired. */
  handleEvent(): void {
    this.finish(new TritonError('cancelled', 'cancelled', { request: this.call.request, cause: this.call.signal?.reason }));
  }

  onConnection(connection: Connection): void {
    this.connection = connection;
    this.reused = connection.served > 0;
    const { call, head } = this;
    const socket = connection.socket;
    const parts = call.body;
    const length = call.bodyLength ?? 0;
    if (parts === undefined || parts.length === 0 || length === 0) {
      socket.write(head, 'latin1');
    } else if (length < JOIN_BELOW) {
      // Head and body leave in one write.
      const message = Buffer.allocUnsafe(head.length + length);
      let at = message.write(head, 0, 'latin1');
      for (const part of parts) {
        message.set(part, at);
        at += part.byteLength;
      }
      socket.write(message);
    } else {
      // Big parts go out as they are, no copies; only a big request's replay depends on whether all of it left.
      socket.cork();
      socket.write(head, 'latin1');
      const last = parts.length - 1;
      for (let i = 0; i < last; i++) socket.write(parts[i]!);
      if (length > BUFFERED_REQUEST_BYTES) socket.write(parts[last]!, (error) => { if (!error) this.fullyWritten = true; });
      else socket.write(parts[last]!);
      socket.uncork();
    }
  }

  onHead(status: number, headers: ResponseHeaders): void {
    this.gotResponse = true;
    this.status = status;
    this.headers = headers;
    const { call } = this;
    const where = { request: call.request, status };
    const declared = headers['content-length'];
    if (declared !== undefined) {
      this.expected = Number(declared);
      if (this.expected > call.maxResponseBytes) {
        this.finish(new TritonError('protocol', `response of ${declared} bytes exceeds the ${call.maxResponseBytes}-byte limit`, where));
        return;
      }
    }
    const header = headers['content-encoding'];
    const encoding = header === undefined ? 'identity' : header.toLowerCase();
    if (encoding === 'identity' || encoding === '') return;
    if (encoding !== 'gzip' && encoding !== 'deflate') {
      this.finish(new TritonError('protocol', `response uses unsupported Content-Encoding '${encoding}'`, where));
      return;
    }
    // Compressed bodies are the ones that can be bombs: only taken when the caller asked for them.
    if (!acceptsEncoding(call.headers['accept-encoding'], encoding)) {
      this.finish(new TritonError('protocol', `the server sent a ${encoding}-compressed answer although the request did not accept one`, where));
      return;
    }
    this.inflater = new BodyInflater(encoding, call, status, this.connection!, (error, chunks, total) => {
      if (error) this.finish(error);
      else this.succeed(chunks!, total!);
    });
  }

  onBody(chunk: Buffer): void {
    if (this.settled) return;
    this.received += chunk.byteLength;
    if (this.received > this.call.maxResponseBytes) {
      this.finish(new TritonError('protocol', `response exceeds the ${this.call.maxResponseBytes}-byte limit`, { request: this.call.request, status: this.status }));
      return;
    }
    if (this.inflater !== undefined) this.inflater.push(chunk);
    else this.chunks.push(chunk);
  }

  onComplete(): void {
    if (this.settled) return;
    if (this.inflater !== undefined) this.inflater.end();
    else this.succeed(this.chunks, this.received);
  }

  onSocketError(error: NodeJS.ErrnoException | TritonError): void {
    if (this.settled) return;
    const { call } = this;
    if (error instanceof TritonError) {
      this.finish(TritonError.from(error, call.request));
      return;
    }
    if (this.gotResponse) {
      const expected = this.expected;
      this.finish(new TritonError('protocol', expected !== undefined
        ? `response cut off: ${this.received} of ${expected} bytes arrived before the connection closed`
        : `response cut off after ${this.received} bytes`, { request: call.request, status: this.status, cause: error }));
      return;
    }
    if (!isConnectionLoss(error)) {
      this.finish(TritonError.from(error, call.request));
      return;
    }
    const replayable = this.reused && (call.idempotent ?? call.method === 'GET')
      && isStaleSocketRace({ socket: this.connection?.socket ?? null, startedAt: this.startedAt, bodyLength: call.bodyLength ?? 0, fullyWritten: this.fullyWritten });
    if (!replayable) {
      this.finish(connectionLost(lossDetail(error), { request: call.request, cause: error }));
      return;
    }
    this.finish(new StaleSocketError(lossDetail(error)), true);
  }

  onParseError(error: HttpParseError): void {
    if (this.settled) return;
    const { call } = this;
    if (error.notHttp && !this.gotResponse) {
      // The server was reached and answered, but not in HTTP/1.1 (a gRPC port, say).
      this.finish(new TritonError('unavailable', `the server's answer is not HTTP/1.1 (${error.code}: ${error.message})`, { request: call.request, cause: error }));
      return;
    }
    this.finish(new TritonError('protocol', `invalid HTTP answer: ${error.message}`, { request: call.request, status: this.gotResponse ? this.status : undefined, cause: error }));
  }

  onSocketTimeout(): void {
    this.finish(new TritonError('deadline', `the connection stayed silent for ${this.target.idleTimeoutMs} ms`, { request: this.call.request }));
  }

  private succeed(chunks: Buffer[], total: number): void {
    const body = joinChunks(chunks, total, this.call.alignBinary ? binaryStart(this.headers['inference-header-content-length']) : undefined);
    const answer: HttpAnswer = { status: this.status, headers: this.headers, body };
    if (this.finish(undefined)) this.resolve(answer);
  }

  /** Ends the call once: true when this call ended it. Failing closes the connection; success gives it back. */
  finish(error: Error | undefined, stale = false): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.call.signal?.removeEventListener('abort', this);
    this.inflater?.stop();
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined) this.target.pool.cancel(this);
    else if (error === undefined) connection.release();
    else connection.destroy();
    if (error === undefined) return true;
    this.chunks = [];
    if (stale && this.firstLoss === undefined) this.replay(error.message);
    else this.fail(this.target.closed && !stale ? new TritonError('cancelled', 'the client was closed while the call ran', { request: this.call.request, cause: error }) : error);
    return true;
  }

  /** The stale keep-alive race: the request goes out once more, with what is left of the caller's deadline. */
  private replay(loss: string): void {
    const { call } = this;
    const deadlineMs = call.deadlineMs === undefined ? undefined : call.deadlineMs - (Date.now() - this.startedAt);
    new Exchange(this.target, deadlineMs === undefined ? call : { ...call, deadlineMs }, Date.now(), this.resolve, this.reject, loss).begin();
  }

  private fail(error: Error): void {
    if (this.firstLoss === undefined) {
      this.reject(error);
      return;
    }
    // The server was reached the first time: whatever the replay meets, the report says so.
    const again = error instanceof StaleSocketError ? error.message
      : error instanceof TritonError && error.kind === 'unavailable' ? String((error.cause as { code?: unknown } | undefined)?.code ?? error.message)
        : undefined;
    this.reject(again === undefined ? error : connectionLost(`${this.firstLoss}; sending it again failed too: ${again}`, { request: this.call.request, cause: error }));
  }
}

/**
 * An event-stream request on node:http: deadline, abort, connect and idle timeouts, cancelled-on-close.
 * Never replayed (a generate_stream POST is not idempotent); the caller reads and bounds the body.
 */
function streamRequest(
  target: HttpTarget,
  call: HttpExchange,
  onResponse: (res: IncomingMessage, fail: (error: TritonError) => void, done: () => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { signal } = call;
    if (signal?.aborted) {
      reject(new TritonError('cancelled', 'cancelled before it was sent', { request: call.request, cause: signal.reason }));
      return;
    }
    if (call.deadlineMs !== undefined && !(call.deadlineMs > 0)) {
      reject(new TritonError('deadline', `deadline of ${call.deadlineMs} ms already passed`, { request: call.request }));
      return;
    }
    let settled = false;
    let gotResponse = false;
    let timer: NodeJS.Timeout | undefined;
    const headers: Record<string, string | number> = { ...call.headers };
    if (call.method === 'POST') headers['content-length'] = call.bodyLength ?? 0;
    const req = (target.secure ? https : http).request({
      method: call.method, hostname: target.hostname, port: target.port, path: call.path, headers, agent: target.agent,
    });

    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) { resolve(); return; }
      req.destroy();
      reject(target.closed ? new TritonError('cancelled', 'the client was closed while the call ran', { request: call.request, cause: error }) : error);
    };
    const onAbort = (): void => {
      finish(new TritonError('cancelled', 'cancelled', { request: call.request, cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (call.deadlineMs !== undefined) {
      timer = setTimeout(() => {
        finish(new TritonError('deadline', `no complete answer within ${call.deadlineMs} ms`, { request: call.request }));
      }, call.deadlineMs);
    }

    req.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (gotResponse) {
        finish(new TritonError('protocol', `connection failed while reading the answer: ${error.message}`, { request: call.request, cause: error }));
      } else if (typeof error.code === 'string' && error.code.startsWith('HPE_')) {
        // The server was reached and answered, but not in HTTP/1.1 (a gRPC port, say).
        finish(new TritonError('unavailable', `the server's answer is not HTTP/1.1 (${error.code}: ${error.message})`, { request: call.request, cause: error }));
      } else if (isConnectionLoss(error)) {
        finish(connectionLost(lossDetail(error), { request: call.request, cause: error }));
      } else {
        finish(TritonError.from(error, call.request));
      }
    });
    if (target.connectTimeoutMs > 0) {
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const limit = setTimeout(() => {
          finish(new TritonError('unavailable', `no connection to ${target.hostname}:${target.port} within ${target.connectTimeoutMs} ms`, { request: call.request }));
        }, target.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(limit));
        socket.once('close', () => clearTimeout(limit));
      });
    }
    if (target.idleTimeoutMs > 0) {
      req.setTimeout(target.idleTimeoutMs, () => {
        finish(new TritonError('deadline', `the connection stayed silent for ${target.idleTimeoutMs} ms`, { request: call.request }));
      });
    }
    req.on('response', (res) => {
      gotResponse = true;
      onResponse(res, (error) => finish(error), () => finish());
    });

    const parts = call.body ?? [];
    if (parts.length === 0) req.end();
    else if (parts.length === 1) req.end(parts[0]);
    else req.end(Buffer.concat(parts));
  });
}

function binaryStart(value: string | undefined): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** Joins body chunks (the one copy the body gets), placing byte `alignAt` on an 8-byte boundary. */
function joinChunks(chunks: Buffer[], total: number, alignAt: number | undefined): Buffer {
  const misalignment = (buffer: Buffer): number => (buffer.byteOffset + (alignAt ?? 0)) % 8;
  if (chunks.length === 1 && (alignAt === undefined || misalignment(chunks[0]!) === 0)) return chunks[0]!;
  if (alignAt === undefined || total <= alignAt) return Buffer.concat(chunks, total);
  const room = Buffer.allocUnsafe(total + 7);
  const pad = (8 - misalignment(room)) % 8;
  let at = pad;
  for (const chunk of chunks) {
    room.set(chunk, at);
    at += chunk.byteLength;
  }
  return room.subarray(pad, pad + total);
}
