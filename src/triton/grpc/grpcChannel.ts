// A client's hold on its server's channel: target parsing, TLS credentials, channel options,
// metadata, and unary calls bounded by a deadline and an AbortSignal.
import * as grpc from '@grpc/grpc-js';
import type { TlsOptions, TritonClientOptions } from '../clientTypes';
import { TritonError, invalidArgument } from '../errors';
import { DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_RESPONSE_BYTES } from '../defaults';
import type { CallOptions } from '../types';
import { grpcError } from './grpcErrors';
import { ChannelPool, channelKey } from './channelPool';
import type { ChannelLease } from './channelPool';
import { Http2UnaryChannel } from './http2Unary';

const INT32_MAX = 2147483647;

export interface GrpcTarget {
  /** host:port as grpc-js wants it. */
  address: string;
  tls: boolean;
}

/** Accepts "host:port", "grpc://host:port", "grpcs://host:port" (TLS) and "[v6]:port"; port defaults to 8001. */
export function parseGrpcTarget(url: string): GrpcTarget {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  let rest = trimmed;
  let tls = false;
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name === 'grpcs') tls = true;
    else if (name !== 'grpc') throw invalidArgument(`gRPC URL '${url}' has scheme '${name}://'; use host:port, grpc:// or grpcs://`);
    rest = trimmed.slice(scheme[0].length);
  }
  rest = rest.replace(/\/+$/, '');
  if (rest.includes('/')) throw invalidArgument(`gRPC URL '${url}' must not have a path`);
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(rest);
  if (!m) throw invalidArgument(`gRPC URL '${url}' is not host:port`);
  const port = m[2] === undefined ? 8001 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument(`gRPC URL '${url}' has an invalid port`);
  return { address: `${m[1]}:${port}`, tls };
}

function credentials(tls: TlsOptions | undefined, useTls: boolean): grpc.ChannelCredentials {
  if (!useTls && !tls) return grpc.credentials.createInsecure();
  const buf = (v: string | Uint8Array | undefined): Buffer | null => (v === undefined ? null : Buffer.from(v));
  if ((tls?.cert === undefined) !== (tls?.key === undefined)) {
    throw invalidArgument('TLS client certificate and key must be given together');
  }
  const verify: grpc.VerifyOptions = tls?.insecure ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {};
  return grpc.credentials.createSsl(buf(tls?.ca), buf(tls?.key), buf(tls?.cert), verify);
}

/**
 * Defaults mirror the official Python client: messages up to INT32_MAX (or the configured response
 * limit), keepalive pings effectively off unless asked for, and never without a call in flight,
 * since Triton's default ping policy would otherwise close the connection.
 */
function channelOptions(options: TritonClientOptions): grpc.ChannelOptions {
  const maxResponse = Math.min(options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, INT32_MAX);
  return {
    'grpc.max_send_message_length': INT32_MAX,
    'grpc.max_receive_message_length': maxResponse,
    'grpc.keepalive_time_ms': INT32_MAX,
    'grpc.keepalive_timeout_ms': 20000,
    'grpc.keepalive_permit_without_calls': 0,
    'grpc.http2.max_pings_without_data': 2,
    ...options.grpcChannelOptions,
  };
}

