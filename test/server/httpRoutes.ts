// HTTP endpoints other than inference: health, metadata, config, stats, repository, shared memory, trace, logging, control.
import { ioSpecs } from './backends';
import { renderConfigJson } from './configSchema';
import { FaultSpecError, parseFault } from './faults';
import type { Handler, HttpControl, HttpReply, Route } from './httpServer';
import { errorReply, jsonReply } from './httpServer';
import { JsonParseError, parseJson } from './jsonCodec';
import type { JsonValue } from './jsonCodec';
import type { LogFormat } from './logger';
import type { ConfigObject } from './configSchema';
import { ServerError } from './serverError';
import { EXTENSIONS, SERVER_VERSION } from './serverState';
import type { ServerState } from './serverState';

const M = '([^/]+)';
const V = '(?:/versions/([0-9]+))?';
const empty = (status: number): HttpReply => ({ status, body: '' });
const textJson = (status: number, error: string): HttpReply => ({ status, body: JSON.stringify({ error }), headers: { 'Content-Type': 'text/plain' } });

/** Parses a JSON request body; `allowEmpty` for endpoints that skip parsing an empty body. */
export function bodyJson(body: Buffer, allowEmpty: boolean): JsonValue | undefined {
  if (body.length === 0 && allowEmpty) return undefined;
  try {
    return parseJson(body.toString('utf8'));
  } catch (err) {
    if (err instanceof JsonParseError) throw new ServerError('INTERNAL', `failed to parse the request JSON buffer: ${err.message}`);
    throw err;
  }
}

function asObject(v: JsonValue | undefined): Record<string, JsonValue> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ServerError('INTERNAL', 'attempt to access JSON non-object as object');
  return v;
}

export function modelMetadata(state: ServerState, name: string, version: string): Record<string, unknown> {
  const { model, version: v } = state.repo.get(name, version);
  const config = model.config;
  const mbs = Number(config['max_batch_size'] ?? 0);
  const tensors = (key: 'input' | 'output'): unknown[] =>
    ioSpecs(config, key).map((s) => ({ name: s.name, datatype: s.datatype, shape: mbs > 0 ? [-1, ...s.dims] : s.dims }));
  const versions = version ? [String(v.version)] : state.repo.index(true).filter((e) => e.name === name).map((e) => e.version!);
  return { name, versions, platform: String(config['platform'] || config['backend'] || ''), inputs: tensors('input'), outputs: tensors('output') };
}

export function modelStatistics(state: ServerState, name: string, version: string): unknown[] {
  if (!name) return state.repo.loadedVersions().map(({ name: n, version: v }) => v.stats.toJson(n, v.version));
  const versions = state.repo.loadedVersions().filter((x) => x.name === name);
  if (versions.length === 0) throw new ServerError('INVALID_ARG', `requested model '${name}' is not available`);
  if (!version) return versions.map(({ version: v }) => v.stats.toJson(name, v.version));
  const one = versions.find((x) => String(x.version.version) === version);
  if (!one) throw new ServerError('INVALID_ARG', `requested model version is not available for model '${name}'`);
  return [one.version.stats.toJson(name, one.version.version)];
}

export function requireExplicit(state: ServerState): void {
  if (state.mode !== 'explicit') throw new ServerError('UNAVAILABLE', 'explicit model load / unload is not allowed if polling is enabled');
}

export function modelIndex(state: ServerState, readyOnly: boolean): unknown[] {
  return state.repo.index(readyOnly);
}

export function setLogSettings(state: ServerState, changes: Record<string, JsonValue>): void {
  const s = state.log.settings;
  if (changes['log_file'] !== undefined && changes['log_file'] !== null) {
    throw new ServerError('UNSUPPORTED', 'log file location can not be updated through network protocol');
  }
  const next = { ...s };
  for (const key of ['log_info', 'log_warning', 'log_error'] as const) {
    const v = changes[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw new ServerError('INTERNAL', 'attempt to access JSON non-boolean as boolean');
    next[key] = v;
  }
  const level = changes['log_verbose_level'];
  if (level !== undefined && level !== null) {
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0) throw new ServerError('INTERNAL', 'attempt to access JSON non-unsigned-integer as unsigned-integer');
    next.log_verbose_level = level;
  }
  const format = changes['log_format'];
  if (format !== undefined && format !== null) {
    if (typeof format !== 'string') throw new ServerError('INTERNAL', 'attempt to access JSON non-string as string');
    if (format !== 'default' && format !== 'ISO8601') throw new ServerError('UNAVAILABLE', `invalid argument for --log_format, got: ${format}`);
    next.log_format = format as LogFormat;
  }
  Object.assign(s, next);
}

function traceReply(settings: Record<string, string[]>): HttpReply {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) out[k] = k === 'trace_level' ? v : v[0] ?? '';
  return jsonReply(200, out);
}

