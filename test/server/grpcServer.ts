// gRPC front end: every GRPCInferenceService rpc plus grpc.health.v1 Check, loaded from proto/ with proto-loader.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { protoDir } from '../../src/util/protoDir';
import { delay, FaultSpecError, parseFault } from './faults';
import type { Fault, FaultStore } from './faults';
import { grpcInfer, grpcStreamInfer } from './grpcInfer';
import { modelIndex, modelMetadata, modelStatistics, requireExplicit } from './httpRoutes';
import { checkGrpc } from './restrictions';
import { asServerError, grpcStatusOf, ServerError } from './serverError';
import { EXTENSIONS, SERVER_VERSION } from './serverState';
import type { ServerState } from './serverState';

export interface GrpcHandle {
  port: number;
  stop(): Promise<void>;
}

type Obj = Record<string, unknown>;
type Unary = (req: Obj, call: grpc.ServerUnaryCall<Obj, Obj>, fault: Fault | undefined) => Obj | Promise<Obj>;

let cachedPackage: grpc.GrpcObject | undefined;

function loadPackage(): grpc.GrpcObject {
  if (!cachedPackage) {
    const dir = protoDir(__dirname);
    const def = protoLoader.loadSync([join(dir, 'grpc_service.proto'), join(dir, 'health.proto')], {
      keepCase: true, longs: String, enums: String, defaults: false, oneofs: true, includeDirs: [dir],
    });
    cachedPackage = grpc.loadPackageDefinition(def);
  }
  return cachedPackage;
}

export function toGrpcError(err: unknown): grpc.ServiceError {
  const e = asServerError(err);
  return Object.assign(new Error(e.message), { code: grpcStatusOf(e.code), details: e.message, metadata: new grpc.Metadata() }) as grpc.ServiceError;
}

function metadataString(md: grpc.Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return typeof v === 'string' ? v : undefined;
}

function faultOf(call: { metadata: grpc.Metadata }, faults: FaultStore, method: string): Fault | undefined {
  const v = call.metadata.get('x-fault')[0];
  return faults.take(method, typeof v === 'string' ? parseFault(v) : undefined);
}

/** Resets the HTTP/2 stream under a call, so the client sees the transport fail mid-call; false if not reachable. */
export function resetStream(call: object): boolean {
  let node: unknown = (call as { call?: unknown }).call;
  for (let i = 0; i < 5 && node; i++) {
    const stream = (node as { stream?: { close?(code: number): void } }).stream;
    if (stream?.close) {
      stream.close(2);
      return true;
    }
    node = (node as { nextCall?: unknown }).nextCall;
  }
  return false;
}

/** Applies a fault; returns true when the call was answered (dropped or failed on purpose). */
async function applyFault(fault: Fault | undefined, call: grpc.ServerUnaryCall<Obj, Obj> | grpc.ServerDuplexStream<Obj, Obj>, fail: (e: grpc.ServiceError) => void): Promise<boolean> {
  if (!fault) return false;
  if (fault.delayMs) await delay(fault.delayMs);
  if (fault.drop) {
    if (resetStream(call)) return true;
    fail(Object.assign(new Error('injected fault: connection dropped'), { code: grpc.status.UNAVAILABLE, details: 'injected fault: connection dropped', metadata: new grpc.Metadata() }) as grpc.ServiceError);
    return true;
  }
  if (fault.status) {
    fail(Object.assign(new Error('injected fault'), { code: fault.status, details: 'injected fault', metadata: new grpc.Metadata() }) as grpc.ServiceError);
    return true;
  }
  return false;
}

function unary(state: ServerState, faults: FaultStore, method: string, fn: Unary): grpc.handleUnaryCall<Obj, Obj> {
  return (call, callback) => {
    void (async () => {
      try {
        const fault = faultOf(call, faults, method);
        if (await applyFault(fault, call, (e) => callback(e))) return;
        checkGrpc(state.grpcRestrictions, method, (k) => metadataString(call.metadata, k));
        if (state.log.settings.log_verbose_level >= 1) state.log.verbose(1, 'grpc_server.cc:385', `Process for ${method}, rpc_ok=1`);
        callback(null, await fn(call.request, call, fault));
      } catch (err) {
        if (err instanceof FaultSpecError) callback(toGrpcError(new ServerError('INVALID_ARG', err.message)));
        else callback(toGrpcError(err));
      }
    })();
  };
}

type Setting = { bool_param?: boolean; uint32_param?: number; string_param?: string; parameter_choice?: string };

