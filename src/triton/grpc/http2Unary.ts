// Unary gRPC calls straight over node:http2, for the inference hot path: grpc-js's call layers
// cost about 40% more client CPU per call, which caps a concurrency-1 client below a fast server.
import * as http2 from 'node:http2';
import type { TlsOptions } from '../clientTypes';
import { GrpcStatus, TritonError, connectionLost, kindFromGrpcCode } from '../errors';
import { AnswerBuffer } from './answerBuffer';
import type { AnswerLayout } from './answerBuffer';
import type { GrpcTarget } from './grpcChannel';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY } = http2.constants;
const HEADER_BYTES = 5;
/** Below this size the frame prefix and the message are joined; above, written separately (no copy). */
const JOIN_LIMIT = 16 * 1024;
const STREAM_WINDOW = 4 * 1024 * 1024;
const SESSION_WINDOW = 16 * 1024 * 1024;
const IDLE_REPLACE_MS = 5 * 60 * 1000;
/** grpc-js gives a connection attempt the same 20 s. */
const CONNECT_TIMEOUT_MS = 20000;

export interface UnaryCallOptions {
  path: string;
  /** The request message, whole or as parts written one after the other (big tensors are never joined). */
  message: Buffer | readonly Uint8Array[];
  /** Where the answer's main payload starts, so a big answer can be gathered with it 8-byte aligned. */
  answerLayout?: AnswerLayout;
  headers: Record<string, string>;
  deadline?: number;
  signal?: AbortSignal;
  label: string;
}

/** HTTP status → gRPC code for answers that are not gRPC at all (the gRPC HTTP/2 mapping). */
function codeForHttpStatus(status: number): number {
  switch (status) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: return GrpcStatus.UNAUTHENTICATED;
    case 403: return GrpcStatus.PERMISSION_DENIED;
    case 404: return GrpcStatus.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return GrpcStatus.UNAVAILABLE;
    default: return GrpcStatus.UNKNOWN;
  }
}

/** HTTP/2 RST_STREAM code → gRPC code, as the gRPC HTTP/2 protocol defines it. */
function codeForReset(rst: number): number {
  switch (rst) {
    case NGHTTP2_REFUSED_STREAM: return GrpcStatus.UNAVAILABLE;
    case NGHTTP2_CANCEL: return GrpcStatus.CANCELLED;
    case NGHTTP2_ENHANCE_YOUR_CALM: return GrpcStatus.RESOURCE_EXHAUSTED;
    case NGHTTP2_INADEQUATE_SECURITY: return GrpcStatus.PERMISSION_DENIED;
    default: return GrpcStatus.INTERNAL;
  }
}

function statusError(code: number, message: string, label: string): TritonError {
  if (code === GrpcStatus.RESOURCE_EXHAUSTED && /larger than/.test(message)) {
    return new TritonError('protocol', `response too large: ${message}`, { request: label, grpcCode: code });
  }
  return new TritonError(kindFromGrpcCode(code), message, { request: label, grpcCode: code, serverMessage: message });
}

