// One HTTP exchange with hard limits: deadline, abort signal, bounded response size, decompression.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { TritonError, connectionLost } from '../errors';
import { BUFFERED_REQUEST_BYTES, isConnectionLoss, isStaleSocketRace, lossDetail, noteConnectTime } from './connectionLoss';
import { acceptsEncoding, readInflatedBody } from './inflateBody';

export interface HttpTarget {
  secure: boolean;
  hostname: string;
  port: number;
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
  headers: IncomingHttpHeaders;
  /** Body after decompression. */
  body: Buffer;
}

/** Below this size the body parts are joined so headers and body leave in one write. */
const JOIN_BELOW = 64 * 1024;

/** Sends one request; an idempotent one meeting the stale keep-alive race is sent once more on a fresh socket. */
export async function exchange(target: HttpTarget, call: HttpExchange): Promise<HttpAnswer> {
  const started = Date.now();
  try {
    return await exchangeOnce(target, call, started);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    // The replay gets what is left of the caller's deadline, not a fresh one.
    const deadlineMs = call.deadlineMs === undefined ? undefined : call.deadlineMs - (Date.now() - started);
    return exchangeOnce(target, { ...call, deadlineMs }, Date.now()).catch((retryError: unknown) => {
      // The server was reached the first time: whatever the replay meets, the report says so.
      const again = retryError instanceof StaleSocketError ? retryError.message
        : retryError instanceof TritonError && retryError.kind === 'unavailable' ? String((retryError.cause as { code?: unknown } | undefined)?.code ?? retryError.message)
          : undefined;
      if (again === undefined) throw retryError;
      throw connectionLost(`${error.message}; sending it again failed too: ${again}`, { request: call.request, cause: retryError });
    });
  }
}

class StaleSocketError extends Error {}

/** Opens the request and resolves once response headers arrive; the caller reads the body. */
export function openRequest(
  target: HttpTarget,
  call: HttpExchange,
  onResponse: (res: IncomingMessage, fail: (error: TritonError) => void, done: () => void) => void,
): Promise<void> {
  return exchangeCore(target, call, Date.now(), onResponse);
}

function exchangeOnce(target: HttpTarget, call: HttpExchange, startedAt: number): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    let answer: HttpAnswer | undefined;
    exchangeCore(target, call, startedAt, (res, fail, done, onEnd) => {
      const keep = (body: Buffer): void => {
        answer = { status: res.statusCode ?? 0, headers: res.headers, body };
        done();
      };
      const header = res.headers['content-encoding'];
      const encoding = header === undefined ? 'identity' : header.trim().toLowerCase();
      if (encoding === 'identity' || encoding === '') {
        readBody(res, call, (error, body) => (error ? fail(error) : keep(body!)));
        return;
      }
      const where = { request: call.request, status: res.statusCode };
      if (encoding !== 'gzip' && encoding !== 'deflate') {
        fail(new TritonError('protocol', `response uses unsupported Content-Encoding '${encoding}'`, where));
        return;
      }
      // Compressed bodies are the ones that can be bombs: only taken when the caller asked for them.
      if (!acceptsEncoding(call.headers['accept-encoding'], encoding)) {
        fail(new TritonError('protocol', `the server sent a ${encoding}-compressed answer although the request did not accept one`, where));
        return;
      }
      onEnd(readInflatedBody(res, encoding, call, (error, chunks, total) => {
        if (error) fail(error);
        else keep(joinChunks(chunks!, total!, call.alignBinary ? binaryStart(res) : undefined));
      }));
    }).then(() => resolve(answer!), reject);
  });
}