function logSettingsResponse(state: ServerState): Obj {
  const s = state.log.settings;
  return {
    settings: {
      log_file: { string_param: s.log_file }, log_info: { bool_param: s.log_info }, log_warning: { bool_param: s.log_warning },
      log_error: { bool_param: s.log_error }, log_verbose_level: { uint32_param: s.log_verbose_level }, log_format: { string_param: s.log_format },
    },
  };
}

function applyLogSettings(state: ServerState, settings: Record<string, Setting>): void {
  const s = state.log.settings;
  if (settings['log_file'] !== undefined) throw new ServerError('UNSUPPORTED', 'log file location can not be updated through network protocol');
  const next = { ...s };
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'log_info' || k === 'log_warning' || k === 'log_error') {
      if (v.parameter_choice !== 'bool_param') throw new ServerError('INVALID_ARG', `expect boolean for '${k}'`);
      next[k] = v.bool_param === true;
    } else if (k === 'log_verbose_level') {
      if (v.parameter_choice !== 'uint32_param') throw new ServerError('INVALID_ARG', `expect int32 for '${k}'`);
      next.log_verbose_level = Number(v.uint32_param ?? 0);
    } else if (k === 'log_format') {
      if (v.parameter_choice !== 'string_param') throw new ServerError('INVALID_ARG', `expect string for '${k}'`);
      if (v.string_param !== 'default' && v.string_param !== 'ISO8601') throw new ServerError('INVALID_ARG', `invalid argument for log_format, got: ${v.string_param ?? ''}`);
      next.log_format = v.string_param;
    }
  }
  Object.assign(s, next);
}

