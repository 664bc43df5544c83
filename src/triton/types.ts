// Plain data types of the Triton client API: what calls take and what they return, transport-neutral.
import type { TritonError } from './errors';

/** Wire datatype names (KServe v2). The config enum TYPE_STRING is `BYTES` on the wire. */
export type TritonDatatype =
  | 'BOOL'
  | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64'
  | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'FP16' | 'BF16' | 'FP32' | 'FP64'
  | 'BYTES';

/** An unsigned 64-bit counter: a number while exact (≤ 2^53 − 1), a bigint beyond. */
export type Uint64 = number | bigint;

export type NumericTypedArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/**
 * Tensor values, flat and row-major. Numeric types: the matching typed array (INT64/UINT64 as
 * BigInt64Array/BigUint64Array; FP16/BF16 as Uint16Array of raw bits) or a plain array of numbers
 * (bigints for 64-bit) that is converted; FP16/BF16 also accept Float32Array/Float64Array/number[]
 * (converted with round-to-nearest-even). BOOL: boolean[] (or Uint8Array of 0/1). BYTES: string[]
 * (UTF-8 encoded) or Uint8Array[] (sent verbatim).
 */
export type TensorData =
  | NumericTypedArray
  | number[]
  | bigint[]
  | boolean[]
  | string[]
  | Uint8Array[]
  | (string | Uint8Array)[];

/** A tensor's place in a registered shared-memory region. */
export interface SharedMemoryRef {
  region: string;
  byteSize: number;
  /** Byte offset inside the registered region (default 0). */
  offset?: number;
}

/**
 * One input of an inference request. Give exactly one of `data`, `raw` or `sharedMemory`.
 * `shape` is the full shape including any batch dimension; the element count is checked against it.
 */
export interface InferInput {
  name: string;
  datatype: TritonDatatype;
  shape: readonly number[];
  data?: TensorData;
  /** Already in the binary wire layout (little-endian; BYTES length-prefixed). Sent as is. */
  raw?: Uint8Array;
  sharedMemory?: SharedMemoryRef;
  /** HTTP only: false sends `data` as JSON instead of a binary chunk (default from InferOptions.binaryData, true). */
  binary?: boolean;
  /** Extra per-input parameters passed through to the server. */
  parameters?: Record<string, string | number | boolean>;
}

export interface RequestedOutput {
  name: string;
  /** HTTP only: binary chunk (default true) or JSON `data`. */
  binary?: boolean;
  /** Top-k classification instead of the raw tensor (k > 0). */
  classCount?: number;
  /** Write the output into a registered region instead of returning it. */
  sharedMemory?: SharedMemoryRef;
}

export type ParameterValue = string | number | boolean | bigint;

export interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds from the call's start until it fails with kind 'deadline'. */
  deadlineMs?: number;
  /** Extra headers (HTTP) or metadata (gRPC) for this call only. */
  headers?: Record<string, string>;
}

export interface VersionedCallOptions extends CallOptions {
  /** Model version (digits); absent = the server's version policy picks. */
  version?: string | number;
}

export interface InferOptions extends CallOptions {
  modelVersion?: string | number;
  requestId?: string;
  /** Correlation id; 0 / "" = no sequence. */
  sequenceId?: number | bigint | string;
  sequenceStart?: boolean;
  sequenceEnd?: boolean;
  /** Scheduling priority (0 = default). */
  priority?: number;
  /** Server-side queue timeout in microseconds. */
  timeoutMicros?: number;
  /** Custom request parameters; Triton's reserved names and the `triton_` prefix are refused. */
  parameters?: Record<string, ParameterValue>;
  /** HTTP only: default representation of `data` inputs and requested outputs (true = binary). Default true. */
  binaryData?: boolean;
  /** Compress the request body. */
  compression?: 'gzip' | 'deflate';
  /** HTTP only: ask the server to compress the response. */
  acceptCompression?: 'gzip' | 'deflate';
}

export interface ClassificationEntry {
  score: number;
  index: number;
  label?: string;
}

export interface OutputTensor {
  name: string;
  datatype: TritonDatatype;
  shape: number[];
  /**
   * Values, flat and row-major: typed arrays for numeric types (views into the response where
   * alignment allows — copy before keeping them long if the response buffer is large), Uint16Array of
   * raw bits for FP16/BF16 (see fp16.ts), boolean[] for BOOL, Uint8Array[] for BYTES (see
   * `bytesToStrings`). Absent when the output went to shared memory.
   */
  data?: TensorData;
  /** Set when the output was written to shared memory: where to read it. */
  sharedMemory?: SharedMemoryRef;
  /** Parsed `score:index[:label]` entries when the output was requested with classCount. */
  classification?: ClassificationEntry[];
  parameters?: Record<string, ParameterValue>;
}

export interface InferResult {
  modelName: string;
  modelVersion: string;
  id?: string;
  parameters?: Record<string, ParameterValue>;
  outputs: OutputTensor[];
}

export interface InferRequest {
  model: string;
  inputs: InferInput[];
  outputs?: RequestedOutput[];
  options?: InferOptions;
}