function decodeGrpcMessage(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export class Http2UnaryChannel {
  private session: http2.ClientHttp2Session | undefined;
  /** Calls in flight per connection: a connection is kept referenced exactly while it carries one. */
  private readonly inFlight = new WeakMap<http2.ClientHttp2Session, number>();
  /** Connections whose server has spoken HTTP/2: a failure on them is a lost connection, not an unreachable server. */
  private readonly reached = new WeakSet<http2.ClientHttp2Session>();
  private lastUsed = 0;
  private closed = false;
  private readonly authority: string;
  private readonly connectOptions: http2.SecureClientSessionOptions;

  constructor(
    target: GrpcTarget,
    tls: TlsOptions | undefined,
    private readonly maxResponseBytes: number,
    private readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {
    const secure = target.tls || tls !== undefined;
    this.authority = `${secure ? 'https' : 'http'}://${target.address}`;
    // Larger flow-control windows than HTTP/2's 64 KiB default let big tensors stream without
    // waiting for a window update every few frames.
    this.connectOptions = { settings: { enablePush: false, initialWindowSize: STREAM_WINDOW } };
    if (secure) {
      Object.assign(this.connectOptions, {
        ALPNProtocols: ['h2'],
        ca: tls?.ca === undefined ? undefined : Buffer.from(tls.ca),
        cert: tls?.cert === undefined ? undefined : Buffer.from(tls.cert),
        key: tls?.key === undefined ? undefined : Buffer.from(tls.key),
        rejectUnauthorized: tls?.insecure !== true,
      });
    }
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private currentSession(): http2.ClientHttp2Session {
    const existing = this.session;
    const now = Date.now();
    const idle = now - this.lastUsed;
    this.lastUsed = now;
    if (existing && !existing.closed && !existing.destroyed) {
      // No keepalive pings on this path: a connection left idle for long (a laptop that slept, a
      // NAT that forgot it) is replaced rather than trusted.
      if ((this.inFlight.get(existing) ?? 0) > 0 || idle < IDLE_REPLACE_MS) return existing;
      existing.close();
    }
    const session = http2.connect(this.authority, this.connectOptions);
    // A broken or draining connection is dropped; the next call opens a fresh one.
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', forget);
    session.on('close', forget);
    session.on('goaway', forget);
    // A peer that accepts the socket but never speaks HTTP/2 must not hold calls forever. 'connect'
    // only means the TCP (or TLS) connection is up; the server's first SETTINGS frame is what shows
    // an HTTP/2 server is there.
    const limit = this.connectTimeoutMs;
    const connectTimer = setTimeout(() => session.destroy(new Error(`no HTTP/2 answer from the server within ${limit} ms`)), limit);
    connectTimer.unref();
    session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW));
    session.once('remoteSettings', () => {
      clearTimeout(connectTimer);
      this.reached.add(session);
    });
    session.once('close', () => clearTimeout(connectTimer));
    session.unref();
    this.session = session;
    return session;
  }

  call(options: UnaryCallOptions): Promise<Buffer> {
    const { label } = options;
    if (this.closed) return Promise.reject(new TritonError('cancelled', 'the client is closed', { request: label }));
    if (options.signal?.aborted) return Promise.reject(new TritonError('cancelled', 'cancelled before the call started', { request: label }));
    const remaining = options.deadline === undefined ? undefined : options.deadline - Date.now();
    if (remaining !== undefined && remaining <= 0) return Promise.reject(new TritonError('deadline', 'deadline exceeded before the call started', { request: label }));

    // Node destroys the whole session when request() meets a bad header, failing every call on
    // the shared connection: refuse the one call instead.
    const badHeader = invalidMetadata(options.headers);
    if (badHeader !== undefined) return Promise.reject(new TritonError('invalid-argument', badHeader, { request: label }));

    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': options.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': 'identity',
      'user-agent': 'triton-workbench-grpc',
      ...options.headers,
    };
    if (remaining !== undefined) headers['grpc-timeout'] = `${Math.max(1, Math.ceil(remaining))}m`;

    return new Promise<Buffer>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      let session: http2.ClientHttp2Session;
      try {
        session = this.currentSession();
        stream = session.request(headers, { endStream: false });
      } catch (e) {
        this.session = undefined;
        reject(connectionError(e, label));
        return;
      }
      const carrying = this.inFlight.get(session) ?? 0;
      this.inFlight.set(session, carrying + 1);
      if (carrying === 0) session.ref();
      const answer = new AnswerBuffer(this.maxResponseBytes, options.answerLayout);
      let httpStatus = 0;
      let grpcStatus: number | undefined;
      let grpcMessage = '';
      let settled = false;
      let timer: NodeJS.Timeout | undefined;

      const finish = (error: TritonError | undefined, body?: Buffer): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const left = (this.inFlight.get(session) ?? 1) - 1;
        this.inFlight.set(session, left);
        if (left === 0 && !session.destroyed) session.unref();
        if (error) {
          if (!stream.closed) stream.close(NGHTTP2_CANCEL);
          reject(error);
        } else {
          resolve(body!);
        }
      };
      const onAbort = (): void => finish(new TritonError('cancelled', 'cancelled', { request: label, cause: options.signal?.reason }));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (remaining !== undefined) {
        timer = setTimeout(() => finish(new TritonError('deadline', `deadline exceeded after ${Math.ceil(remaining)} ms`, { request: label })), remaining);
      }

      const readStatus = (h: http2.IncomingHttpHeaders): void => {
        if (h['grpc-status'] === undefined) return;
        grpcStatus = Number(h['grpc-status']);
        grpcMessage = decodeGrpcMessage(h['grpc-message']);
      };
      stream.on('response', (h) => {
        httpStatus = Number(h[':status']);
        readStatus(h);
      });
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        const refused = answer.push(chunk);
        if (refused !== undefined) finish(new TritonError('protocol', refused, { request: label }));
      });
      const noStatus = (): TritonError => {
        if (httpStatus !== 200 && httpStatus !== 0) return statusError(codeForHttpStatus(httpStatus), `the server answered HTTP ${httpStatus}, not gRPC`, label);
        return new TritonError('protocol', 'the server sent no grpc-status', { request: label });
      };
      stream.on('end', () => {
        // Without a status the outcome is decided on 'close', once a reset code is known.
        if (grpcStatus === undefined) return;
        if (grpcStatus !== GrpcStatus.OK) {
          finish(statusError(grpcStatus, grpcMessage, label));
          return;
        }
        const gathered = answer.finish();
        if ('error' in gathered) finish(new TritonError('protocol', gathered.error, { request: label }));
        else finish(...frame(gathered.data, label));
      });
      stream.on('close', () => {
        if (settled) return;
        if (stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) {
          finish(noStatus());
          return;
        }
        finish(resetError());
      });
      // Our own cancellations settle first, so a reset seen here came from the peer or from the
      // connection going away (which Node reports as CANCEL on every open stream).
      const resetError = (): TritonError => {
        if (session.destroyed || session.closed) {
          return this.reached.has(session)
            ? connectionLost('the server closed the HTTP/2 connection before answering', { request: label })
            : new TritonError('unavailable', 'cannot talk to the server: the connection closed before it spoke HTTP/2', { request: label });
        }
        return statusError(codeForReset(stream.rstCode), `Received RST_STREAM with code ${stream.rstCode}`, label);
      };
      stream.on('error', (e: unknown) => {
        if ((e as { code?: unknown })?.code === 'ERR_HTTP2_STREAM_ERROR') finish(resetError());
        else finish(this.reached.has(session) ? lostError(e, label) : connectionError(e, label));
      });

      const parts = Buffer.isBuffer(options.message) ? [options.message] : options.message;
      const length = parts.reduce((n, p) => n + p.byteLength, 0);
      const prefix = Buffer.allocUnsafe(HEADER_BYTES);
      prefix[0] = 0;
      prefix.writeUInt32BE(length, 1);
      if (length <= JOIN_LIMIT) {
        stream.end(Buffer.concat([prefix, ...parts], HEADER_BYTES + length));
      } else {
        stream.write(prefix);
        for (let i = 0; i < parts.length - 1; i++) stream.write(parts[i]);
        stream.end(parts[parts.length - 1]);
      }
    });
  }
}

