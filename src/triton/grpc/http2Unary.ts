// Unary gRPC calls on an HTTP/2 client of our own (./h2), for the inference hot path: grpc-js's
// call layers, and node:http2's own per-stream machinery, cost more client CPU per call than the
// whole exchange is worth at concurrency 1 (figures in bench/CLIENT-PERF.md).
import type * as tls from 'node:tls';
import type { TlsOptions } from '../clientTypes';
import { GrpcStatus, TritonError, connectionLost, kindFromGrpcCode } from '../errors';
import { AnswerBuffer } from './answerBuffer';
import type { AnswerLayout } from './answerBuffer';
import type { GrpcTarget } from './grpcChannel';
import { H2Connection } from './h2/connection';
import type { ConnectionFailure, H2Stream, StreamListener } from './h2/connection';
import { ErrorCode } from './h2/frames';
import { encodeLiterals } from './h2/hpack';
import type { HeaderFields } from './h2/hpack';

const HEADER_BYTES = 5;
/** The bound on a decoded header list from the server (SETTINGS_MAX_HEADER_LIST_SIZE). */
const MAX_HEADER_LIST_BYTES = 64 * 1024;
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
  /** gRPC metadata; not changed after the call (its encoding is cached per object). */
  headers: Record<string, string>;
  deadline?: number;
  signal?: AbortSignal;
  label: string;
  /** A lower cap on the answer than the channel's (calls other than infer); never raises it. */
  maxAnswerBytes?: number;
}

/** The longest delay setTimeout takes as it is. */
const MAX_TIMER_MS = 0x7fffffff;
/** The most digits a grpc-timeout value may have (gRPC over HTTP/2: TimeoutValue is 1 to 8 digits). */
const TIMEOUT_MAX = 99_999_999;

/**
 * A grpc-timeout for `ms` milliseconds: in milliseconds while they fit 8 digits, else in the first
 * coarser unit that fits (rounded up: our own timer ends the call on time, the server's only must not
 * end it sooner). A server such as gRPC C++ refuses a value of more digits.
 */
