// HTTP/REST transport of the Triton client (KServe v2 + Triton extensions): its own HTTP/1.1 connections (h1/), node:http(s) for event streams.
import http from 'node:http';
import https from 'node:https';
import { gzip, deflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { TritonClient, TritonClientOptions } from '../clientTypes';
import { DEFAULT_CONCURRENCY, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_RESPONSE_BYTES } from '../defaults';
import { TritonError } from '../errors';
import { inferMany } from '../inferMany';
import type {
  CallOptions, CudaSharedMemoryStatus, GenerateBody, GenerateOptions, InferInput, InferManyOptions, InferOptions,
  InferOutcome, InferRequest, InferResult, InferStream, LoadModelOptions, LogSettings, LogSettingsUpdate, ModelConfigJson,
  ModelMetadata, ModelStatistics, RepositoryIndexEntry, RepositoryIndexOptions, RequestedOutput, ServerMetadata,
  SystemSharedMemoryStatus, TraceSettings, TraceSettingsUpdate, UnloadModelOptions, VersionedCallOptions,
} from '../types';
import { answerJson, errorFromAnswer, expectObject, namedObjects, toModelMetadata, toRepositoryIndex, toServerMetadata } from './answers';
import { generateEvents } from './generateStream';
import { ConnectionPool } from './h1/connectionPool';
import { exchange } from './httpRequest';
import type { HttpAnswer, HttpExchange, HttpTarget } from './httpRequest';
import { buildInferBody } from './inferBody';
import { parseInferResponse } from './inferResponse';
import { parseHttpUrl, pathSegment, versionSegment } from './httpPaths';
import { toModelStatistics } from './statisticsAnswer';
import { toJsonText } from './jsonText';

const gzipAsync = promisify(gzip);
const deflateAsync = promisify(deflate);

class HttpTritonClient implements TritonClient {
  readonly protocol = 'http' as const;
  readonly url: string;
  private readonly target: HttpTarget;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private readonly concurrency: number;
  private readonly deadlineMs?: number;
  private readonly maxResponseBytes: number;
  private readonly maxInflatedBytes: number;
  private closed = false;

  constructor(options: TritonClientOptions) {
    this.url = options.url;
    const parsed = parseHttpUrl(options.url, options.tls !== undefined);
    this.basePath = parsed.basePath;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) {
      throw new TritonError('invalid-argument', `concurrency must be a positive integer, got ${String(options.concurrency)}`);
    }
    this.deadlineMs = options.deadlineMs;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isSafeInteger(this.maxResponseBytes) || this.maxResponseBytes < 1) {
      throw new TritonError('invalid-argument', `maxResponseBytes must be a positive integer, got ${String(options.maxResponseBytes)}`);
    }
    const inflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES;
    if (!Number.isSafeInteger(inflated) || inflated < 1) {
      throw new TritonError('invalid-argument', `maxInflatedBytes must be a positive integer, got ${String(options.maxInflatedBytes)}`);
    }
    this.maxInflatedBytes = Math.min(inflated, this.maxResponseBytes);
    this.headers = lowerCaseHeaders(options.headers);
    const agentOptions = { keepAlive: true, maxSockets: this.concurrency };
    const tls = options.tls;
    const tlsOptions = {
      ca: tls?.ca !== undefined ? pem(tls.ca) : undefined,
      cert: tls?.cert !== undefined ? pem(tls.cert) : undefined,
      key: tls?.key !== undefined ? pem(tls.key) : undefined,
      rejectUnauthorized: tls?.insecure !== true,
    };
    // node:http's agent serves only the event streams (openRequest); it opens no socket until one starts.
    const agent = parsed.secure ? new https.Agent({ ...agentOptions, ...tlsOptions }) : new http.Agent(agentOptions);
    const connectTimeoutMs = nonNegative(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    const idleTimeoutMs = nonNegative(options.idleTimeoutMs ?? 0, 'idleTimeoutMs');
    const pool = new ConnectionPool({
      secure: parsed.secure, hostname: parsed.hostname, port: parsed.port, maxSockets: this.concurrency,
      connectTimeoutMs, idleTimeoutMs, tls: parsed.secure ? tlsOptions : undefined,
    });
    this.target = {
      secure: parsed.secure, hostname: parsed.hostname, port: parsed.port, pool, agent,
      hostLine: `Host: ${hostHeader(parsed.hostname, parsed.port, parsed.secure)}\r\n`,
      hostLines: `Host: ${hostHeader(parsed.hostname, parsed.port, parsed.secure)}\r\nConnection: keep-alive\r\n`,
      connectTimeoutMs, idleTimeoutMs,
    };
  }

  private exchangeFor(method: 'GET' | 'POST', path: string, options: CallOptions | undefined, body?: Uint8Array[], extraHeaders?: Record<string, string>): HttpExchange {
    if (this.closed) throw new TritonError('cancelled', 'the client is closed', { request: `${method} ${path}` });
    const fullPath = this.basePath + path;
    // Precedence: client defaults < headers this call needs < the caller's per-call headers.
    const headers = { ...this.headers };
    if (extraHeaders !== undefined) Object.assign(headers, extraHeaders);
    if (options?.headers !== undefined) Object.assign(headers, lowerCaseHeaders(options.headers));
    let bodyLength = 0;
    if (body !== undefined) for (const part of body) bodyLength += part.byteLength;
    return {
      method,
      path: fullPath,
      headers,
      body,
      bodyLength,
      signal: options?.signal,
      deadlineMs: options?.deadlineMs ?? this.deadlineMs,
      maxResponseBytes: this.maxResponseBytes,
      maxInflatedBytes: this.maxInflatedBytes,
      request: `${method} ${fullPath}`,
    };
  }

  private async send(method: 'GET' | 'POST', path: string, options: CallOptions | undefined, json?: unknown): Promise<HttpAnswer & { request: string }> {
    const body = json === undefined ? undefined : [Buffer.from(toJsonText(json), 'latin1')];
    const call = this.exchangeFor(method, path, options, body, json === undefined ? undefined : { 'content-type': 'application/json' });
    const answer = await exchange(this.target, call);
    if (answer.status !== 200) throw errorFromAnswer(answer, call.request);
    return { ...answer, request: call.request };
  }

  private async getJson(method: 'GET' | 'POST', path: string, options: CallOptions | undefined, json?: unknown): Promise<{ doc: unknown; request: string }> {
    const answer = await this.send(method, path, options, json);
    return { doc: answerJson(answer, answer.request), request: answer.request };
  }

  private async health(path: string, options?: CallOptions): Promise<boolean> {
    const call = this.exchangeFor('GET', path, options);
    const answer = await exchange(this.target, call);
    return answer.status === 200;
  }

  isServerLive(options?: CallOptions): Promise<boolean> { return this.health('/v2/health/live', options); }
  isServerReady(options?: CallOptions): Promise<boolean> { return this.health('/v2/health/ready', options); }
  async isModelReady(model: string, options?: VersionedCallOptions): Promise<boolean> {
    return this.health(`/v2/models/${pathSegment(model, 'model name')}${versionSegment(options?.version)}/ready`, options);
  }

  async serverMetadata(options?: CallOptions): Promise<ServerMetadata> {
    const { doc, request } = await this.getJson('GET', '/v2', options);
    return toServerMetadata(doc, request);
  }

  async modelMetadata(model: string, options?: VersionedCallOptions): Promise<ModelMetadata> {
    const { doc, request } = await this.getJson('GET', `/v2/models/${pathSegment(model, 'model name')}${versionSegment(options?.version)}`, options);
    return toModelMetadata(doc, request);
  }

  async modelConfig(model: string, options?: VersionedCallOptions): Promise<ModelConfigJson> {
    const answer = await this.send('GET', `/v2/models/${pathSegment(model, 'model name')}${versionSegment(options?.version)}/config`, options);
    // Triton serializes a completely empty config as an empty body.
    if (answer.body.byteLength === 0) return {};
    return expectObject(answerJson(answer, answer.request), 'model configuration', answer.request);
  }

  async repositoryIndex(options?: RepositoryIndexOptions): Promise<RepositoryIndexEntry[]> {
    const { doc, request } = await this.getJson('POST', '/v2/repository/index', options, options?.ready ? { ready: true } : undefined);
    return toRepositoryIndex(doc, request);
  }

  async loadModel(model: string, options?: LoadModelOptions): Promise<void> {
    const parameters: Record<string, string> = {};
    if (options?.config !== undefined) {
      parameters.config = typeof options.config === 'string' ? options.config : toJsonText(options.config);
    }
    if (options?.files !== undefined) {
      if (options.config === undefined) throw new TritonError('invalid-argument', 'loading override files needs a config as well', { request: `load ${model}` });
      for (const [path, content] of Object.entries(options.files)) {
        if (!(content instanceof Uint8Array)) throw new TritonError('invalid-argument', `file '${path}' must be a Uint8Array`, { request: `load ${model}` });
        parameters[`file:${path}`] = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('base64');
      }
    }
    await this.send('POST', `/v2/repository/models/${pathSegment(model, 'model name')}/load`, options, Object.keys(parameters).length > 0 ? { parameters } : {});
  }

  async unloadModel(model: string, options?: UnloadModelOptions): Promise<void> {
    await this.send('POST', `/v2/repository/models/${pathSegment(model, 'model name')}/unload`, options,
      { parameters: { unload_dependents: options?.unloadDependents === true } });
  }

  async modelStatistics(model?: string, options?: VersionedCallOptions): Promise<ModelStatistics[]> {
    const path = model === undefined || model === ''
      ? '/v2/models/stats'
      : `/v2/models/${pathSegment(model, 'model name')}${versionSegment(options?.version)}/stats`;
    const { doc, request } = await this.getJson('GET', path, options);
    return toModelStatistics(doc, request);
  }

  private tracePath(model?: string): string {
    return model === undefined || model === '' ? '/v2/trace/setting' : `/v2/models/${pathSegment(model, 'model name')}/trace/setting`;
  }

  async getTraceSettings(model?: string, options?: CallOptions): Promise<TraceSettings> {
    const { doc, request } = await this.getJson('GET', this.tracePath(model), options);
    return expectObject(doc, 'trace settings', request) as TraceSettings;
  }

  async updateTraceSettings(settings: TraceSettingsUpdate, model?: string, options?: CallOptions): Promise<TraceSettings> {
    const { doc, request } = await this.getJson('POST', this.tracePath(model), options, settings ?? {});
    return expectObject(doc, 'trace settings', request) as TraceSettings;
  }

  async getLogSettings(options?: CallOptions): Promise<LogSettings> {
    const { doc, request } = await this.getJson('GET', '/v2/logging', options);
    return expectObject(doc, 'log settings', request) as unknown as LogSettings;
  }

  async updateLogSettings(settings: LogSettingsUpdate, options?: CallOptions): Promise<LogSettings> {
    const { doc, request } = await this.getJson('POST', '/v2/logging', options, settings ?? {});
    return expectObject(doc, 'log settings', request) as unknown as LogSettings;
  }

  private shmPath(kind: 'system' | 'cuda', region: string | undefined, action: 'status' | 'register' | 'unregister'): string {
    const root = kind === 'system' ? '/v2/systemsharedmemory' : '/v2/cudasharedmemory';
    return region === undefined || region === '' ? `${root}/${action}` : `${root}/region/${pathSegment(region, 'region name')}/${action}`;
  }

  async systemSharedMemoryStatus(region?: string, options?: CallOptions): Promise<SystemSharedMemoryStatus[]> {
    const { doc, request } = await this.getJson('GET', this.shmPath('system', region, 'status'), options);
    return namedObjects<SystemSharedMemoryStatus>(doc, 'shared-memory status', request);
  }

  async registerSystemSharedMemory(region: string, key: string, byteSize: number, offset = 0, options?: CallOptions): Promise<void> {
    checkCount(byteSize, 'byteSize');
    checkCount(offset, 'offset');
    if (typeof key !== 'string' || key === '') throw new TritonError('invalid-argument', 'shared-memory key is empty');
    await this.send('POST', this.shmPath('system', pathCheck(region), 'register'), options, { key, offset, byte_size: byteSize });
  }

  async unregisterSystemSharedMemory(region?: string, options?: CallOptions): Promise<void> {
    await this.send('POST', this.shmPath('system', region, 'unregister'), options);
  }

  async cudaSharedMemoryStatus(region?: string, options?: CallOptions): Promise<CudaSharedMemoryStatus[]> {
    const { doc, request } = await this.getJson('GET', this.shmPath('cuda', region, 'status'), options);
    return namedObjects<CudaSharedMemoryStatus>(doc, 'CUDA shared-memory status', request);
  }

  async registerCudaSharedMemory(region: string, rawHandle: Uint8Array, deviceId: number, byteSize: number, options?: CallOptions): Promise<void> {
    if (!(rawHandle instanceof Uint8Array) || rawHandle.byteLength !== 64) {
      throw new TritonError('invalid-argument', 'rawHandle must be the 64-byte cudaIpcMemHandle_t');
    }
    checkCount(deviceId, 'deviceId');
    checkCount(byteSize, 'byteSize');
    const b64 = Buffer.from(rawHandle.buffer, rawHandle.byteOffset, rawHandle.byteLength).toString('base64');
    await this.send('POST', this.shmPath('cuda', pathCheck(region), 'register'), options, { raw_handle: { b64 }, device_id: deviceId, byte_size: byteSize });
  }

  async unregisterCudaSharedMemory(region?: string, options?: CallOptions): Promise<void> {
    await this.send('POST', this.shmPath('cuda', region, 'unregister'), options);
  }

  async infer(model: string, inputs: InferInput[], outputs?: RequestedOutput[], options: InferOptions = {}): Promise<InferResult> {
    const path = `/v2/models/${pathSegment(model, 'model name')}${versionSegment(options.modelVersion)}/infer`;
    const where = `POST ${this.basePath}${path}`;
    try {
      return await this.inferAt(path, where, inputs, outputs, options);
    } catch (error) {
      throw TritonError.from(error, where);
    }
  }

  private async inferAt(path: string, where: string, inputs: InferInput[], outputs: RequestedOutput[] | undefined, options: InferOptions): Promise<InferResult> {
    const built = buildInferBody(inputs, outputs, options, where);
    const headers: Record<string, string> = {};
    let chunks = built.chunks;
    if (built.headerLength !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      headers['inference-header-content-length'] = String(built.headerLength);
    } else {
      headers['content-type'] = 'application/json';
    }
    if (options.compression !== undefined) {
      const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, built.byteLength);
      if (options.compression === 'gzip') chunks = [await gzipAsync(whole)];
      else if (options.compression === 'deflate') chunks = [await deflateAsync(whole)];
      else throw new TritonError('invalid-argument', `unknown compression '${String(options.compression)}'`, { request: where });
      headers['content-encoding'] = options.compression;
    }
    if (options.acceptCompression !== undefined) headers['accept-encoding'] = options.acceptCompression;
    // Without a sequence, running the same inference twice changes nothing on the server.
    const idempotent = options.sequenceId === undefined || options.sequenceId === 0 || options.sequenceId === '' || options.sequenceId === 0n;
    const call = this.exchangeFor('POST', path, options, chunks, headers);
    call.alignBinary = true;
    call.idempotent = idempotent;
    const answer = await exchange(this.target, call);
    if (answer.status !== 200) throw errorFromAnswer(answer, call.request);
    const headerLength = answer.headers['inference-header-content-length'];
    return parseInferResponse(answer.body, Array.isArray(headerLength) ? headerLength[0] : headerLength, outputs, call.request);
  }

  inferMany(requests: InferRequest[], options: InferManyOptions = {}): Promise<InferOutcome[]> {
    return inferMany((m, i, o, opt) => this.infer(m, i, o, opt), requests, options, this.concurrency);
  }

  streamInfer(): InferStream {
    throw new TritonError('unsupported', 'streaming inference needs the gRPC protocol; over HTTP use generateStream for decoupled models');
  }

  private generatePath(model: string, options: GenerateOptions | undefined, stream: boolean): string {
    return `/v2/models/${pathSegment(model, 'model name')}${versionSegment(options?.modelVersion)}/${stream ? 'generate_stream' : 'generate'}`;
  }

  async generate(model: string, body: GenerateBody, options?: GenerateOptions): Promise<GenerateBody> {
    const { doc, request } = await this.getJson('POST', this.generatePath(model, options, false), options, body ?? {});
    return expectObject(doc, 'generate response', request);
  }

  async *generateStream(model: string, body: GenerateBody, options?: GenerateOptions): AsyncGenerator<GenerateBody> {
    // Built inside the generator so that bad arguments surface where the caller iterates, as rejections.
    const call = this.exchangeFor('POST', this.generatePath(model, options, true), options,
      [Buffer.from(toJsonText(body ?? {}), 'latin1')], { 'content-type': 'application/json', accept: 'text/event-stream' });
    yield* generateEvents(this.target, call);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.target.closed = true;
    this.target.pool.destroy();
    this.target.agent.destroy();
  }
}