function asBytes(v: string | Uint8Array | undefined): Uint8Array | undefined {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

export interface CallSetup {
  metadata: grpc.Metadata;
  callOptions: grpc.CallOptions;
}

/** Headers the HTTP/2 path sets itself and callers must not replace. */
const TRANSPORT_HEADERS = new Set(['content-type', 'te', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'host']);

/**
 * The direct HTTP/2 path skips what only grpc-js knows how to honour: custom channel options and
 * HTTP CONNECT proxies from the environment.
 */
function directPathPossible(options: TritonClientOptions): boolean {
  if (options.grpcChannelOptions && Object.keys(options.grpcChannelOptions).length > 0) return false;
  const env = process.env;
  return !(env.grpc_proxy || env.https_proxy || env.http_proxy || env.GRPC_PROXY || env.HTTPS_PROXY || env.HTTP_PROXY);
}

interface Channel {
  client: grpc.Client;
  direct: Http2UnaryChannel | undefined;
  /** Clients of the same server with a lower message limit, by limit; made on first use. */
  bounded: Map<number, grpc.Client>;
  makeBounded: (maxMessageBytes: number) => grpc.Client;
}

const channels = new ChannelPool<Channel>((c) => {
  c.client.close();
  for (const b of c.bounded.values()) b.close();
  c.direct?.close();
});

/** How many distinct server channels are open in this process (for tests and diagnostics). */
export function openChannelCount(): number {
  return channels.size;
}

export class GrpcConnection {
  /** Carries infer: messages up to maxResponseBytes. */
  readonly client: grpc.Client;
  /**
   * Messages of every other call (metadata, config, statistics, repository, …) are at most this
   * many bytes, before and after inflating: maxInflatedBytes, never above maxResponseBytes.
   */
  readonly maxControlBytes: number;
  private readonly maxResponse: number;
  /** Unary inference on our own HTTP/2 client (./h2); undefined when grpc-js must carry every call. */
  readonly direct: Http2UnaryChannel | undefined;
  private readonly lease: ChannelLease<Channel>;
  private readonly baseMetadata: grpc.Metadata;
  private readonly baseHeaders: Record<string, string> = {};
  private readonly defaultDeadlineMs: number | undefined;
  private closed = false;

  constructor(options: TritonClientOptions) {
    const target = parseGrpcTarget(options.url);
    const tls = options.tls;
    const creds = credentials(tls, target.tls);
    const maxResponse = Math.min(options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, INT32_MAX);
    this.maxResponse = maxResponse;
    const inflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
    if (!Number.isInteger(inflated) || inflated < 1) throw invalidArgument(`maxInflatedBytes must be a positive integer, got ${String(options.maxInflatedBytes)}`);
    this.maxControlBytes = Math.min(inflated, maxResponse);
    const direct = directPathPossible(options);
    const key = channelKey([
      target.address, target.tls, tls === undefined, asBytes(tls?.ca), asBytes(tls?.cert), asBytes(tls?.key), tls?.insecure === true,
      maxResponse, options.grpcChannelOptions ?? {}, direct,
    ]);
    this.lease = channels.acquire(key, () => ({
      client: new grpc.Client(target.address, creds, channelOptions(options)),
      direct: direct ? new Http2UnaryChannel(target, tls, maxResponse) : undefined,
      bounded: new Map(),
      makeBounded: (maxMessageBytes) => new grpc.Client(target.address, creds, { ...channelOptions(options), 'grpc.max_receive_message_length': maxMessageBytes }),
    }));
    this.client = this.lease.channel.client;
    this.direct = this.lease.channel.direct;
    this.baseMetadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(options.headers ?? {})) {
      this.baseMetadata.set(k.toLowerCase(), v);
      if (!TRANSPORT_HEADERS.has(k.toLowerCase()) && !k.startsWith(':')) this.baseHeaders[k.toLowerCase()] = v;
    }
    this.defaultDeadlineMs = options.deadlineMs;
  }

  /** Headers and absolute deadline for a call on the direct HTTP/2 path. */
  directSetup(options: CallOptions | undefined): { headers: Record<string, string>; deadline?: number } {
    let headers = this.baseHeaders;
    if (options?.headers) {
      headers = { ...headers };
      for (const [k, v] of Object.entries(options.headers)) {
        const key = k.toLowerCase();
        if (!TRANSPORT_HEADERS.has(key) && !key.startsWith(':')) headers[key] = v;
      }
    }
    const deadlineMs = options?.deadlineMs ?? this.defaultDeadlineMs;
    if (deadlineMs === undefined) return { headers };
    if (!(deadlineMs > 0)) throw invalidArgument(`deadline must be a positive number of milliseconds, got ${deadlineMs}`);
    return { headers, deadline: Date.now() + deadlineMs };
  }

  /**
   * A grpc-js client of the same server whose received messages are at most `maxMessageBytes`
   * (never above maxResponseBytes). grpc-js advertises gzip and deflate on every call and inflates
   * whatever the server compresses, up to its one message limit, which it applies alike before and
   * after inflating: this limit is the only bound on what a compressed message makes the client
   * allocate. A lower limit means a client of its own (grpc-js takes the limit per channel, so it
   * holds a connection of its own too), made on first use and closed with the connection.
   */
  boundedClient(maxMessageBytes: number): grpc.Client {
    const cap = Math.max(1, Math.min(Math.floor(maxMessageBytes), this.maxResponse));
    if (cap === this.maxResponse) return this.client;
    const channel = this.lease.channel;
    let client = channel.bounded.get(cap);
    if (client === undefined) {
      client = channel.makeBounded(cap);
      channel.bounded.set(cap, client);
    }
    return client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lease.release();
  }

  /** Fails fast for a closed client or an already aborted signal. */
  checkUsable(request: string, signal: AbortSignal | undefined): void {
    if (this.closed) throw new TritonError('cancelled', 'the client is closed', { request });
    if (signal?.aborted) throw new TritonError('cancelled', 'cancelled before the call started', { request, cause: signal.reason });
  }

  /** `useDefaultDeadline` false: only an explicit deadline applies (streams may live long). */
  setup(options: CallOptions | undefined, useDefaultDeadline = true): CallSetup {
    const metadata = this.baseMetadata.clone();
    if (options?.headers) for (const [k, v] of Object.entries(options.headers)) metadata.set(k.toLowerCase(), v);
    const deadlineMs = options?.deadlineMs ?? (useDefaultDeadline ? this.defaultDeadlineMs : undefined);
    const callOptions: grpc.CallOptions = {};
    if (deadlineMs !== undefined) {
      if (!(deadlineMs > 0)) throw invalidArgument(`deadline must be a positive number of milliseconds, got ${deadlineMs}`);
      callOptions.deadline = Date.now() + deadlineMs;
    }
    return { metadata, callOptions };
  }

  /**
   * One unary call. The response is handed to `interpret` (which may throw a TritonError) outside
   * grpc-js, so a malformed answer keeps its own error kind. Infer passes `large` for answers up to
   * maxResponseBytes; every other call's answer is at most maxControlBytes.
   */
  unary<Req, Res, Out>(
    method: grpc.MethodDefinition<Req, Res>,
    request: Req,
    label: string,
    options: CallOptions | undefined,
    interpret: (response: Res) => Out,
    large = false,
  ): Promise<Out> {
    try {
      this.checkUsable(label, options?.signal);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.direct !== undefined && !large) return this.directUnary(this.direct, method, request, label, options, interpret);
    const signal = options?.signal;
    return new Promise<Out>((resolve, reject) => {
      let setup: CallSetup;
      try {
        setup = this.setup(options);
      } catch (e) {
        reject(TritonError.from(e, label));
        return;
      }
      let onAbort: (() => void) | undefined;
      let client: grpc.Client;
      try {
        client = large ? this.client : this.boundedClient(this.maxControlBytes);
      } catch (e) {
        reject(TritonError.from(e, label));
        return;
      }
      const call = client.makeUnaryRequest(
        method.path, method.requestSerialize, method.responseDeserialize, request, setup.metadata, setup.callOptions,
        (err, response) => {
          if (onAbort) signal?.removeEventListener('abort', onAbort);
          if (err) {
            reject(grpcError(err, label));
            return;
          }
          if (response === undefined) {
            reject(new TritonError('protocol', 'the server sent no response message', { request: label }));
            return;
          }
          try {
            resolve(interpret(response));
          } catch (e) {
            reject(TritonError.from(e, label));
          }
        },
      );
      if (signal) {
        onAbort = () => call.cancel();
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }
  /**
   * A call other than infer on the direct HTTP/2 path: the same connection infer uses, answers
   * capped at maxControlBytes, and compressed answers refused outright (only identity is offered),
   * so nothing the server sends is ever inflated.
   */
  private async directUnary<Req, Res, Out>(
    direct: Http2UnaryChannel,
    method: grpc.MethodDefinition<Req, Res>,
    request: Req,
    label: string,
    options: CallOptions | undefined,
    interpret: (response: Res) => Out,
  ): Promise<Out> {
    const setup = this.directSetup(options);
    const answer = await direct.call({
      path: method.path, message: method.requestSerialize(request), headers: setup.headers, deadline: setup.deadline,
      signal: options?.signal, label, maxAnswerBytes: this.maxControlBytes,
    });
    let response: Res;
    try {
      response = method.responseDeserialize(answer);
    } catch (e) {
      throw new TritonError('protocol', `malformed answer to ${method.path}: ${(e as Error).message}`, { request: label, cause: e });
    }
    try {
      return interpret(response);
    } catch (e) {
      throw TritonError.from(e, label);
    }
  }
}