function exchangeCore(
  target: HttpTarget,
  call: HttpExchange,
  startedAt: number,
  onResponse: (res: IncomingMessage, fail: (error: TritonError) => void, done: () => void, onEnd: (stop: () => void) => void) => void,
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
    let stopReading: (() => void) | undefined;
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
      stopReading?.();
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

    let fullyWritten = false;
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (gotResponse) {
        finish(new TritonError('protocol', `connection failed while reading the answer: ${error.message}`, { request: call.request, cause: error }));
        return;
      }
      if (typeof error.code === 'string' && error.code.startsWith('HPE_')) {
        // The server was reached and answered, but not in HTTP/1.1 (a gRPC port, say).
        finish(new TritonError('unavailable', `the server's answer is not HTTP/1.1 (${error.code}: ${error.message})`, { request: call.request, cause: error }));
        return;
      }
      if (!isConnectionLoss(error)) {
        finish(TritonError.from(error, call.request));
        return;
      }
      const replayable = req.reusedSocket && (call.idempotent ?? call.method === 'GET')
        && isStaleSocketRace({ socket: req.socket, startedAt, bodyLength: call.bodyLength ?? 0, fullyWritten });
      if (!replayable) {
        finish(connectionLost(lossDetail(error), { request: call.request, cause: error }));
        return;
      }
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(new StaleSocketError(lossDetail(error)));
    });
    if (target.connectTimeoutMs > 0) {
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connectStart = Date.now();
        const limit = setTimeout(() => {
          finish(new TritonError('unavailable', `no connection to ${target.hostname}:${target.port} within ${target.connectTimeoutMs} ms`, { request: call.request }));
        }, target.connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(limit);
          noteConnectTime(socket, Date.now() - connectStart);
        });
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
      onResponse(res, (error) => finish(error), () => finish(), (stop) => { stopReading = stop; });
    });

    const parts = call.body ?? [];
    const length = call.bodyLength ?? 0;
    // Only a big request's replay depends on whether all of it left (connectionLoss.ts).
    const written = length > BUFFERED_REQUEST_BYTES ? (): void => { fullyWritten = true; } : undefined;
    if (parts.length === 0) req.end();
    else if (parts.length === 1 || length < JOIN_BELOW) req.end(parts.length === 1 ? parts[0] : Buffer.concat(parts), written);
    else {
      for (const part of parts) req.write(part);
      req.end(written);
    }
  });
}

function readBody(res: IncomingMessage, call: HttpExchange, callback: (error: TritonError | undefined, body?: Buffer) => void): void {
  const declared = res.headers['content-length'];
  const status = res.statusCode;
  let expected: number | undefined;
  if (declared !== undefined) {
    expected = Number(declared);
    if (!Number.isSafeInteger(expected) || expected < 0) {
      res.destroy();
      callback(new TritonError('protocol', `invalid Content-Length '${declared}'`, { request: call.request, status }));
      return;
    }
    if (expected > call.maxResponseBytes) {
      res.destroy();
      callback(new TritonError('protocol', `response of ${expected} bytes exceeds the ${call.maxResponseBytes}-byte limit`, { request: call.request, status }));
      return;
    }
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let done = false;
  res.on('data', (chunk: Buffer) => {
    if (done) return;
    received += chunk.byteLength;
    if (received > call.maxResponseBytes) {
      done = true;
      res.destroy();
      callback(new TritonError('protocol', `response exceeds the ${call.maxResponseBytes}-byte limit`, { request: call.request, status }));
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => {
    if (done) return;
    done = true;
    if (expected !== undefined && received !== expected) {
      callback(new TritonError('protocol', `response cut off: ${received} of ${expected} bytes arrived`, { request: call.request, status }));
      return;
    }
    callback(undefined, joinChunks(chunks, received, call.alignBinary ? binaryStart(res) : undefined));
  });
  const cutOff = (): void => {
    if (done) return;
    done = true;
    callback(new TritonError('protocol', expected !== undefined
      ? `response cut off: ${received} of ${expected} bytes arrived before the connection closed`
      : `response cut off after ${received} bytes`, { request: call.request, status }));
  };
  res.on('error', cutOff);
  res.on('close', cutOff);
}

function binaryStart(res: IncomingMessage): number | undefined {
  const value = res.headers['inference-header-content-length'];
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
