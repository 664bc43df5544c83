// The model repository: scanning, loading (with config/file overrides), unloading, index and lookups.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { BACKENDS } from './backends';
import type { ModelBackend } from './backends';
import { parseConfigJson, parseConfigText } from './configSchema';
import type { ConfigObject } from './configSchema';
import type { Logger } from './logger';
import { checkStep, ensembleBackend, ensembleSteps } from './ensemble';
import type { ComposingModel } from './ensemble';
import { completeConfig, servedVersions, validateConfig, versionDirs } from './modelConfig';
import { ConfigError, ServerError } from './serverError';
import { ModelStatistics } from './statistics';
import { TextFormatError } from './textFormat';

export type ModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING' | 'UNKNOWN';
export type ControlMode = 'none' | 'explicit' | 'poll';

export interface VersionEntry {
  version: number;
  state: ModelState;
  reason: string;
  stats: ModelStatistics;
}

export interface LoadedModel {
  name: string;
  config: ConfigObject;
  modelDir: string;
  backend: ModelBackend;
  /** Output name → label lines. */
  labels: Map<string, string[]>;
  /** Sequence id → per-sequence state and when it was last used (ms), for the idle timeout. */
  sequences: Map<string, { state: Map<string, unknown>; lastUsed: number }>;
}

interface ModelEntry {
  name: string;
  versions: Map<number, VersionEntry>;
  model?: LoadedModel;
  /** What the directory looked like at the last load attempt, for poll mode. */
  stamp?: string;
  /** Loaded by a request or at start-up (not only as a dependency). */
  explicit: boolean;
  /** Ensembles that loaded this model as a composing model. */
  dependencyOf: Set<string>;
}

export interface IndexEntry {
  name: string;
  version?: string;
  state?: ModelState;
  reason?: string;
}

interface PendingLoad {
  name: string;
  config: ConfigObject;
  modelDir: string;
  served: number[];
  entry: ModelEntry;
}

export interface LoadOverride {
  config?: string;
  files: Map<string, Buffer>;
}

const POLL_FAILED = (name: string): string => `failed to load '${name}', failed to poll from model repository`;