function traceHandlers(model: boolean): Route['methods'] {
  const check = (state: ServerState, name: string): void => {
    try {
      state.repo.get(name, '');
    } catch {
      throw new ServerError('INVALID_ARG', `Request for unknown model : ${name}`);
    }
  };
  return {
    GET: ({ state, params }) => {
      if (model) check(state, params[0]!);
      return traceReply(state.trace.get(model ? params[0] : undefined));
    },
    POST: ({ state, params, body }) => {
      if (model) check(state, params[0]!);
      const obj = asObject(bodyJson(body, false));
      const changes: Record<string, string[] | null> = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v === null) changes[k] = null;
        else if (k === 'trace_level') {
          if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ServerError('INTERNAL', 'attempt to access JSON non-array as array');
          changes[k] = v as string[];
        } else if (k === 'trace_file') changes[k] = [String(v)];
        else {
          if (typeof v !== 'string') throw new ServerError('INTERNAL', 'attempt to access JSON non-string as string');
          changes[k] = [v];
        }
      }
      return traceReply(state.trace.update(model ? params[0] : undefined, changes));
    },
  };
}

function loadHandler(): Handler {
  return async ({ state, params, body }) => {
    if (params[0]) throw new ServerError('UNSUPPORTED', "'repository_name' specification is not supported");
    requireExplicit(state);
    const name = params[1]!;
    const obj = asObject(bodyJson(body, true));
    const parameters = asObject(obj['parameters'] ?? undefined);
    let config: string | undefined;
    const files = new Map<string, Buffer>();
    for (const [k, v] of Object.entries(parameters)) {
      if (typeof v !== 'string') throw new ServerError('INTERNAL', 'attempt to access JSON non-string as string');
      if (k === 'config') config = v;
      else if (k.startsWith('file:')) {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw new ServerError('INVALID_ARG', `failed to decode base64 content of '${k}'`);
        files.set(k.slice(5), Buffer.from(v, 'base64'));
      } else throw new ServerError('INTERNAL', 'unexpected error on creating Triton parameter');
    }
    await state.repo.loadAsync(name, config !== undefined || files.size > 0 ? { config, files } : undefined);
    return { status: 200, body: '', headers: { 'Content-Type': 'application/json' } };
  };
}