export function grpcTimeout(ms: number): string {
  const units: Array<[string, number]> = [['m', 1], ['S', 1000], ['M', 60_000], ['H', 3_600_000]];
  for (const [unit, size] of units) {
    const value = Math.max(1, Math.ceil(ms / size));
    if (value <= TIMEOUT_MAX) return `${value}${unit}`;
  }
  return `${TIMEOUT_MAX}H`;
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
    case ErrorCode.REFUSED_STREAM: return GrpcStatus.UNAVAILABLE;
    case ErrorCode.CANCEL: return GrpcStatus.CANCELLED;
    case ErrorCode.ENHANCE_YOUR_CALM: return GrpcStatus.RESOURCE_EXHAUSTED;
    case ErrorCode.INADEQUATE_SECURITY: return GrpcStatus.PERMISSION_DENIED;
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
  private connection: H2Connection | undefined;
  private lastUsed = 0;
  private closed = false;
  private readonly host: string;
  private readonly port: number;
  private readonly tlsOptions: tls.ConnectionOptions | undefined;
  /** The constant start of every call's header block, per path (pseudo-headers and te). */
  private readonly fixedBlocks = new Map<string, Buffer>();
  /** The encoded metadata or why it is refused, per headers object. */
  private readonly metadataBlocks = new WeakMap<Record<string, string>, Buffer | string>();
  private readonly authority: string;
  private readonly scheme: string;

  constructor(
    target: GrpcTarget,
    tls: TlsOptions | undefined,
    private readonly maxResponseBytes: number,
    private readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {
    const secure = target.tls || tls !== undefined;
    this.scheme = secure ? 'https' : 'http';
    this.authority = target.address;
    const colon = target.address.lastIndexOf(':');
    this.host = target.address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    this.port = Number(target.address.slice(colon + 1));
    this.tlsOptions = secure
      ? {
          ca: tls?.ca === undefined ? undefined : Buffer.from(tls.ca),
          cert: tls?.cert === undefined ? undefined : Buffer.from(tls.cert),
          key: tls?.key === undefined ? undefined : Buffer.from(tls.key),
          rejectUnauthorized: tls?.insecure !== true,
        }
      : undefined;
  }

  close(): void {
    this.closed = true;
    this.connection?.close();
    this.connection = undefined;
  }

  private currentConnection(): H2Connection {
    const existing = this.connection;
    const now = Date.now();
    const idle = now - this.lastUsed;
    this.lastUsed = now;
    if (existing?.acceptsCalls) {
      // No keepalive pings on this path: a connection left idle for long (a laptop that slept, a
      // NAT that forgot it) is replaced rather than trusted.
      if (existing.activeCalls > 0 || idle < IDLE_REPLACE_MS) return existing;
      existing.close();
    }
    // A broken or draining connection (GOAWAY, stream ids used up) is left to finish its calls;
    // new calls go to a fresh one.
    const connection = new H2Connection({
      host: this.host,
      port: this.port,
      tls: this.tlsOptions,
      connectTimeoutMs: this.connectTimeoutMs,
      streamWindow: STREAM_WINDOW,
      connectionWindow: SESSION_WINDOW,
      maxHeaderListSize: MAX_HEADER_LIST_BYTES,
    });
    this.connection = connection;
    return connection;
  }

  /**
   * The encoded metadata (after the content-type, user-agent and encoding defaults), or why it
   * cannot be sent; cached per headers object, which callers never change once made.
   */
  private metadata(headers: Record<string, string>): Buffer | string {
    let cached = this.metadataBlocks.get(headers);
    if (cached === undefined) {
      const bad = invalidMetadata(headers);
      if (bad === undefined) {
        const fields: Record<string, string> = { 'content-type': 'application/grpc', 'grpc-accept-encoding': 'identity', 'user-agent': 'triton-workbench-grpc' };
        for (const [name, value] of Object.entries(headers)) fields[name.toLowerCase()] = value;
        cached = encodeLiterals(Object.entries(fields));
      } else {
        cached = bad;
      }
      this.metadataBlocks.set(headers, cached);
    }
    return cached;
  }

  private headerBlock(path: string, metadata: Buffer, remaining: number | undefined): Buffer {
    let fixed = this.fixedBlocks.get(path);
    if (fixed === undefined) {
      fixed = encodeLiterals([[':method', 'POST'], [':scheme', this.scheme], [':path', path], [':authority', this.authority], ['te', 'trailers']]);
      this.fixedBlocks.set(path, fixed);
    }
    if (remaining === undefined) return Buffer.concat([fixed, metadata], fixed.length + metadata.length);
    const timeout = encodeLiterals([['grpc-timeout', grpcTimeout(remaining)]]);
    return Buffer.concat([fixed, metadata, timeout], fixed.length + metadata.length + timeout.length);
  }

  call(options: UnaryCallOptions): Promise<Buffer> {
    const { label } = options;
    if (this.closed) return Promise.reject(new TritonError('cancelled', 'the client is closed', { request: label }));
    if (options.signal?.aborted) return Promise.reject(new TritonError('cancelled', 'cancelled before the call started', { request: label }));
    const remaining = options.deadline === undefined ? undefined : options.deadline - Date.now();
    if (remaining !== undefined && remaining <= 0) return Promise.reject(new TritonError('deadline', 'deadline exceeded before the call started', { request: label }));

    // A bad header must fail its own call, never the connection the other calls share.
    const metadata = this.metadata(options.headers);
    if (typeof metadata === 'string') return Promise.reject(new TritonError('invalid-argument', metadata, { request: label }));

    const block = this.headerBlock(options.path, metadata, remaining);
    const parts = Buffer.isBuffer(options.message) ? [options.message] : options.message;
    let length = 0;
    for (const part of parts) length += part.byteLength;
    const prefix = Buffer.allocUnsafe(HEADER_BYTES);
    prefix[0] = 0;
    prefix.writeUInt32BE(length, 1);
    return new Promise<Buffer>((resolve, reject) => {
      let connection: H2Connection;
      try {
        connection = this.currentConnection();
      } catch (e) {
        // tls.connect throws at once on options it cannot use (a malformed key or certificate).
        const why = e instanceof Error ? e.message : String(e);
        reject(new TritonError('unavailable', `cannot talk to the server: ${why}`, { request: label, cause: e }));
        return;
      }
      const call = new UnaryCall(resolve, reject, options, remaining, new AnswerBuffer(Math.min(this.maxResponseBytes, options.maxAnswerBytes ?? Infinity), options.answerLayout));
      call.start(connection, block, [prefix, ...parts]);
    });
  }
}

/** One call on a connection: gathers the answer and settles the call's promise exactly once. */
class UnaryCall implements StreamListener {
  private connection: H2Connection | undefined;
  private stream: H2Stream | undefined;
  private httpStatus = 0;
  private grpcStatus: number | undefined;
  private grpcMessage = '';
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly label: string;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.cancel(new TritonError('cancelled', 'cancelled', { request: this.label, cause: this.signal?.reason }));

  constructor(
    private readonly resolve: (answer: Buffer) => void,
    private readonly reject: (error: TritonError) => void,
    options: UnaryCallOptions,
    remaining: number | undefined,
    private readonly answer: AnswerBuffer,
  ) {
    this.label = options.label;
    this.signal = options.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (remaining !== undefined) this.armDeadline(Date.now() + remaining, remaining);
  }

  /** Node fires a timer of more than 2^31-1 ms at once: a far deadline is waited for in steps. */
  private armDeadline(deadline: number, total: number): void {
    const left = deadline - Date.now();
    if (left > MAX_TIMER_MS) {
      this.timer = setTimeout(() => this.armDeadline(deadline, total), MAX_TIMER_MS);
      return;
    }
    this.timer = setTimeout(() => this.cancel(new TritonError('deadline', `deadline exceeded after ${Math.ceil(total)} ms`, { request: this.label })), Math.max(0, left));
  }

  start(connection: H2Connection, block: Buffer, body: Uint8Array[]): void {
    this.connection = connection;
    this.stream = connection.open(block, body, this);
  }

  private finish(error: TritonError | undefined, body?: Buffer): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    if (error) this.reject(error);
    else this.resolve(body!);
  }

  /** Our side ends the call: the stream is reset (RST_STREAM CANCEL) and the call fails with `error`. */
  private cancel(error: TritonError): void {
    if (this.settled) return;
    if (this.stream) this.connection?.cancel(this.stream);
    this.finish(error);
  }

  onHeaders(fields: HeaderFields): void {
    if (this.httpStatus === 0) this.httpStatus = Number(fields[':status']);
    const status = fields['grpc-status'];
    if (status === undefined) return;
    this.grpcStatus = Number(status);
    this.grpcMessage = decodeGrpcMessage(fields['grpc-message']);
  }

  onData(chunk: Buffer): void {
    if (this.settled) return;
    const refused = this.answer.push(chunk);
    if (refused !== undefined) this.cancel(new TritonError('protocol', refused, { request: this.label }));
  }

  onEnd(): void {
    const label = this.label;
    if (this.grpcStatus === undefined) {
      this.finish(this.noStatus());
      return;
    }
    if (this.grpcStatus !== GrpcStatus.OK) {
      this.finish(statusError(this.grpcStatus, this.grpcMessage, label));
      return;
    }
    const gathered = this.answer.finish();
    if ('error' in gathered) this.finish(new TritonError('protocol', gathered.error, { request: label }));
    else this.finish(...frame(gathered.data, label));
  }

  onReset(code: number): void {
    if (code === ErrorCode.NO_ERROR) {
      this.finish(this.noStatus());
      return;
    }
    this.finish(statusError(codeForReset(code), `Received RST_STREAM with code ${code}`, this.label));
  }

  onStreamError(message: string): void {
    this.finish(new TritonError('protocol', message, { request: this.label }));
  }

  onFailure(failure: ConnectionFailure): void {
    const label = this.label;
    if (!failure.reached) {
      const code = failure.code === undefined ? '' : ` (${failure.code})`;
      this.finish(new TritonError('unavailable', `cannot talk to the server${code}: ${failure.message}`, { request: label, cause: failure.cause }));
    } else if (failure.notProcessed) {
      this.finish(new TritonError('unavailable', failure.message, { request: label, cause: failure.cause }));
    } else if (failure.protocol) {
      this.finish(new TritonError('protocol', failure.message, { request: label }));
    } else {
      this.finish(connectionLost(failure.message, { request: label, cause: failure.cause }));
    }
  }

  private noStatus(): TritonError {
    const status = this.httpStatus;
    if (status !== 200 && status !== 0) return statusError(codeForHttpStatus(status), `the server answered HTTP ${status}, not gRPC`, this.label);
    return new TritonError('protocol', 'the server sent no grpc-status', { request: this.label });
  }
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

/** Connection-specific fields that HTTP/2 forbids (RFC 9113 §8.2.2). */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** gRPC metadata: names of [0-9a-z_.-] (any case; sent lower-cased), values of printable ASCII. */
function invalidMetadata(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[0-9A-Za-z_.-]+$/.test(name)) return `header name ${JSON.stringify(name)} is not valid gRPC metadata (allowed: letters, digits, '-', '_', '.')`;
    if (CONNECTION_HEADERS.has(name.toLowerCase())) return `header ${JSON.stringify(name)} is connection-specific and not allowed in HTTP/2`;
    if (!/^[\x20-\x7e]*$/.test(value)) return `header ${JSON.stringify(name)} has a value with characters gRPC metadata cannot carry (only printable ASCII)`;
  }
  return undefined;
}