export class ModelRepository {
  private readonly entries = new Map<string, ModelEntry>();
  private readonly overrideDirs: string[] = [];
  private readonly loading = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    readonly root: string,
    readonly mode: ControlMode,
    private readonly log: Logger,
  ) {}

  /** Model directory names in the repository, sorted. */
  scan(): string[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    return names.filter((n) => !n.startsWith('.') && isDir(join(this.root, n))).sort();
  }

  /** Loads (or reloads) a model; `dependencyOf` names the ensemble that needs it. */
  load(name: string, override?: LoadOverride, dependencyOf?: string): void {
    const existing = this.entries.get(name);
    if (dependencyOf !== undefined && existing?.model && [...existing.versions.values()].some((v) => v.state === 'READY')) {
      existing.dependencyOf.add(dependencyOf);
      return;
    }
    if (this.loading.has(name)) throw new ConfigError(`circular dependency: '${name}' is already being loaded`);
    this.loading.add(name);
    try {
      this.finishLoad(this.beginLoad(name, override, dependencyOf));
    } finally {
      this.loading.delete(name);
    }
  }

  /**
   * The load API's path: like load(), but a model whose config sets the identity backend's
   * `creation_delay_sec` parameter stays LOADING in the index for that long first. Loads of one
   * name run one after the other.
   */
  async loadAsync(name: string, override?: LoadOverride): Promise<void> {
    const previous = this.pending.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const p = this.beginLoad(name, override, undefined);
      const params = (p.config['parameters'] as Record<string, { string_value?: string }> | undefined) ?? {};
      const delayMs = Math.min(60_000, Math.max(0, Number(params['creation_delay_sec']?.string_value ?? 0) * 1000 || 0));
      if (delayMs > 0) {
        if (!p.entry.model) {
          p.entry.versions = new Map(p.served.map((v) => [v, { version: v, state: 'LOADING' as ModelState, reason: '', stats: new ModelStatistics() }]));
        }
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      this.finishLoad(p);
    });
    this.pending.set(name, next);
    try {
      await next;
    } finally {
      if (this.pending.get(name) === next) this.pending.delete(name);
    }
  }

  /** Reads and completes the config and registers the entry; validation and backend creation follow in finishLoad. */
  private beginLoad(name: string, override: LoadOverride | undefined, dependencyOf: string | undefined): PendingLoad {
    const dirOnDisk = join(this.root, name);
    let modelDir = dirOnDisk;
    let config: ConfigObject;
    if (!/^[^/\\]+$/.test(name) || name === '.' || name === '..') throw new ServerError('INTERNAL', POLL_FAILED(name));
    try {
      if (override && override.files.size > 0) {
        if (override.config === undefined) throw new Error(`Load parameter 'config' must be specified for model file override`);
        modelDir = this.writeOverrideDir(name, override.files);
      } else if (!isDir(dirOnDisk) && override?.config === undefined) {
        this.log.error('model_repository_manager.cc:1375', `failed to poll model '${name}': model not found in any model repository.`);
        throw new ServerError('INTERNAL', POLL_FAILED(name));
      }
      if (override?.config !== undefined) config = parseConfigJson(override.config);
      else config = this.readConfigFile(modelDir);
    } catch (err) {
      if (err instanceof ServerError) throw err;
      this.log.error('model_repository_manager.cc:1460', `Poll failed for model directory '${name}': ${(err as Error).message}`);
      if (!this.entries.has(name)) this.entries.set(name, { name, versions: new Map(), explicit: false, dependencyOf: new Set() });
      throw new ServerError('INTERNAL', POLL_FAILED(name));
    }
    completeConfig(config, name, modelDir);
    if (!config['backend'] && config['platform'] !== 'ensemble') {
      // 2.59.1 fails this while polling, before any version is loaded.
      this.log.error('model_repository_manager.cc:1460', `Poll failed for model directory '${name}': Invalid model name: Could not determine backend for model '${name}' with no backend in model configuration. Expected model name of the form 'model.<backend_name>'.`);
      if (!this.entries.has(name)) this.entries.set(name, { name, versions: new Map(), explicit: false, dependencyOf: new Set() });
      throw new ServerError('INTERNAL', POLL_FAILED(name));
    }
    const available = versionDirs(modelDir);
    const served = servedVersions(config, available);
    if (served.length === 0) {
      const msg = `failed to load model '${name}': at least one version must be available under the version policy of model '${name}'`;
      this.log.error('model_repository_manager.cc:1500', msg);
      throw new ServerError('INVALID_ARG', msg);
    }
    const entry: ModelEntry = this.entries.get(name) ?? { name, versions: new Map<number, VersionEntry>(), explicit: false, dependencyOf: new Set() };
    this.entries.set(name, entry);
    if (dependencyOf === undefined) entry.explicit = true;
    else entry.dependencyOf.add(dependencyOf);
    entry.stamp = override ? undefined : dirStamp(dirOnDisk);
    for (const v of served) this.log.info('model_lifecycle.cc:473', `loading: ${name}:${v}`);
    return { name, config, modelDir, served, entry };
  }

  private finishLoad(p: PendingLoad): void {
    const { name, config, modelDir, served, entry } = p;
    let model: LoadedModel;
    try {
      validateConfig(config, name, modelDir);
      const backend = config['platform'] === 'ensemble' ? this.ensemble(name, config) : this.backend(config, modelDir);
      model = { name, config, modelDir, backend, labels: readLabels(config, modelDir), sequences: new Map() };
    } catch (err) {
      const reason = `Invalid argument: ${(err as Error).message}`;
      for (const v of served) this.log.error('model_lifecycle.cc:654', `failed to load '${name}' version ${v}: ${reason}`);
      this.log.info('model_lifecycle.cc:789', `failed to load '${name}'`);
      if (!entry.model) {
        entry.versions = new Map(served.map((v) => [v, { version: v, state: 'UNAVAILABLE' as ModelState, reason, stats: new ModelStatistics() }]));
      }
      // A failed reload leaves the previous version serving, as Triton does.
      throw new ServerError('INVALID_ARG', `load failed for model '${name}': ${served.map((v) => `version ${v} is at UNAVAILABLE state: ${reason};\n`).join('')}`);
    }
    const versions = new Map<number, VersionEntry>();
    for (const v of served) {
      const prior = entry.model ? entry.versions.get(v) : undefined;
      versions.set(v, { version: v, state: 'READY', reason: '', stats: prior?.state === 'READY' ? prior.stats : new ModelStatistics() });
    }
    if (entry.model) {
      for (const [v] of entry.versions) {
        if (!versions.has(v)) this.log.info('model_lifecycle.cc:623', `successfully unloaded '${name}' version ${v}`);
      }
    }
    entry.versions = versions;
    entry.model = model;
    this.log.info('model_lifecycle.cc:849', `successfully loaded '${name}'`);
    // Ensembles made unavailable by unloading this model come back.
    for (const e of this.entries.values()) {
      if (!e.model || !this.usesModel(e, name)) continue;
      const allReady = ensembleSteps(e.model.config).every((s) => this.isReady(s.model));
      for (const v of e.versions.values()) {
        if (allReady && v.state === 'UNAVAILABLE' && v.reason === 'unloaded') {
          v.state = 'READY';
          v.reason = '';
        }
      }
    }
  }

  /** Unloads a model; ensembles using it become UNAVAILABLE; `unloadDependents` also unloads what an ensemble loaded for itself. */
  unload(name: string, unloadDependents = false): void {
    const entry = this.entries.get(name);
    if (!entry || !entry.model) return;
    const config = entry.model.config;
    for (const v of entry.versions.values()) {
      v.state = 'UNAVAILABLE';
      v.reason = 'unloaded';
      this.log.info('model_lifecycle.cc:623', `successfully unloaded '${name}' version ${v.version}`);
    }
    entry.model = undefined;
    entry.explicit = false;
    for (const e of this.entries.values()) {
      if (!e.model || !this.usesModel(e, name)) continue;
      for (const v of e.versions.values()) {
        v.state = 'UNAVAILABLE';
        v.reason = 'unloaded';
      }
    }
    if (config['platform'] !== 'ensemble') return;
    for (const step of ensembleSteps(config)) {
      const dep = this.entries.get(step.model);
      if (!dep) continue;
      dep.dependencyOf.delete(name);
      if (unloadDependents && !dep.explicit && dep.dependencyOf.size === 0) this.unload(step.model, true);
    }
  }

  private usesModel(e: ModelEntry, name: string): boolean {
    return e.model?.config['platform'] === 'ensemble' && ensembleSteps(e.model.config).some((s) => s.model === name);
  }

  private isReady(name: string): boolean {
    const e = this.entries.get(name);
    return !!e?.model && [...e.versions.values()].some((v) => v.state === 'READY');
  }

  private backend(config: ConfigObject, modelDir: string): ModelBackend {
    const factory = BACKENDS[String(config['backend'])];
    if (!factory) throw new ConfigError(`unable to find backend library for backend '${String(config['backend'])}', try specifying runtime on the model configuration.`);
    return factory(config, modelDir);
  }

  /** Loads the composing models first, checks each step against them, then builds the ensemble. */
  private ensemble(name: string, config: ConfigObject): ModelBackend {
    for (const step of ensembleSteps(config)) {
      try {
        this.load(step.model, undefined, name);
      } catch (err) {
        throw new ConfigError(`ensemble '${name}' depends on '${step.model}' which has no loaded version. Model '${step.model}' loading failed with error: ${(err as Error).message.trim()}`);
      }
      checkStep(step, this.composing(step.model, step.version), name);
    }
    return ensembleBackend(config, (m, v) => this.composing(m, v));
  }

  private composing(model: string, version: number): ComposingModel {
    const found = this.get(model, version < 0 ? '' : String(version));
    return {
      name: model,
      config: found.model.config,
      backend: found.model.backend,
      record: (ns, batchSize) => found.version.stats.recordSuccess({ queueNs: 0, computeInputNs: 0, computeInferNs: ns, computeOutputNs: 0, totalNs: ns, batchSize }),
    };
  }

  /** Poll mode: loads new model directories, reloads changed ones, unloads removed ones. */
  poll(): void {
    const present = new Set(this.scan());
    for (const name of present) {
      const entry = this.entries.get(name);
      const stamp = dirStamp(join(this.root, name));
      if (entry && entry.stamp === stamp) continue;
      try {
        this.load(name);
      } catch {
        // Logged by load(); the index shows the state.
      }
      const after = this.entries.get(name);
      if (after) after.stamp = stamp;
    }
    for (const [name, entry] of this.entries) if (!present.has(name) && entry.model && entry.stamp !== undefined) this.unload(name);
  }

  /** Directories sorted by name plus models known only through overrides. */
  index(readyOnly: boolean): IndexEntry[] {
    const names = new Set([...this.scan().filter((n) => versionDirs(join(this.root, n)).length > 0), ...this.entries.keys()]);
    const out: IndexEntry[] = [];
    for (const name of [...names].sort()) {
      const entry = this.entries.get(name);
      if (!entry || entry.versions.size === 0) {
        if (!readyOnly) out.push({ name });
        continue;
      }
      for (const v of [...entry.versions.values()].sort((a, b) => a.version - b.version)) {
        if (readyOnly && v.state !== 'READY') continue;
        const e: IndexEntry = { name, version: String(v.version), state: v.state };
        if (v.reason) e.reason = v.reason;
        out.push(e);
      }
    }
    return out;
  }

  /** Resolves a READY model version, with Triton's NOT_FOUND / UNAVAILABLE messages. */
  get(name: string, versionText: string): { model: LoadedModel; version: VersionEntry } {
    const entry = this.entries.get(name);
    if (!entry || entry.versions.size === 0) throw new ServerError('NOT_FOUND', `Request for unknown model: '${name}' is not found`);
    if (versionText === '' || versionText === '-1') {
      const ready = [...entry.versions.values()].filter((v) => v.state === 'READY').sort((a, b) => b.version - a.version)[0];
      if (!ready || !entry.model) throw new ServerError('NOT_FOUND', `Request for unknown model: '${name}' has no available versions`);
      return { model: entry.model, version: ready };
    }
    const v = entry.versions.get(Number(versionText));
    if (!v) throw new ServerError('NOT_FOUND', `Request for unknown model: '${name}' version ${versionText} is not found`);
    if (v.state !== 'READY' || !entry.model) throw new ServerError('UNAVAILABLE', `Request for unknown model: '${name}' version ${versionText} is not at ready state`);
    return { model: entry.model, version: v };
  }

  /** Every loaded model version, for statistics over all models. */
  loadedVersions(): Array<{ name: string; version: VersionEntry }> {
    const out: Array<{ name: string; version: VersionEntry }> = [];
    for (const name of [...this.entries.keys()].sort()) {
      const e = this.entries.get(name)!;
      if (!e.model) continue;
      for (const v of [...e.versions.values()].sort((a, b) => a.version - b.version)) if (v.state === 'READY') out.push({ name, version: v });
    }
    return out;
  }

  /** Rows of the startup "Model | Version | Status" table. */
  statusRows(): string[][] {
    const rows: string[][] = [];
    for (const name of this.scan()) {
      const e = this.entries.get(name);
      if (versionDirs(join(this.root, name)).length === 0) rows.push([name, '-', 'Not loaded: No model version was found']);
      if (!e || e.versions.size === 0) continue;
      for (const v of e.versions.values()) rows.push([name, String(v.version), v.state === 'READY' ? 'READY' : `${v.state}: ${v.reason}`]);
    }
    return rows;
  }

  allReady(): boolean {
    for (const e of this.entries.values()) {
      for (const v of e.versions.values()) if (v.state !== 'READY' && v.reason !== 'unloaded') return false;
    }
    return true;
  }

  dispose(): void {
    for (const d of this.overrideDirs) rmSync(d, { recursive: true, force: true });
  }

  private readConfigFile(modelDir: string): ConfigObject {
    const path = join(modelDir, 'config.pbtxt');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return {};
    }
    try {
      return parseConfigText(text);
    } catch (err) {
      if (err instanceof TextFormatError) {
        process.stderr.write(`[libprotobuf ERROR text_format.cc:337] Error parsing text-format inference.ModelConfig: ${err.message}\n`);
        throw new Error(`failed to read text proto from ${path}`);
      }
      throw err;
    }
  }

  private writeOverrideDir(name: string, files: Map<string, Buffer>): string {
    const dir = mkdtempSync(join(tmpdir(), `reference-override-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-`));
    this.overrideDirs.push(dir);
    for (const [rel, content] of files) {
      const target = resolve(dir, normalize(rel));
      if (!target.startsWith(dir + sep)) throw new Error(`file override path '${rel}' is outside the model directory`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    return dir;
  }
}

/** Modification times of the config and version folders: changes when the model is edited. */
function dirStamp(dir: string): string {
  const parts: string[] = [];
  for (const n of ['config.pbtxt', ...versionDirs(dir).map(String)]) {
    try {
      parts.push(`${n}@${statSync(join(dir, n)).mtimeMs}`);
    } catch {
      parts.push(`${n}@-`);
    }
  }
  return parts.join(',');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readLabels(config: ConfigObject, modelDir: string): Map<string, string[]> {
  const labels = new Map<string, string[]>();
  for (const o of (config['output'] as ConfigObject[] | undefined) ?? []) {
    const file = String(o['label_filename'] ?? '');
    if (file) labels.set(String(o['name']), readFileSync(join(modelDir, file), 'utf8').split('\n'));
  }
  return labels;
}