/** Header names and values as RFC 9110 allows them. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (key === 'transfer-encoding' || key === 'content-length') {
      throw new TritonError('invalid-argument', `header '${name}' is managed by the client and cannot be set`);
    }
    const text = String(value);
    // Checked where headers come in, so the request writer can trust them: nothing may split the request.
    if (!HEADER_NAME.test(name)) throw new TritonError('invalid-argument', `invalid header name '${name}'`);
    if (BAD_HEADER_VALUE.test(text)) throw new TritonError('invalid-argument', `header '${name}' has a value with characters a header cannot carry`);
    out[key] = text;
  }
  return out;
}

/** The Host header: the port only when it is not the scheme's default, an IPv6 address in brackets. */
function hostHeader(hostname: string, port: number, secure: boolean): string {
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return port === (secure ? 443 : 80) ? host : `${host}:${port}`;
}

function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function nonNegative(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TritonError('invalid-argument', `${what} must be a non-negative number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function checkCount(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TritonError('invalid-argument', `${what} must be a non-negative integer, got ${String(value)}`);
  }
}

function pathCheck(region: string): string {
  if (typeof region !== 'string' || region === '') throw new TritonError('invalid-argument', 'region name is empty');
  return region;
}

export function createHttpClient(options: TritonClientOptions): TritonClient {
  return new HttpTritonClient(options);
}
