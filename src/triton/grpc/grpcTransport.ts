// gRPC transport of the Triton client: every GRPCInferenceService RPC behind the TritonClient API.
import type { MethodDefinition } from '@grpc/grpc-js';
import type { TritonClient, TritonClientOptions } from '../clientTypes';
import { DEFAULT_CONCURRENCY } from '../defaults';
import { GrpcStatus, TritonError, invalidArgument } from '../errors';
import { inferMany } from '../inferMany';
import type {
  CallOptions, CudaSharedMemoryStatus, GenerateBody, InferInput, InferManyOptions, InferOptions, InferOutcome,
  InferRequest, InferResult, InferStream, LoadModelOptions, LogSettings, LogSettingsUpdate, ModelConfigJson,
  ModelMetadata, ModelStatistics, RepositoryIndexEntry, RepositoryIndexOptions, RequestedOutput, ServerMetadata,
  StreamOptions, SystemSharedMemoryStatus, TraceSettings, TraceSettingsUpdate, UnloadModelOptions, VersionedCallOptions,
} from '../types';
import { GrpcConnection } from './grpcChannel';
import { asBuffer, grpcProtos } from './grpcProtos';
import type { AnyMethod, GrpcProtos } from './grpcProtos';
import { GrpcInferStream } from './grpcStream';
import { encodeInferRequestParts, rawOutputOffset } from './inferFraming';
import { buildInferRequest } from './inferRequest';
import type { InferResponseWire } from './inferResponse';
import { unaryResult } from './inferResponse';
import { modelConfigToJson } from './modelConfigJson';
import {
  cudaRegionsFromWire, logSettingsFromWire, logSettingsToWire, modelMetadataFromWire, repositoryIndexFromWire,
  statisticsFromWire, systemRegionsFromWire, traceSettingsFromWire, traceSettingsToWire,
} from './wireConversions';

type Wire = Record<string, unknown>;

/** Per-client method definitions whose codecs skip proto-loader's generic object conversion. */
interface FastMethods {
  infer: MethodDefinition<object, InferResponseWire>;
  config: MethodDefinition<object, { config?: unknown }>;
}

function fastMethods(protos: GrpcProtos): FastMethods {
  const { ModelInferRequest, ModelInferResponse, ModelConfigResponse } = protos.types;
  return {
    infer: {
      ...(protos.methods.ModelInfer as unknown as MethodDefinition<object, InferResponseWire>),
      requestSerialize: (msg: object) => asBuffer(ModelInferRequest.encode(msg).finish()),
      responseDeserialize: (buf: Buffer) => ModelInferResponse.decode(buf) as unknown as InferResponseWire,
    },
    config: {
      ...(protos.methods.ModelConfig as unknown as MethodDefinition<object, { config?: unknown }>),
      responseDeserialize: (buf: Buffer) => ModelConfigResponse.decode(buf) as unknown as { config?: unknown },
    },
  };
}

/**
 * A failure that is not the server's answer: local errors (no gRPC code), deadlines, cancellation,
 * nonsense, or a connection that could not be made. Health checks raise these instead of saying false.
 */
function unreachable(error: TritonError): boolean {
  if (error.grpcCode === undefined) return true;
  if (error.kind === 'deadline' || error.kind === 'cancelled' || error.kind === 'protocol') return true;
  return error.grpcCode === GrpcStatus.UNAVAILABLE && /No connection established|connect|Connection dropped|Name resolution|ECONN|TLS|handshake/i.test(error.message);
}

function versionOf(options: VersionedCallOptions | undefined, where: string): string {
  const v = options?.version;
  if (v === undefined || v === '') return '';
  const text = String(v);
  if (!/^\d+$/.test(text)) throw invalidArgument(`model version must be a non-negative integer, got '${text}'`, where);
  return text;
}

class GrpcTritonClient implements TritonClient {
  readonly protocol = 'grpc' as const;
  readonly url: string;
  private readonly conn: GrpcConnection;
  private readonly concurrency: number;
  private protosCache: GrpcProtos | undefined;
  private fastCache: FastMethods | undefined;

