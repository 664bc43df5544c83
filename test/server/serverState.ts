// Shared server state for both transports: repository, inference, shared memory, log and trace settings.
import type { BufferPool } from './bufferPool';
import type { InferenceCore } from './inferCore';
import type { Restrictions } from './restrictions';
import type { Logger } from './logger';
import type { ControlMode, ModelRepository } from './repository';
import { ServerError } from './serverError';
import type { SharedMemoryManager } from './sharedMemory';

export const SERVER_VERSION = '2.59.1';

export const EXTENSIONS: readonly string[] = [
  'classification', 'sequence', 'model_repository', 'model_repository(unload_dependents)', 'schedule_policy',
  'model_configuration', 'system_shared_memory', 'cuda_shared_memory', 'binary_tensor_data', 'parameters',
  'statistics', 'trace', 'logging',
];

export type TraceSettings = Record<string, string[]>;

export interface ServerState {
  repo: ModelRepository;
  core: InferenceCore;
  shm: SharedMemoryManager;
  log: Logger;
  mode: ControlMode;
  strictReadiness: boolean;
  maxInputSize: number;
  live: boolean;
  ready: boolean;
  trace: TraceStore;
  httpRestrictions: Restrictions;
  grpcRestrictions: Restrictions;
  buffers: BufferPool;
}

const TRACE_KEYS = ['trace_level', 'trace_rate', 'trace_count', 'log_frequency'];

/** Global trace settings plus per-model overrides; values are lists of strings as in gRPC. */
export class TraceStore {
  private readonly global: TraceSettings = {
    trace_level: ['OFF'], trace_rate: ['1000'], trace_count: ['-1'], log_frequency: ['0'], trace_file: [''], trace_mode: ['triton'],
  };
  private readonly perModel = new Map<string, Partial<TraceSettings>>();

  get(model?: string): TraceSettings {
    const out: TraceSettings = { ...this.global };
    if (model) Object.assign(out, this.perModel.get(model) ?? {});
    return out;
  }

  /** `null` for a key clears a per-model value (falls back to global). */
  update(model: string | undefined, changes: Record<string, string[] | null>): TraceSettings {
    if ('trace_file' in changes) throw new ServerError('UNSUPPORTED', 'trace file location can not be updated through network protocol');
    const valid: Record<string, string[] | null> = {};
    for (const [k, v] of Object.entries(changes)) {
      if (!TRACE_KEYS.includes(k)) throw new ServerError('INVALID_ARG', `unknown trace setting '${k}'`);
      if (v === null || v.length === 0) {
        valid[k] = null;
        continue;
      }
      if (k === 'trace_level') {
        const levels = v.filter((x) => x === 'OFF' || x === 'TIMESTAMPS' || x === 'TENSORS');
        if (levels.includes('OFF') && levels.length > 1) throw new ServerError('INVALID_ARG', `Unable to set 'trace_level': 'OFF' must not be specified with other trace levels`);
        valid[k] = levels.length ? levels : ['OFF'];
        continue;
      }
      if (v.length !== 1 || !/^-?[0-9]+$/.test(v[0]!)) throw new ServerError('INVALID_ARG', `Unable to parse '${k}', got: ${v.join(',')}`);
      if (k === 'trace_count' ? Number(v[0]) < -1 : Number(v[0]) < 0) throw new ServerError('INVALID_ARG', `Unable to parse '${k}', got: ${v[0]}`);
      valid[k] = [String(Number(v[0]))];
    }
    if (model) {
      const m = this.perModel.get(model) ?? {};
      for (const [k, v] of Object.entries(valid)) {
        if (v === null) delete m[k];
        else m[k] = v;
      }
      this.perModel.set(model, m);
    } else {
      for (const [k, v] of Object.entries(valid)) if (v !== null) this.global[k] = v;
    }
    return this.get(model);
  }
}
