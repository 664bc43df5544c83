// The model catalog: per-server health, model list and cached model details, refreshed on demand;
// concurrent requests for the same thing share one call, and changes are reported per model.
import { TritonError } from '../triton/errors';
import type { ModelConfigJson, ModelMetadata, ModelStatistics } from '../triton/types';
import type {
  CatalogChange, CatalogClient, ModelControl, ModelEntry, ServerHealth, ServerProblem, ServerState,
} from './catalogTypes';
import { diffModels, modelsFromIndex, sameModel } from './modelIndex';
import type { RefreshOutcome } from './refreshManager';
import type { ServerConfig } from './serverConfig';

export interface CatalogOptions {
  /** Builds (or rebuilds) the client of a server; secrets are read here, never stored in state. */
  readonly createClient: (server: ServerConfig) => Promise<CatalogClient>;
  /** Deadline of quick calls (health, index, metadata). */
  readonly quickDeadlineMs?: number;
  /** Deadline of load/unload, which can take minutes for big models. */
  readonly loadDeadlineMs?: number;
  /** Ask the server once whether it allows load/unload (by unloading a name no model has). */
  readonly probeModelControl?: boolean;
  readonly now?: () => number;
}

interface Slot {
  config: ServerConfig;
  health: ServerHealth;
  control: ModelControl;
  /** The control-mode probe ran since the server was last reachable (so polls do not repeat it). */
  probed: boolean;
  models?: Map<string, ModelEntry>;
  indexProblem?: ServerProblem;
  client?: Promise<CatalogClient>;
  details: Map<string, Promise<ModelMetadata>>;
}

export const probeModelName = 'triton-workbench-model-control-probe';

/** True when a load/unload error says the server's model control mode forbids it (NONE or POLL). */
export function isModelControlForbidden(error: unknown): boolean {
  const text = error instanceof TritonError ? `${error.serverMessage ?? ''} ${error.message}` : String(error);
  return /explicit model load \/ unload is not allowed|not allowed if polling is enabled|model control mode|load\/unload is (not allowed|disabled)/i.test(text);
}

export function problemOf(error: unknown): ServerProblem {
  if (error instanceof TritonError) {
    const tls = /\bTLS\b|certificate|SSL/i.test(error.message);
    return { kind: tls ? 'tls' : error.kind, message: error.serverMessage ?? error.message };
  }
  return { kind: 'protocol', message: error instanceof Error ? error.message : String(error) };
}