function services(state: ServerState, faults: FaultStore): Record<string, grpc.UntypedHandleCall> {
  const u = (method: string, fn: Unary): grpc.handleUnaryCall<Obj, Obj> => unary(state, faults, method, fn);
  const repoName = (req: Obj): void => {
    if (req['repository_name']) throw new ServerError('UNSUPPORTED', "'repository_name' specification is not supported");
  };
  const versionOf = (req: Obj): string => {
    const v = String(req['version'] ?? '');
    if (v !== '' && !/^[0-9]+$/.test(v)) {
      throw new ServerError('INVALID_ARG', `failed to get model version from specified version string '${v}' (details: stol), version should be an integral value > 0`);
    }
    return v;
  };
  return {
    ServerLive: u('ServerLive', () => ({ live: state.live })),
    ServerReady: u('ServerReady', () => ({ ready: state.ready && (!state.strictReadiness || state.repo.allReady()) })),
    ModelReady: u('ModelReady', (req) => {
      const v = versionOf(req);
      try {
        state.repo.get(String(req['name'] ?? ''), v);
        return { ready: true };
      } catch {
        return { ready: false };
      }
    }),
    ServerMetadata: u('ServerMetadata', () => ({ name: 'triton', version: SERVER_VERSION, extensions: EXTENSIONS })),
    ModelMetadata: u('ModelMetadata', (req) => modelMetadata(state, String(req['name'] ?? ''), versionOf(req))),
    ModelConfig: u('ModelConfig', (req) => ({ config: state.repo.get(String(req['name'] ?? ''), versionOf(req)).model.config })),
    ModelStatistics: u('ModelStatistics', (req) => ({ model_stats: modelStatistics(state, String(req['name'] ?? ''), String(req['version'] ?? '')) })),
    RepositoryIndex: u('RepositoryIndex', (req) => {
      repoName(req);
      return { models: modelIndex(state, req['ready'] === true) };
    }),
    RepositoryModelLoad: u('RepositoryModelLoad', async (req) => {
      repoName(req);
      requireExplicit(state);
      const params = (req['parameters'] as Record<string, Obj> | undefined) ?? {};
      let config: string | undefined;
      const files = new Map<string, Buffer>();
      for (const [k, p] of Object.entries(params)) {
        if (k === 'config') {
          if (p['parameter_choice'] !== 'string_param') throw new ServerError('INVALID_ARG', "invalid value type for load parameter 'config', expected string_param.");
          config = String(p['string_param'] ?? '');
        } else if (k.startsWith('file:')) {
          if (p['parameter_choice'] !== 'bytes_param') throw new ServerError('INVALID_ARG', `invalid value type for load parameter '${k}', expected bytes_param.`);
          files.set(k.slice(5), Buffer.from(p['bytes_param'] as Uint8Array));
        } else {
          throw new ServerError('INVALID_ARG', `unrecognized load parameter '${k}'.`);
        }
      }
      await state.repo.loadAsync(String(req['model_name'] ?? ''), config !== undefined || files.size > 0 ? { config, files } : undefined);
      return {};
    }),
    RepositoryModelUnload: u('RepositoryModelUnload', (req) => {
      repoName(req);
      requireExplicit(state);
      const p = ((req['parameters'] as Record<string, Obj> | undefined) ?? {})['unload_dependents'];
      if (p && p['parameter_choice'] !== 'bool_param') throw new ServerError('INVALID_ARG', "invalid value type for 'unload_dependents' parameter, expected bool_param.");
      state.repo.unload(String(req['model_name'] ?? ''), p?.['bool_param'] === true);
      return {};
    }),
    SystemSharedMemoryStatus: u('SystemSharedMemoryStatus', (req) => {
      const name = String(req['name'] ?? '');
      const regions: Record<string, Obj> = {};
      for (const r of state.shm.status(name || undefined)) regions[r.name] = { name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize };
      return { regions };
    }),
    SystemSharedMemoryRegister: u('SystemSharedMemoryRegister', (req) => {
      state.shm.register(String(req['name'] ?? ''), String(req['key'] ?? ''), Number(req['offset'] ?? 0), Number(req['byte_size'] ?? 0));
      return {};
    }),
    SystemSharedMemoryUnregister: u('SystemSharedMemoryUnregister', (req) => {
      const name = String(req['name'] ?? '');
      if (name) state.shm.unregister(name);
      else state.shm.unregisterAll();
      return {};
    }),
    CudaSharedMemoryStatus: u('CudaSharedMemoryStatus', (req) => {
      const name = String(req['name'] ?? '');
      if (name && state.shm.status().some((r) => r.name === name)) {
        throw new ServerError('NOT_FOUND', `The region named '${name}' is registered as system shared memory, not CUDA shared memory`);
      }
      if (name) throw new ServerError('NOT_FOUND', `Unable to find cuda shared memory region: '${name}'`);
      return { regions: {} };
    }),
    CudaSharedMemoryRegister: u('CudaSharedMemoryRegister', (req) => {
      throw new ServerError('INVALID_ARG', `failed to register CUDA shared memory region: '${String(req['name'] ?? '')}', GPUs not supported`);
    }),
    CudaSharedMemoryUnregister: u('CudaSharedMemoryUnregister', () => ({})),
    TraceSetting: u('TraceSetting', (req) => {
      const model = String(req['model_name'] ?? '') || undefined;
      if (model) {
        try {
          state.repo.get(model, '');
        } catch {
          throw new ServerError('INVALID_ARG', `Request for unknown model : ${model}`);
        }
      }
      const changes: Record<string, string[] | null> = {};
      for (const [k, v] of Object.entries((req['settings'] as Record<string, { value?: string[] }> | undefined) ?? {})) {
        changes[k] = v.value && v.value.length > 0 ? v.value : null;
      }
      const settings = Object.keys(changes).length > 0 ? state.trace.update(model, changes) : state.trace.get(model);
      const out: Record<string, Obj> = {};
      for (const [k, v] of Object.entries(settings)) out[k] = { value: v };
      return { settings: out };
    }),
    LogSettings: u('LogSettings', (req) => {
      applyLogSettings(state, (req['settings'] as Record<string, Setting> | undefined) ?? {});
      return logSettingsResponse(state);
    }),
    ModelInfer: u('ModelInfer', (req, call, fault) => grpcInfer(state, req, call, fault?.executeDelayMs)),
    ModelStreamInfer: ((call: grpc.ServerDuplexStream<Obj, Obj>) => {
      void (async () => {
        try {
          const fault = faultOf(call, faults, 'ModelStreamInfer');
          if (await applyFault(fault, call, (e) => call.emit('error', e))) return;
          checkGrpc(state.grpcRestrictions, 'ModelStreamInfer', (k) => metadataString(call.metadata, k));
          grpcStreamInfer(state, call, fault?.dropAfter);
        } catch (err) {
          call.emit('error', toGrpcError(err));
        }
      })();
    }) as grpc.handleBidiStreamingCall<Obj, Obj>,
  };
}

export async function startGrpcServer(state: ServerState, faults: FaultStore, port: number): Promise<GrpcHandle> {
  const pkg = loadPackage();
  const inference = pkg['inference'] as grpc.GrpcObject;
  const service = (inference['GRPCInferenceService'] as grpc.ServiceClientConstructor).service;
  const health = ((pkg['grpc'] as grpc.GrpcObject)['health'] as grpc.GrpcObject)['v1'] as grpc.GrpcObject;
  const healthService = (health['Health'] as grpc.ServiceClientConstructor).service;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': state.maxInputSize,
    'grpc.max_send_message_length': 2 ** 31 - 1,
  });
  server.addService(service, services(state, faults));
  server.addService(healthService, {
    Check: unary(state, faults, 'Check', () => ({ status: state.ready && (!state.strictReadiness || state.repo.allReady()) ? 'SERVING' : 'NOT_SERVING' })),
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