export interface InferManyOptions {
  /** At most this many requests in flight (default: the client's concurrency). */
  concurrency?: number;
  signal?: AbortSignal;
}

export type InferOutcome =
  | { ok: true; result: InferResult }
  | { ok: false; error: TritonError };

// ---- Metadata ----

export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  /** -1 marks a variable dimension (including the batch dimension). */
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/** The model configuration as protobuf-JSON with snake_case names (as Triton's HTTP /config returns it). */
export type ModelConfigJson = Record<string, unknown>;

export type ModelState = 'UNKNOWN' | 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING' | string;

export interface RepositoryIndexEntry {
  name: string;
  version?: string;
  state?: ModelState;
  reason?: string;
}

export interface RepositoryIndexOptions extends CallOptions {
  /** Only models that are ready. */
  ready?: boolean;
}

export interface LoadModelOptions extends CallOptions {
  /** Config override: JSON text or an object (ModelConfig protobuf-JSON), replacing config.pbtxt for this load. */
  config?: string | Record<string, unknown>;
  /** Override files keyed by path relative to the model folder, e.g. "1/model.onnx" (needs `config`). */
  files?: Record<string, Uint8Array>;
}

export interface UnloadModelOptions extends CallOptions {
  unloadDependents?: boolean;
}

// ---- Statistics ----

export interface StatDuration {
  count: Uint64;
  ns: Uint64;
}

export interface InferStatistics {
  success: StatDuration;
  fail: StatDuration;
  queue: StatDuration;
  compute_input: StatDuration;
  compute_infer: StatDuration;
  compute_output: StatDuration;
  cache_hit: StatDuration;
  cache_miss: StatDuration;
}

export interface BatchStatistics {
  batch_size: Uint64;
  compute_input: StatDuration;
  compute_infer: StatDuration;
  compute_output: StatDuration;
}

export interface ResponseStatistics {
  compute_infer: StatDuration;
  compute_output: StatDuration;
  success: StatDuration;
  fail: StatDuration;
  empty_response: StatDuration;
  cancel: StatDuration;
}

export interface MemoryUsage {
  type: string;
  id: number;
  byte_size: Uint64;
}

/** One entry of `model_stats`; names follow the wire (snake_case) so both transports fill it alike. */
export interface ModelStatistics {
  name: string;
  version: string;
  /** Milliseconds since the epoch; 0 before the first inference. */
  last_inference: Uint64;
  inference_count: Uint64;
  execution_count: Uint64;
  inference_stats: InferStatistics;
  /** Keyed by response index ("0", "1", ...); decoupled models only. */
  response_stats: Record<string, ResponseStatistics>;
  batch_stats: BatchStatistics[];
  memory_usage: MemoryUsage[];
}

// ---- Trace and log settings ----

/** Trace settings as the server reports them: every value a string, `trace_level` a list. */
export type TraceSettings = Record<string, string | string[]>;

/** Values must be strings (Triton rejects numbers); null clears a per-model setting. */
export type TraceSettingsUpdate = Record<string, string | string[] | null>;

export interface LogSettings {
  log_file: string;
  log_info: boolean;
  log_warning: boolean;
  log_error: boolean;
  log_verbose_level: number;
  log_format: string;
}

export interface LogSettingsUpdate {
  log_info?: boolean;
  log_warning?: boolean;
  log_error?: boolean;
  log_verbose_level?: number;
  log_format?: 'default' | 'ISO8601';
}

// ---- Shared memory ----

export interface SystemSharedMemoryStatus {
  name: string;
  key: string;
  offset: Uint64;
  byte_size: Uint64;
}

export interface CudaSharedMemoryStatus {
  name: string;
  device_id: Uint64;
  byte_size: Uint64;
}

// ---- Streaming (decoupled models, gRPC) ----

export interface StreamRequest {
  model: string;
  inputs: InferInput[];
  outputs?: RequestedOutput[];
  /** Same as for infer; `requestId` should be set so responses can be matched. Signal/deadline/headers are ignored per request. */
  options?: InferOptions & { enableEmptyFinalResponse?: boolean };
}

export type StreamResponse =
  | { result: InferResult; final: boolean; error?: undefined }
  | { error: TritonError; requestId?: string; result?: undefined };

export interface StreamOptions extends CallOptions {
  compression?: 'gzip' | 'deflate';
}

/**
 * A bidirectional inference stream. Iterate it for responses in arrival order; per-request errors
 * arrive as `{error}` items and the stream goes on; a transport failure ends iteration by throwing.
 */
export interface InferStream extends AsyncIterable<StreamResponse> {
  send(request: StreamRequest): void;
  /** No more requests: iteration ends once the server has answered what was sent. */
  end(): void;
  /** Stop now; pending iteration ends with a 'cancelled' TritonError. */
  cancel(): void;
}

// ---- Generate extension (HTTP) ----

/** Generate request/response bodies are free-form JSON objects keyed by input/output/parameter names. */
export type GenerateBody = Record<string, unknown>;

export interface GenerateOptions extends CallOptions {
  modelVersion?: string | number;
}