export class ModelCatalog {
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Set<(change: CatalogChange) => void>();
  private readonly quickMs: number;
  private readonly loadMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CatalogOptions) {
    this.quickMs = options.quickDeadlineMs ?? 5_000;
    this.loadMs = options.loadDeadlineMs ?? 600_000;
    this.now = options.now ?? Date.now;
  }

  onDidChange(listener: (change: CatalogChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Replaces the server list; a server whose settings changed starts over with a fresh client. */
  setServers(servers: readonly ServerConfig[]): void {
    const next = new Map<string, Slot>();
    for (const config of servers) {
      const old = this.slots.get(config.name);
      if (old !== undefined && JSON.stringify(old.config) === JSON.stringify(config)) next.set(config.name, old);
      else next.set(config.name, { config, health: { state: 'unknown' }, control: 'unknown', probed: false, details: new Map() });
    }
    for (const [id, slot] of this.slots) if (next.get(id) !== slot) closeClient(slot);
    this.slots.clear();
    for (const [k, v] of next) this.slots.set(k, v);
    this.emit({ kind: 'servers' });
  }

  /** Drops a server's client so the next call builds one with fresh secrets. */
  resetClient(serverId: string): void {
    const slot = this.slots.get(serverId);
    if (slot !== undefined) closeClient(slot);
  }

  dispose(): void {
    for (const slot of this.slots.values()) closeClient(slot);
    this.slots.clear();
    this.listeners.clear();
  }

  serverIds(): string[] {
    return [...this.slots.keys()];
  }

  server(serverId: string): ServerState | undefined {
    const s = this.slots.get(serverId);
    if (s === undefined) return undefined;
    return { id: serverId, config: s.config, health: s.health, control: s.control, models: s.models, indexProblem: s.indexProblem };
  }

  model(serverId: string, name: string): ModelEntry | undefined {
    return this.slots.get(serverId)?.models?.get(name);
  }

  async client(serverId: string): Promise<CatalogClient> {
    const slot = this.requireSlot(serverId);
    if (slot.client === undefined) {
      const created = this.options.createClient(slot.config);
      slot.client = created;
      created.catch(() => {
        if (slot.client === created) slot.client = undefined;
      });
    }
    return slot.client;
  }

  /** Health, server metadata and the model list of one server. Never throws: failures become state. */
  async refreshServer(serverId: string, signal?: AbortSignal): Promise<RefreshOutcome> {
    const slot = this.slots.get(serverId);
    if (slot === undefined) return 'ok';
    const opts = { signal, deadlineMs: this.quickMs };
    let health: ServerHealth;
    try {
      const client = await this.client(serverId);
      const live = await client.isServerLive(opts);
      if (!live) {
        // Health answers carry no reason; metadata does (401/403 from an auth proxy, a restricted API...).
        const why = await client.serverMetadata(opts).then(() => undefined, (error: unknown) => problemOf(error));
        health = { state: 'unreachable', problem: why ?? { kind: 'unavailable', message: 'the server answers but reports it is not live' }, checkedAt: this.now() };
      } else {
        const [ready, meta] = await Promise.all([client.isServerReady(opts).catch(() => false), client.serverMetadata(opts)]);
        health = { state: ready ? 'ready' : 'live', version: meta.version, extensions: [...meta.extensions], checkedAt: this.now() };
      }
    } catch (error) {
      if (signal?.aborted) return 'ok';
      health = { state: 'unreachable', problem: problemOf(error), checkedAt: this.now() };
    }
    if (this.slots.get(serverId) !== slot) return 'ok';
    const healthChanged = !sameHealth(slot.health, health);
    slot.health = health;
    if (health.state === 'unreachable') {
      // Model details may be gone once the server is back, maybe restarted in another control mode.
      slot.details.clear();
      slot.probed = false;
      if (healthChanged) this.emit({ kind: 'server', serverId });
      return 'unreachable';
    }
    if (!slot.probed && this.options.probeModelControl === true && health.extensions?.includes('model_repository')) {
      slot.probed = true;
      await this.probeControl(slot, serverId, opts);
    }
    const changes = await this.refreshIndex(serverId, slot, signal);
    if (healthChanged || changes === 'all') this.emit({ kind: 'server', serverId });
    else for (const model of changes) this.emit({ kind: 'model', serverId, model });
    return 'ok';
  }

  /** Re-reads the index and updates one model only; says whether the model still exists. */
  async refreshModel(serverId: string, name: string, signal?: AbortSignal): Promise<'changed' | 'unchanged' | 'gone'> {
    const slot = this.requireSlot(serverId);
    slot.details.delete(name);
    for (const key of [...slot.details.keys()]) if (key.startsWith(`${name}@`)) slot.details.delete(key);
    const client = await this.client(serverId);
    const index = modelsFromIndex(await client.repositoryIndex({ signal, deadlineMs: this.quickMs }));
    const after = index.get(name);
    const models = slot.models ?? new Map<string, ModelEntry>();
    const before = models.get(name);
    if (after === undefined) {
      if (before === undefined) return 'gone';
      models.delete(name);
      slot.models = models;
      this.emit({ kind: 'server', serverId });
      return 'gone';
    }
    models.set(name, after);
    slot.models = models;
    if (before === undefined) {
      this.emit({ kind: 'server', serverId });
      return 'changed';
    }
    this.emit({ kind: 'model', serverId, model: name });
    return sameModel(before, after) ? 'unchanged' : 'changed';
  }

  /** Model metadata (inputs/outputs), cached until the model is refreshed; concurrent asks share a call. */
  metadata(serverId: string, name: string, version?: string): Promise<ModelMetadata> {
    const slot = this.requireSlot(serverId);
    const key = version === undefined ? name : `${name}@${version}`;
    let pending = slot.details.get(key);
    if (pending === undefined) {
      pending = this.client(serverId).then((c) => c.modelMetadata(name, { deadlineMs: this.quickMs, ...(version !== undefined ? { version } : {}) }));
      slot.details.set(key, pending);
      const p = pending;
      p.catch(() => {
        if (slot.details.get(key) === p) slot.details.delete(key);
      });
    }
    return pending;
  }

  async config(serverId: string, name: string, signal?: AbortSignal): Promise<ModelConfigJson> {
    return (await this.client(serverId)).modelConfig(name, { signal, deadlineMs: this.quickMs });
  }

  async statistics(serverId: string, name: string, signal?: AbortSignal): Promise<ModelStatistics[]> {
    return (await this.client(serverId)).modelStatistics(name, { signal, deadlineMs: this.quickMs });
  }

  /** Loads (or reloads) a model, optionally with a config override; then refreshes that model only. */
  load(serverId: string, name: string, config: string | undefined, signal?: AbortSignal): Promise<ModelEntry | undefined> {
    return this.lifecycle(serverId, name, 'LOADING', signal, (client) =>
      client.loadModel(name, { signal, deadlineMs: this.loadMs, ...(config !== undefined ? { config } : {}) }));
  }

  unload(serverId: string, name: string, signal?: AbortSignal): Promise<ModelEntry | undefined> {
    return this.lifecycle(serverId, name, 'UNLOADING', signal, (client) => client.unloadModel(name, { signal, deadlineMs: this.loadMs }));
  }

  /**
   * Runs a load or unload: the model shows the transient state meanwhile, the answer tells whether
   * the server allows model control, and only that model is refreshed afterwards, failure or not.
   */
  private async lifecycle(
    serverId: string,
    name: string,
    transient: 'LOADING' | 'UNLOADING',
    signal: AbortSignal | undefined,
    act: (client: CatalogClient) => Promise<void>,
  ): Promise<ModelEntry | undefined> {
    const slot = this.requireSlot(serverId);
    const client = await this.client(serverId);
    this.markTransient(slot, serverId, name, transient);
    try {
      await act(client);
      this.setControl(slot, serverId, 'explicit');
    } catch (error) {
      if (isModelControlForbidden(error)) this.setControl(slot, serverId, 'forbidden');
      await this.refreshModel(serverId, name).catch(() => undefined);
      throw error;
    }
    await this.refreshModel(serverId, name, signal);
    return slot.models?.get(name);
  }

  /** Unloading a name no model has changes nothing, and fails only where load/unload is forbidden. */
  private async probeControl(slot: Slot, serverId: string, opts: { signal?: AbortSignal; deadlineMs: number }): Promise<void> {
    try {
      await (await this.client(serverId)).unloadModel(probeModelName, opts);
      this.setControl(slot, serverId, 'explicit');
    } catch (error) {
      // Other failures (a restricted API, a timeout) say nothing about the mode; the next load will.
      if (isModelControlForbidden(error)) this.setControl(slot, serverId, 'forbidden');
    }
  }

  private async refreshIndex(serverId: string, slot: Slot, signal?: AbortSignal): Promise<'all' | string[]> {
    let models: Map<string, ModelEntry>;
    try {
      const client = await this.client(serverId);
      models = modelsFromIndex(await client.repositoryIndex({ signal, deadlineMs: this.quickMs }));
    } catch (error) {
      const hadProblem = slot.indexProblem !== undefined;
      slot.indexProblem = problemOf(error);
      return hadProblem ? [] : 'all';
    }
    const hadProblem = slot.indexProblem !== undefined;
    slot.indexProblem = undefined;
    const diff = diffModels(slot.models, models);
    for (const name of diff.changed) {
      slot.details.delete(name);
      for (const key of [...slot.details.keys()]) if (key.startsWith(`${name}@`)) slot.details.delete(key);
    }
    slot.models = models;
    return diff.membershipChanged || hadProblem ? 'all' : [...diff.changed];
  }

  private markTransient(slot: Slot, serverId: string, name: string, state: 'LOADING' | 'UNLOADING'): void {
    const models = slot.models ?? new Map<string, ModelEntry>();
    const before = models.get(name);
    models.set(name, { name, state, versions: before?.versions ?? [] });
    slot.models = models;
    this.emit(before === undefined ? { kind: 'server', serverId } : { kind: 'model', serverId, model: name });
  }

  private setControl(slot: Slot, serverId: string, control: ModelControl): void {
    if (slot.control === control) return;
    // Only "forbidden" changes what the tree shows; unknown → explicit needs no redraw.
    const redraw = slot.control === 'forbidden' || control === 'forbidden';
    slot.control = control;
    if (redraw) this.emit({ kind: 'server', serverId });
  }

  private requireSlot(serverId: string): Slot {
    const slot = this.slots.get(serverId);
    if (slot === undefined) throw new Error(`no server named '${serverId}' is configured`);
    return slot;
  }

  private emit(change: CatalogChange): void {
    for (const l of [...this.listeners]) l(change);
  }
}

function closeClient(slot: Slot): void {
  const pending = slot.client;
  slot.client = undefined;
  pending?.then((c) => c.close()).catch(() => undefined);
}

function sameHealth(a: ServerHealth, b: ServerHealth): boolean {
  return a.state === b.state && a.version === b.version && a.problem?.message === b.problem?.message
    && (a.extensions ?? []).join() === (b.extensions ?? []).join();
}
