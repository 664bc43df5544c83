// The TritonClient interface (one API over HTTP/REST or gRPC) and its options. Transports implement
// it and client.ts picks one, so both depend on this file and never on each other.
import type {
  CallOptions, CudaSharedMemoryStatus, GenerateBody, GenerateOptions, InferInput, InferManyOptions,
  InferOptions, InferOutcome, InferRequest, InferResult, InferStream, LoadModelOptions, LogSettings,
  LogSettingsUpdate, ModelConfigJson, ModelMetadata, ModelStatistics, RepositoryIndexEntry,
  RepositoryIndexOptions, RequestedOutput, ServerMetadata, StreamOptions, SystemSharedMemoryStatus,
  TraceSettings, TraceSettingsUpdate, UnloadModelOptions, VersionedCallOptions,
} from './types';

/**
 * Every call rejects with a TritonError only. Health calls answer false for "not live/ready"
 * (any non-OK answer) and reject only when the server cannot be reached or answers nonsense.
 */
export interface TritonClient {
  readonly protocol: 'http' | 'grpc';
  /** The URL the client was created with. */
  readonly url: string;

  isServerLive(options?: CallOptions): Promise<boolean>;
  isServerReady(options?: CallOptions): Promise<boolean>;
  isModelReady(model: string, options?: VersionedCallOptions): Promise<boolean>;

  serverMetadata(options?: CallOptions): Promise<ServerMetadata>;
  modelMetadata(model: string, options?: VersionedCallOptions): Promise<ModelMetadata>;
  /** Protobuf-JSON of the ModelConfig (snake_case names; gRPC converted to the same shape). */
  modelConfig(model: string, options?: VersionedCallOptions): Promise<ModelConfigJson>;

  repositoryIndex(options?: RepositoryIndexOptions): Promise<RepositoryIndexEntry[]>;
  loadModel(model: string, options?: LoadModelOptions): Promise<void>;
  unloadModel(model: string, options?: UnloadModelOptions): Promise<void>;

  /** Statistics of one model (all or one version), or of every loaded model when `model` is omitted. */
  modelStatistics(model?: string, options?: VersionedCallOptions): Promise<ModelStatistics[]>;

  /** Global settings, or one model's when `model` is given. */
  getTraceSettings(model?: string, options?: CallOptions): Promise<TraceSettings>;
  updateTraceSettings(settings: TraceSettingsUpdate, model?: string, options?: CallOptions): Promise<TraceSettings>;
  getLogSettings(options?: CallOptions): Promise<LogSettings>;
  updateLogSettings(settings: LogSettingsUpdate, options?: CallOptions): Promise<LogSettings>;

  /** All regions, or just `region` (unknown region → 'not-found'). */
  systemSharedMemoryStatus(region?: string, options?: CallOptions): Promise<SystemSharedMemoryStatus[]>;
  /** `key` is the shm_open name, conventionally "/name"; `offset` into that object (page-aligned on older servers). */
  registerSystemSharedMemory(region: string, key: string, byteSize: number, offset?: number, options?: CallOptions): Promise<void>;
  /** One region, or all system regions when `region` is omitted. */
  unregisterSystemSharedMemory(region?: string, options?: CallOptions): Promise<void>;
  cudaSharedMemoryStatus(region?: string, options?: CallOptions): Promise<CudaSharedMemoryStatus[]>;
  /** `rawHandle` is the 64-byte cudaIpcMemHandle_t itself (not base64). */
  registerCudaSharedMemory(region: string, rawHandle: Uint8Array, deviceId: number, byteSize: number, options?: CallOptions): Promise<void>;
  unregisterCudaSharedMemory(region?: string, options?: CallOptions): Promise<void>;

  /** No `outputs`: every output comes back (binary over HTTP). */
  infer(model: string, inputs: InferInput[], outputs?: RequestedOutput[], options?: InferOptions): Promise<InferResult>;
  /** Runs many requests with at most `concurrency` in flight; outcomes in request order, never rejects per request. */
  inferMany(requests: InferRequest[], options?: InferManyOptions): Promise<InferOutcome[]>;
  /** Bidirectional stream for decoupled models. gRPC only: over HTTP it throws TritonError 'unsupported'. */
  streamInfer(options?: StreamOptions): InferStream;

  /** Generate extension: one JSON response. HTTP only (gRPC: 'unsupported'). */
  generate(model: string, body: GenerateBody, options?: GenerateOptions): Promise<GenerateBody>;
  /** Generate extension over server-sent events: one object per response. HTTP only. */
  generateStream(model: string, body: GenerateBody, options?: GenerateOptions): AsyncIterable<GenerateBody>;

  /** Releases sockets/channels; later calls reject with 'cancelled'. */
  close(): Promise<void>;
}

export interface TlsOptions {
  /** PEM CA bundle to trust (instead of the system store). */
  ca?: string | Uint8Array;
  /** PEM client certificate and key for mutual TLS. */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  /** Skip certificate verification (self-signed test servers). */
  insecure?: boolean;
}

export interface TritonClientOptions {
  /**
   * HTTP: "host:port[/base/path]" or "http(s)://host:port[/base/path]" (https implies TLS).
   * gRPC: "host:port" (a leading "grpc://" or "grpcs://" is accepted; grpcs implies TLS).
   */
  url: string;
  protocol: 'http' | 'grpc';
  /** TLS settings; setting this object turns TLS on even without an https/grpcs URL. */
  tls?: TlsOptions;
  /** Headers (HTTP) or metadata (gRPC) sent with every call. */
  headers?: Record<string, string>;
  /** Connections kept (HTTP) and default in-flight limit of inferMany. Default DEFAULT_CONCURRENCY (defaults.ts). */
  concurrency?: number;
  /** Default per-call deadline in ms when a call gives none. Default: none. */
  deadlineMs?: number;
  /** Largest response body accepted, in bytes; larger answers fail with 'protocol'. Default DEFAULT_MAX_RESPONSE_BYTES (2 GiB). */
  maxResponseBytes?: number;
  /**
   * HTTP: largest body a compressed answer (asked for with `acceptCompression`) may inflate to; past it
   * the call fails with 'protocol'. Default DEFAULT_MAX_INFLATED_BYTES (64 MiB); never above maxResponseBytes.
   * gRPC: the largest answer of every call but infer (metadata, config, statistics, repository, …),
   * plain or inflated: grpc-js inflates any compressed message up to one limit that it applies alike
   * before and after inflating, so these calls get this smaller one. Infer keeps maxResponseBytes.
   */
  maxInflatedBytes?: number;
  /** Give up on a connection attempt (over HTTPS the TLS handshake included) after this many ms ('unavailable'). Default 20 000; 0 turns it off. */
  connectTimeoutMs?: number;
  /** HTTP: fail a call whose connection stays silent this long while waiting ('deadline'). Default: off. */
  idleTimeoutMs?: number;
  /** gRPC only: extra channel options passed to @grpc/grpc-js. */
  grpcChannelOptions?: Record<string, string | number>;
}