/** Socket, TLS and HTTP/2 session failures all mean the server could not be talked to. */
function connectionError(error: unknown, label: string): TritonError {
  if (error instanceof TritonError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? ` (${e.code})` : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return new TritonError('unavailable', `cannot talk to the server${code}: ${message}`, { request: label, cause: error });
}

/** A socket or session failure after the server answered the handshake. */
function lostError(error: unknown, label: string): TritonError {
  if (error instanceof TritonError) return error;
  const e = error as { code?: unknown; message?: unknown; cause?: { message?: unknown } };
  const why = typeof e?.cause?.message === 'string' ? e.cause.message : typeof e?.message === 'string' ? e.message : String(error);
  return connectionLost(why, { request: label, cause: error });
}

/** The single length-prefixed message of a unary answer, checked against the bytes that came. */
function frame(data: Buffer, label: string): [TritonError | undefined, Buffer?] {
  if (data.length < HEADER_BYTES) return [new TritonError('protocol', `answer has ${data.length} byte(s), less than a gRPC message header`, { request: label })];
  if (data[0] !== 0) return [new TritonError('protocol', 'answer is compressed although only identity encoding was offered', { request: label })];
  const length = data.readUInt32BE(1);
  if (length !== data.length - HEADER_BYTES) {
    return [new TritonError('protocol', `answer message states ${length} byte(s) but ${data.length - HEADER_BYTES} arrived`, { request: label })];
  }
  return [undefined, data.subarray(HEADER_BYTES)];
}

/** gRPC metadata: names of [0-9a-z_.-] (any case; sent lower-cased), values of printable ASCII. */
function invalidMetadata(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[0-9A-Za-z_.-]+$/.test(name)) return `header name ${JSON.stringify(name)} is not valid gRPC metadata (allowed: letters, digits, '-', '_', '.')`;
    if (!/^[\x20-\x7e]*$/.test(value)) return `header ${JSON.stringify(name)} has a value with characters gRPC metadata cannot carry (only printable ASCII)`;
  }
  return undefined;
}
