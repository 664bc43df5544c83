// ModelStreamInfer as an InferStream: send many requests, iterate responses as they arrive.
import type * as grpc from '@grpc/grpc-js';
import { TritonError } from '../errors';
import type { InferStream, RequestedOutput, StreamOptions, StreamRequest, StreamResponse } from '../types';
import type { GrpcConnection } from './grpcChannel';
import { grpcError } from './grpcErrors';
import { asBuffer } from './grpcProtos';
import type { GrpcProtos } from './grpcProtos';
import { buildInferRequest } from './inferRequest';
import type { InferResponseWire } from './inferResponse';
import { inferResultFromWire } from './inferResponse';

interface StreamResponseWire {
  error_message: string;
  infer_response?: InferResponseWire | null;
}

/**
 * Responses (or tensor bytes) held for a slow reader before the transport is paused; HTTP/2 flow
 * control then holds the server back. `bytes` is also the largest message the stream accepts,
 * plain or inflated (never more than the client's maxResponseBytes).
 */
export interface StreamBufferLimits {
  responses: number;
  bytes: number;
}

const DEFAULT_LIMITS: StreamBufferLimits = { responses: 64, bytes: 64 * 1024 * 1024 };

function responseBytes(item: StreamResponse): number {
  let total = 0;
  for (const o of item.result?.outputs ?? []) {
    const data = o.data;
    if (Array.isArray(data)) {
      for (const element of data) total += element instanceof Uint8Array ? element.byteLength : 1;
    } else if (data) {
      total += data.byteLength;
    }
  }
  return total;
}

type Waiter = { resolve: (r: IteratorResult<StreamResponse>) => void; reject: (e: TritonError) => void };

export class GrpcInferStream implements InferStream {
  private readonly call: grpc.ClientDuplexStream<unknown, StreamResponseWire>;
  private readonly label = 'ModelStreamInfer';
  private readonly queue: StreamResponse[] = [];
  private queuedBytes = 0;
  private waiter: Waiter | undefined;
  /** Set once the RPC is over: undefined while open, null for a clean end, an error otherwise. */
  private finished: TritonError | null | undefined;
  private failure: TritonError | undefined;
  private paused = false;
  private ended = false;
  /** Requested outputs by request id, so shared-memory and classification outputs decode right. */
  private readonly requested = new Map<string, readonly RequestedOutput[] | undefined>();
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.cancel();

  /** Reading resumes once the held responses drop to a quarter of the limits. */
  constructor(conn: GrpcConnection, protos: GrpcProtos, options: StreamOptions | undefined, private readonly limits: StreamBufferLimits = DEFAULT_LIMITS) {
    conn.checkUsable(this.label, options?.signal);
    // The client's default per-call deadline is meant for unary calls, not for a stream that
    // may serve a long generation; only StreamOptions.deadlineMs bounds the stream.
    const { metadata, callOptions } = conn.setup(options, false);
    if (options?.compression) metadata.set('grpc-internal-encoding-request', options.compression);
    const method = protos.methods.ModelStreamInfer!;
    const requestType = protos.types.ModelInferRequest;
    const responseType = protos.types.ModelStreamInferResponse;
    // A message, plain or inflated, is at most the stream's byte limit: grpc-js inflates what the
    // server compresses up to that limit only (see GrpcConnection.boundedClient).
    this.call = conn.boundedClient(limits.bytes).makeBidiStreamRequest(
      method.path,
      (msg: unknown) => asBuffer(requestType.encode(msg as object).finish()),
      (buf: Buffer) => responseType.decode(buf) as unknown as StreamResponseWire,
      metadata,
      callOptions,
    );
    this.call.on('data', (msg: StreamResponseWire) => this.onMessage(msg));
    // grpc-js ends the readable side before it reports a failed status, so responses already
    // buffered are still delivered; the failure is raised once they have been read.
    this.call.on('error', (err: unknown) => {
      this.failure ??= grpcError(err, this.label);
    });
    this.call.on('end', () => this.finish(this.failure ?? null));
    this.call.on('close', () => this.finish(this.failure ?? null));
    this.signal = options?.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  send(request: StreamRequest): void {
    if (this.finished !== undefined || this.ended) {
      throw new TritonError('cancelled', 'the stream is closed; start a new one', { request: this.label });
    }
    const where = `${this.label} ${request?.model}`;
    const message = buildInferRequest(request.model, request.inputs, request.outputs, request.options, where);
    const id = message.id ?? '';
    this.requested.set(id, request.outputs);
    this.call.write(message);
  }

  end(): void {
    if (this.ended || this.finished !== undefined) return;
    this.ended = true;
    this.call.end();
  }

  cancel(): void {
    if (this.finished !== undefined) return;
    this.finish(new TritonError('cancelled', 'the stream was cancelled', { request: this.label }));
    this.call.cancel();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamResponse> {
    return {
      next: () => this.next(),
      return: () => {
        this.cancel();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private next(): Promise<IteratorResult<StreamResponse>> {
    const item = this.queue.shift();
    if (item) {
      this.queuedBytes -= responseBytes(item);
      if (this.paused && this.queue.length <= this.limits.responses / 4 && this.queuedBytes <= this.limits.bytes / 4) {
        this.paused = false;
        this.call.resume();
      }
      return Promise.resolve({ done: false, value: item });
    }
    if (this.finished === null) return Promise.resolve({ done: true, value: undefined });
    if (this.finished) return Promise.reject(this.finished);
    if (this.waiter) return Promise.reject(new TritonError('invalid-argument', 'the stream is already being iterated', { request: this.label }));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private push(item: StreamResponse): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ done: false, value: item });
      return;
    }
    this.queue.push(item);
    this.queuedBytes += responseBytes(item);
    if (!this.paused && (this.queue.length >= this.limits.responses || this.queuedBytes >= this.limits.bytes)) {
      this.paused = true;
      this.call.pause();
    }
  }

  private onMessage(msg: StreamResponseWire): void {
    if (this.finished !== undefined) return;
    const response = msg.infer_response ?? undefined;
    const requestId = response?.id || undefined;
    if (msg.error_message) {
      // The server reports a failed request in-band; the stream itself stays usable.
      if (requestId !== undefined) this.requested.delete(requestId);
      const where = requestId !== undefined ? `${this.label} request '${requestId}'` : this.label;
      const error = new TritonError('server', msg.error_message, { request: where, serverMessage: msg.error_message });
      this.push(requestId !== undefined ? { error, requestId } : { error });
      return;
    }
    if (!response) {
      this.push({ error: new TritonError('protocol', 'stream message has neither a response nor an error', { request: this.label }) });
      return;
    }
    const id = response.id ?? '';
    const where = `${this.label} ${response.model_name}${id ? ` request '${id}'` : ''}`;
    try {
      const result = inferResultFromWire(response, this.requested.get(id), where);
      // Servers that predate triton_final_response send exactly one response per request.
      const flag = result.parameters?.triton_final_response;
      const final = typeof flag === 'boolean' ? flag : true;
      if (final) this.requested.delete(id);
      this.push({ result, final });
    } catch (e) {
      const error = TritonError.from(e, where);
      this.push(id ? { error, requestId: id } : { error });
    }
  }

  private finish(outcome: TritonError | null): void {
    if (this.finished !== undefined) return;
    this.finished = outcome;
    this.signal?.removeEventListener('abort', this.onAbort);
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) return;
    if (outcome) waiter.reject(outcome);
    else waiter.resolve({ done: true, value: undefined });
  }
}