  constructor(options: TritonClientOptions) {
    this.url = options.url;
    this.conn = new GrpcConnection(options);
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  private get protos(): GrpcProtos {
    if (this.protosCache) return this.protosCache;
    try {
      this.protosCache = grpcProtos();
    } catch (e) {
      throw new TritonError('unsupported', `cannot load the gRPC protocol definitions: ${(e as Error).message}`, { request: 'gRPC', cause: e });
    }
    return this.protosCache;
  }

  private get fast(): FastMethods {
    this.fastCache ??= fastMethods(this.protos);
    return this.fastCache;
  }

  private async call<Out>(rpc: string, request: Wire, label: string, options: CallOptions | undefined, interpret: (m: Wire) => Out): Promise<Out> {
    const method: AnyMethod = this.protos.methods[rpc]!;
    return this.conn.unary(method, withoutDefaults(request), label, options, interpret);
  }

  private async health(rpc: string, request: Wire, field: string, label: string, options: CallOptions | undefined): Promise<boolean> {
    try {
      return await this.call(rpc, request, label, options, (m) => m[field] === true);
    } catch (e) {
      const error = TritonError.from(e, label);
      if (unreachable(error)) throw error;
      return false;
    }
  }

  isServerLive(options?: CallOptions): Promise<boolean> {
    return this.health('ServerLive', {}, 'live', 'ServerLive', options);
  }

  isServerReady(options?: CallOptions): Promise<boolean> {
    return this.health('ServerReady', {}, 'ready', 'ServerReady', options);
  }

  async isModelReady(model: string, options?: VersionedCallOptions): Promise<boolean> {
    const label = `ModelReady ${model}`;
    return this.health('ModelReady', { name: model, version: versionOf(options, label) }, 'ready', label, options);
  }

  serverMetadata(options?: CallOptions): Promise<ServerMetadata> {
    return this.call('ServerMetadata', {}, 'ServerMetadata', options, (m) => ({
      name: typeof m.name === 'string' ? m.name : '',
      version: typeof m.version === 'string' ? m.version : '',
      extensions: Array.isArray(m.extensions) ? m.extensions.filter((x): x is string => typeof x === 'string') : [],
    }));
  }

  async modelMetadata(model: string, options?: VersionedCallOptions): Promise<ModelMetadata> {
    const label = `ModelMetadata ${model}`;
    return this.call('ModelMetadata', { name: model, version: versionOf(options, label) }, label, options, (m) => modelMetadataFromWire(m, label));
  }

  async modelConfig(model: string, options?: VersionedCallOptions): Promise<ModelConfigJson> {
    const label = `ModelConfig ${model}`;
    const request = { name: model, version: versionOf(options, label) };
    const configType = this.protos.root.lookupType('inference.ModelConfig');
    return this.conn.unary(this.fast.config, request, label, options, (m) => {
      if (!m.config) throw new TritonError('protocol', 'the response carries no model configuration', { request: label });
      return modelConfigToJson(configType, m.config as never);
    });
  }

  repositoryIndex(options?: RepositoryIndexOptions): Promise<RepositoryIndexEntry[]> {
    const request: Wire = options?.ready ? { ready: true } : {};
    return this.call('RepositoryIndex', request, 'RepositoryIndex', options, repositoryIndexFromWire);
  }

  async loadModel(model: string, options?: LoadModelOptions): Promise<void> {
    const label = `RepositoryModelLoad ${model}`;
    const parameters: Record<string, Wire> = {};
    if (options?.config !== undefined) {
      const text = typeof options.config === 'string' ? options.config : JSON.stringify(options.config);
      parameters.config = { string_param: text };
    }
    for (const [path, content] of Object.entries(options?.files ?? {})) {
      if (options?.config === undefined) throw invalidArgument('override files need a config override as well', label);
      if (!(content instanceof Uint8Array)) throw invalidArgument(`file '${path}' content must be a Uint8Array`, label);
      parameters[path.startsWith('file:') ? path : `file:${path}`] = { bytes_param: content };
    }
    await this.call('RepositoryModelLoad', { model_name: model, parameters }, label, options, () => undefined);
  }

  async unloadModel(model: string, options?: UnloadModelOptions): Promise<void> {
    const label = `RepositoryModelUnload ${model}`;
    const parameters = { unload_dependents: { bool_param: options?.unloadDependents === true } };
    await this.call('RepositoryModelUnload', { model_name: model, parameters }, label, options, () => undefined);
  }

  async modelStatistics(model?: string, options?: VersionedCallOptions): Promise<ModelStatistics[]> {
    const label = model ? `ModelStatistics ${model}` : 'ModelStatistics';
    const request = { name: model ?? '', version: versionOf(options, label) };
    return this.call('ModelStatistics', request, label, options, (m) => statisticsFromWire(m, label));
  }

  getTraceSettings(model?: string, options?: CallOptions): Promise<TraceSettings> {
    return this.call('TraceSetting', { model_name: model ?? '' }, 'TraceSetting', options, traceSettingsFromWire);
  }

  updateTraceSettings(settings: TraceSettingsUpdate, model?: string, options?: CallOptions): Promise<TraceSettings> {
    const request = { settings: traceSettingsToWire(settings), model_name: model ?? '' };
    return this.call('TraceSetting', request, 'TraceSetting', options, traceSettingsFromWire);
  }

  getLogSettings(options?: CallOptions): Promise<LogSettings> {
    return this.call('LogSettings', {}, 'LogSettings', options, logSettingsFromWire);
  }

  async updateLogSettings(settings: LogSettingsUpdate, options?: CallOptions): Promise<LogSettings> {
    const request = { settings: logSettingsToWire(settings, 'LogSettings') };
    return this.call('LogSettings', request, 'LogSettings', options, logSettingsFromWire);
  }

  systemSharedMemoryStatus(region?: string, options?: CallOptions): Promise<SystemSharedMemoryStatus[]> {
    return this.call('SystemSharedMemoryStatus', { name: region ?? '' }, 'SystemSharedMemoryStatus', options, systemRegionsFromWire);
  }

  async registerSystemSharedMemory(region: string, key: string, byteSize: number, offset = 0, options?: CallOptions): Promise<void> {
    const label = `SystemSharedMemoryRegister ${region}`;
    checkSize(byteSize, 'byteSize', label);
    checkSize(offset, 'offset', label);
    const request: Wire = { name: region, key, byte_size: byteSize };
    if (offset !== 0) request.offset = offset;
    await this.call('SystemSharedMemoryRegister', request, label, options, () => undefined);
  }

  async unregisterSystemSharedMemory(region?: string, options?: CallOptions): Promise<void> {
    await this.call('SystemSharedMemoryUnregister', { name: region ?? '' }, 'SystemSharedMemoryUnregister', options, () => undefined);
  }

  cudaSharedMemoryStatus(region?: string, options?: CallOptions): Promise<CudaSharedMemoryStatus[]> {
    return this.call('CudaSharedMemoryStatus', { name: region ?? '' }, 'CudaSharedMemoryStatus', options, cudaRegionsFromWire);
  }

  async registerCudaSharedMemory(region: string, rawHandle: Uint8Array, deviceId: number, byteSize: number, options?: CallOptions): Promise<void> {
    const label = `CudaSharedMemoryRegister ${region}`;
    if (!(rawHandle instanceof Uint8Array)) throw invalidArgument('rawHandle must be the raw cudaIpcMemHandle_t bytes', label);
    checkSize(deviceId, 'deviceId', label);
    checkSize(byteSize, 'byteSize', label);
    const request = { name: region, raw_handle: rawHandle, device_id: deviceId, byte_size: byteSize };
    await this.call('CudaSharedMemoryRegister', request, label, options, () => undefined);
  }

  async unregisterCudaSharedMemory(region?: string, options?: CallOptions): Promise<void> {
    await this.call('CudaSharedMemoryUnregister', { name: region ?? '' }, 'CudaSharedMemoryUnregister', options, () => undefined);
  }

  async infer(model: string, inputs: InferInput[], outputs?: RequestedOutput[], options?: InferOptions): Promise<InferResult> {
    const label = `ModelInfer ${model}`;
    const request = buildInferRequest(model, inputs, outputs, options, label);
    const direct = this.conn.direct;
    if (direct && !options?.compression) {
      if (this.conn.isClosed) throw new TritonError('cancelled', 'the client is closed', { request: label });
      const { ModelInferRequest, ModelInferResponse } = this.protos.types;
      const setup = this.conn.directSetup(options);
      const answer = await direct.call({
        path: this.fast.infer.path, message: encodeInferRequestParts(ModelInferRequest, request), answerLayout: rawOutputOffset,
        headers: setup.headers, deadline: setup.deadline, signal: options?.signal, label,
      });
      let response: InferResponseWire;
      try {
        response = ModelInferResponse.decode(answer) as unknown as InferResponseWire;
      } catch (e) {
        throw new TritonError('protocol', `malformed ModelInferResponse: ${(e as Error).message}`, { request: label, cause: e });
      }
      return unaryResult(response, outputs, label);
    }
    // Compression (and custom channel options) go through grpc-js, which implements them.
    const setup = options?.compression ? { ...options, headers: { ...options.headers, 'grpc-internal-encoding-request': options.compression } } : options;
    return this.conn.unary(this.fast.infer, request, label, setup, (response) => unaryResult(response, outputs, label), true);
  }

  inferMany(requests: InferRequest[], options: InferManyOptions = {}): Promise<InferOutcome[]> {
    return inferMany((m, i, o, opt) => this.infer(m, i, o, opt), requests, options, this.concurrency);
  }

  streamInfer(options?: StreamOptions): InferStream {
    return new GrpcInferStream(this.conn, this.protos, options);
  }

  generate(model: string, _body: GenerateBody): Promise<GenerateBody> {
    return Promise.reject(new TritonError('unsupported', 'the generate extension is only served over HTTP', { request: `generate ${model}` }));
  }

  generateStream(model: string, _body: GenerateBody): AsyncIterable<GenerateBody> {
    const error = new TritonError('unsupported', 'the generate extension is only served over HTTP', { request: `generate_stream ${model}` });
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
    };
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}

/** proto3 leaves default values off the wire; protobufjs would write them if present. */
function withoutDefaults(request: Wire): Wire {
  const out: Wire = {};
  for (const [k, v] of Object.entries(request)) if (v !== '' && v !== false && v !== 0) out[k] = v;
  return out;
}

function checkSize(value: number, what: string, where: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(`${what} must be a non-negative integer, got ${value}`, where);
}

/** Creates a gRPC client; nothing connects until the first call. */
export function createGrpcClient(options: TritonClientOptions): TritonClient {
  return new GrpcTritonClient(options);
}