export function adminRoutes(control: HttpControl): Route[] {
  return [
    { re: /^\/v2\/health\/live$/, methods: { GET: ({ state }) => empty(state.live ? 200 : 400) } },
    { re: /^\/v2\/health\/ready$/, methods: { GET: ({ state }) => empty(state.ready && (!state.strictReadiness || state.repo.allReady()) ? 200 : 400) } },
    { re: /^\/v2$/, methods: { GET: () => jsonReply(200, { name: 'triton', version: SERVER_VERSION, extensions: EXTENSIONS }) } },
    { re: /^\/v2\/models\/stats$/, methods: { GET: ({ state }) => jsonReply(200, { model_stats: modelStatistics(state, '', '') }) } },
    { re: new RegExp(`^/v2/models/${M}${V}$`), methods: { GET: ({ state, params }) => jsonReply(200, modelMetadata(state, params[0]!, params[1]!)) } },
    {
      re: new RegExp(`^/v2/models/${M}${V}/ready$`),
      methods: {
        GET: ({ state, params }) => {
          try {
            state.repo.get(params[0]!, params[1]!);
            return empty(200);
          } catch {
            return textJson(400, 'Model version not ready');
          }
        },
      },
    },
    { re: new RegExp(`^/v2/models/${M}${V}/config$`), methods: { GET: ({ state, params }) => jsonReply(200, renderConfigJson(state.repo.get(params[0]!, params[1]!).model.config as ConfigObject)) } },
    { re: new RegExp(`^/v2/models/${M}${V}/stats$`), methods: { GET: ({ state, params }) => jsonReply(200, { model_stats: modelStatistics(state, params[0]!, params[1]!) }) } },
    { re: new RegExp(`^/v2/models/${M}/trace/setting$`), methods: traceHandlers(true) },
    { re: /^\/v2\/trace\/setting$/, methods: traceHandlers(false) },
    {
      re: /^\/v2\/repository(?:\/([^/]+))?\/index$/,
      methods: {
        POST: ({ state, body }) => {
          const obj = asObject(bodyJson(body, true));
          const ready = obj['ready'];
          if (ready !== undefined && typeof ready !== 'boolean') throw new ServerError('INTERNAL', 'attempt to access JSON non-boolean as boolean');
          return jsonReply(200, modelIndex(state, ready === true));
        },
      },
    },
    { re: new RegExp(`^/v2/repository(?:/([^/]+))?/models/${M}/load$`), methods: { POST: loadHandler() } },
    {
      re: new RegExp(`^/v2/repository(?:/([^/]+))?/models/${M}/unload$`),
      methods: {
        POST: ({ state, params, body }) => {
          if (params[0]) throw new ServerError('UNSUPPORTED', "'repository_name' specification is not supported");
          requireExplicit(state);
          const parameters = asObject(asObject(bodyJson(body, true))['parameters'] ?? undefined);
          // A non-boolean unload_dependents is ignored, as 2.59.1 does over HTTP.
          state.repo.unload(params[1]!, parameters['unload_dependents'] === true);
          return { status: 200, body: '', headers: { 'Content-Type': 'application/json' } };
        },
      },
    },
    { re: /^\/v2\/systemsharedmemory\/status$/, methods: { GET: ({ state }) => jsonReply(200, state.shm.status().map(shmJson)) } },
    {
      re: new RegExp(`^/v2/systemsharedmemory/region/${M}/status$`),
      methods: { GET: ({ state, params }) => jsonReply(200, state.shm.status(params[0]!).map(shmJson)) },
    },
    {
      re: new RegExp(`^/v2/systemsharedmemory/region/${M}/register$`),
      methods: {
        POST: ({ state, params, body }) => {
          const obj = asObject(bodyJson(body, false));
          if (obj['key'] === undefined) throw new ServerError('INVALID_ARG', "Shared memory register request has no 'key' field");
          if (obj['byte_size'] === undefined) throw new ServerError('INVALID_ARG', "Shared memory register request has no 'byte_size' field");
          const key = obj['key'];
          if (typeof key !== 'string') throw new ServerError('INTERNAL', 'attempt to access JSON non-string as string');
          const uint = (v: JsonValue | undefined): number => {
            if (v === undefined) return 0;
            if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ServerError('INTERNAL', 'attempt to access JSON non-unsigned-integer as unsigned-integer');
            return v;
          };
          state.shm.register(params[0]!, key, uint(obj['offset']), uint(obj['byte_size']));
          return empty(200);
        },
      },
    },
    { re: /^\/v2\/systemsharedmemory\/unregister$/, methods: { POST: ({ state }) => (state.shm.unregisterAll(), empty(200)) } },
    { re: new RegExp(`^/v2/systemsharedmemory/region/${M}/unregister$`), methods: { POST: ({ state, params }) => (state.shm.unregister(params[0]!), empty(200)) } },
    { re: /^\/v2\/cudasharedmemory\/status$/, methods: { GET: () => jsonReply(200, []) } },
    {
      re: new RegExp(`^/v2/cudasharedmemory/region/${M}/status$`),
      methods: {
        GET: ({ state, params }) => {
          const isSystem = state.shm.status().some((r) => r.name === params[0]);
          if (isSystem) throw new ServerError('NOT_FOUND', `The region named '${params[0]}' is registered as system shared memory, not CUDA shared memory`);
          throw new ServerError('NOT_FOUND', `Unable to find cuda shared memory region: '${params[0]}'`);
        },
      },
    },
    {
      re: new RegExp(`^/v2/cudasharedmemory/region/${M}/register$`),
      methods: { POST: ({ params }) => errorReply(new ServerError('INVALID_ARG', `failed to register CUDA shared memory region: '${params[0]}', GPUs not supported`)) },
    },
    { re: /^\/v2\/cudasharedmemory\/unregister$/, methods: { POST: () => empty(200) } },
    { re: new RegExp(`^/v2/cudasharedmemory/region/${M}/unregister$`), methods: { POST: () => empty(200) } },
    {
      re: /^\/v2\/logging$/,
      methods: {
        GET: ({ state }) => jsonReply(200, state.log.settings),
        POST: ({ state, body }) => {
          setLogSettings(state, asObject(bodyJson(body, false)));
          return jsonReply(200, state.log.settings);
        },
      },
    },
    {
      re: /^\/__fault$/,
      methods: {
        POST: ({ body }) => {
          const obj = asObject(bodyJson(body, false));
          if (obj['clear'] === true) {
            control.faults.clear();
            return empty(200);
          }
          try {
            const fault = parseFault(String(obj['fault'] ?? ''));
            const count = obj['count'] === undefined ? 1 : Number(obj['count']);
            control.faults.add(fault, String(obj['match'] ?? ''), Number.isInteger(count) ? count : 1);
          } catch (err) {
            if (err instanceof FaultSpecError) return jsonReply(400, { error: err.message });
            throw err;
          }
          return empty(200);
        },
      },
    },
    {
      re: /^\/__control\/restart$/,
      methods: {
        POST: ({ body }) => {
          const obj = asObject(bodyJson(body, true));
          const ms = Number(obj['delay_ms'] ?? 500);
          if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) return jsonReply(400, { error: 'delay_ms must be a whole number of milliseconds up to 60000' });
          setImmediate(() => control.restart(ms));
          return empty(200);
        },
      },
    },
  ];
}

function shmJson(r: { name: string; key: string; offset: number; byteSize: number }): unknown {
  return { name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize };
}
