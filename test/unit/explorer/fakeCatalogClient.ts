// An in-memory Triton stand-in for tree-model unit tests: answers from a state the test changes,
// and counts calls so coalescing can be checked. The real client is exercised by extension tests.
import { TritonError } from '../../../src/triton/errors';
import type { CatalogClient } from '../../../src/services/catalogTypes';
import type { ModelMetadata, ModelStatistics, RepositoryIndexEntry, ServerMetadata } from '../../../src/triton/types';

export class FakeCatalogClient implements CatalogClient {
  index: RepositoryIndexEntry[] = [];
  metadata = new Map<string, ModelMetadata>();
  down: TritonError | undefined;
  controlForbidden = false;
  calls: Record<string, number> = {};
  closed = false;
  serverMeta: ServerMetadata = { name: 'triton', version: '2.59.1', extensions: ['model_repository', 'statistics'] };
  /** Resolves pending metadata calls when set; lets a test hold calls in flight. */
  gate: Promise<void> | undefined;

  private count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  private check(): void {
    if (this.down !== undefined) throw this.down;
  }

  async isServerLive(): Promise<boolean> {
    this.count('live');
    this.check();
    return true;
  }
  async isServerReady(): Promise<boolean> {
    this.count('ready');
    this.check();
    return this.index.every((e) => e.state === undefined || e.state === 'READY');
  }
  async serverMetadata(): Promise<ServerMetadata> {
    this.count('serverMetadata');
    this.check();
    return this.serverMeta;
  }
  async repositoryIndex(): Promise<RepositoryIndexEntry[]> {
    this.count('index');
    this.check();
    return this.index.map((e) => ({ ...e }));
  }
  async modelMetadata(model: string, options?: { version?: string | number }): Promise<ModelMetadata> {
    this.count('modelMetadata');
    if (this.gate !== undefined) await this.gate;
    this.check();
    const m = this.metadata.get(model);
    if (m === undefined) throw new TritonError('not-found', `Request for unknown model: '${model}' is not found`, { status: 404 });
    return { ...m, versions: options?.version !== undefined ? [String(options.version)] : m.versions };
  }
  async modelConfig(model: string): Promise<Record<string, unknown>> {
    this.check();
    return { name: model };
  }
  async modelStatistics(): Promise<ModelStatistics[]> {
    this.check();
    return [];
  }
  async loadModel(model: string): Promise<void> {
    this.count('load');
    this.check();
    if (this.controlForbidden) {
      throw new TritonError('unavailable', 'explicit model load / unload is not allowed if polling is enabled', { status: 503, serverMessage: 'explicit model load / unload is not allowed if polling is enabled' });
    }
    this.index = this.index.map((e) => (e.name === model ? { name: model, version: e.version ?? '1', state: 'READY' } : e));
  }
  async unloadModel(model: string): Promise<void> {
    this.count('unload');
    this.check();
    if (this.controlForbidden) {
      throw new TritonError('unavailable', 'explicit model load / unload is not allowed if polling is enabled', { status: 503, serverMessage: 'explicit model load / unload is not allowed if polling is enabled' });
    }
    this.index = this.index.map((e) => (e.name === model ? { ...e, state: 'UNAVAILABLE', reason: 'unloaded' } : e));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
