// Restricted API categories (--http-restricted-api, --grpc-restricted-protocol): a header with a value unlocks them.
import { ServerError } from './serverError';

export type ApiCategory = 'health' | 'metadata' | 'inference' | 'shared-memory' | 'model-config' | 'model-repository' | 'statistics' | 'trace' | 'logging';

const CATEGORIES: readonly ApiCategory[] = ['health', 'metadata', 'inference', 'shared-memory', 'model-config', 'model-repository', 'statistics', 'trace', 'logging'];

export interface Restriction {
  key: string;
  value: string;
}

export type Restrictions = Map<ApiCategory, Restriction>;

/** Adds `<api>[,<api>...]:<key>=<value>` to `into`; throws with a usage message on bad specs. */
export function addRestriction(spec: string, into: Restrictions): void {
  const m = /^([^:]+):([^=]+)=(.*)$/.exec(spec);
  if (!m) throw new Error(`invalid restricted API spec '${spec}', expected <api>[,<api>...]:<header-key>=<value>`);
  for (const api of m[1]!.split(',').map((s) => s.trim())) {
    if (!CATEGORIES.includes(api as ApiCategory)) throw new Error(`unknown API category '${api}' (known: ${CATEGORIES.join(', ')})`);
    if (into.has(api as ApiCategory)) throw new Error(`API category '${api}' is restricted more than once`);
    into.set(api as ApiCategory, { key: m[2]!.trim().toLowerCase(), value: m[3]! });
  }
}

export function httpCategory(path: string): ApiCategory | undefined {
  if (/^\/v2\/health\//.test(path) || /\/ready$/.test(path)) return 'health';
  if (/\/(infer|generate|generate_stream)$/.test(path)) return 'inference';
  if (/\/config$/.test(path)) return 'model-config';
  if (/\/stats$/.test(path)) return 'statistics';
  if (/\/trace\/setting$/.test(path)) return 'trace';
  if (path === '/v2/logging') return 'logging';
  if (/^\/v2\/repository(\/|$)/.test(path)) return 'model-repository';
  if (/^\/v2\/(system|cuda)sharedmemory\//.test(path)) return 'shared-memory';
  if (path === '/v2' || /^\/v2\/models\/[^/]+(\/versions\/[0-9]+)?$/.test(path)) return 'metadata';
  return undefined;
}

const GRPC: Record<string, ApiCategory> = {
  ServerLive: 'health', ServerReady: 'health', ModelReady: 'health', Check: 'health',
  ServerMetadata: 'metadata', ModelMetadata: 'metadata', ModelInfer: 'inference', ModelStreamInfer: 'inference',
  ModelConfig: 'model-config', ModelStatistics: 'statistics', RepositoryIndex: 'model-repository',
  RepositoryModelLoad: 'model-repository', RepositoryModelUnload: 'model-repository', TraceSetting: 'trace', LogSettings: 'logging',
};

export function grpcCategory(method: string): ApiCategory | undefined {
  return GRPC[method] ?? (/SharedMemory/.test(method) ? 'shared-memory' : undefined);
}

/** HTTP: the 403 message unless the header carries the value. */
export function httpRestriction(restrictions: Restrictions, path: string, header: (name: string) => string | undefined): string | undefined {
  const category = httpCategory(path);
  const r = category && restrictions.get(category);
  return r && header(r.key) !== r.value ? `This API is restricted, expecting header '${r.key}'` : undefined;
}

/** gRPC: UNAVAILABLE unless `triton-grpc-protocol-<key>` metadata carries the value. */
export function checkGrpc(restrictions: Restrictions, method: string, metadata: (name: string) => string | undefined): void {
  const category = grpcCategory(method);
  const r = category && restrictions.get(category);
  const key = r ? `triton-grpc-protocol-${r.key}` : '';
  if (r && metadata(key) !== r.value) throw new ServerError('UNAVAILABLE', `This protocol is restricted, expecting header '${key}'`);
}
