// What Triton fills into a model config (auto-complete, normalization) and what it rejects (validation).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { BACKENDS } from './backends';
import { parseConfigText } from './configSchema';
import { validateEnsemble } from './ensemble';
import { ConfigError } from './serverError';
import type { ConfigObject } from './configSchema';

const PLATFORM_BACKEND: Record<string, string> = {
  tensorrt_plan: 'tensorrt', onnxruntime_onnx: 'onnxruntime', tensorflow_graphdef: 'tensorflow',
  tensorflow_savedmodel: 'tensorflow', pytorch_libtorch: 'pytorch', torch_aoti: 'pytorch',
};
const FRAMEWORK_BACKENDS = new Set(['tensorflow', 'tensorrt', 'onnxruntime', 'pytorch']);


/** Numeric version directories (no leading zeros), sorted ascending. */
export function versionDirs(modelDir: string): number[] {
  const out: number[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(modelDir);
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^(0|[1-9][0-9]*)$/.test(n)) continue;
    try {
      if (statSync(join(modelDir, n)).isDirectory()) out.push(Number(n));
    } catch {
      // vanished while listing
    }
  }
  return out.sort((a, b) => a - b);
}

/** Triton's server-side auto-complete and normalization, in place. */
export function completeConfig(config: ConfigObject, modelName: string, modelDir: string): void {
  if (!config['name']) config['name'] = modelName;
  const platform = String(config['platform'] ?? '');
  let backend = String(config['backend'] ?? '');
  if (!backend && platform && PLATFORM_BACKEND[platform]) backend = PLATFORM_BACKEND[platform]!;
  if (!backend && platform !== 'ensemble') {
    // A reference backend is named by a `model.<backend>` file in a version directory, like Triton's custom backends.
    const first = versionDirs(modelDir)[0];
    if (first !== undefined) {
      for (const f of safeList(join(modelDir, String(first)))) {
        const m = /^model\.(.+)$/.exec(f);
        if (m && BACKENDS[m[1]!]) backend = m[1]!;
        if (f === 'model.onnx') {
          backend = 'onnxruntime';
          config['platform'] = 'onnxruntime_onnx';
        }
        if (f === 'model.py') backend = 'python';
      }
    }
    if (!backend) {
      const dot = modelName.lastIndexOf('.');
      if (dot > 0) backend = modelName.slice(dot + 1);
    }
  }
  if (backend) config['backend'] = backend;
  autoCompleteSignature(config, modelDir, backend);
  if (!config['version_policy']) config['version_policy'] = { latest: { num_versions: 1 } };
  const mbs = Number(config['max_batch_size'] ?? 0);
  const db = config['dynamic_batching'] as ConfigObject | undefined;
  if (db && mbs > 0 && !((db['preferred_batch_size'] as unknown[] | undefined)?.length)) db['preferred_batch_size'] = [mbs];
  const sb = config['sequence_batching'] as ConfigObject | undefined;
  if (sb) {
    if (!sb['max_sequence_idle_microseconds']) sb['max_sequence_idle_microseconds'] = 1000000;
    const oldest = sb['oldest'] as ConfigObject | undefined;
    if (oldest && mbs > 0 && !((oldest['preferred_batch_size'] as unknown[] | undefined)?.length)) oldest['preferred_batch_size'] = [mbs];
  }
  if (platform === 'ensemble') return;
  const opt = (config['optimization'] as ConfigObject | undefined) ?? {};
  if (!opt['input_pinned_memory']) opt['input_pinned_memory'] = { enable: true };
  if (!opt['output_pinned_memory']) opt['output_pinned_memory'] = { enable: true };
  config['optimization'] = opt;
  const groups = (config['instance_group'] as ConfigObject[] | undefined) ?? [];
  if (groups.length === 0) groups.push({ name: modelName });
  groups.forEach((g, i) => {
    if (!g['name']) g['name'] = `${modelName}_${i}`;
    if (!g['kind'] || g['kind'] === 'KIND_AUTO') g['kind'] = 'KIND_CPU';
    if (!g['count'] || Number(g['count']) < 1) g['count'] = g['kind'] === 'KIND_CPU' && (backend === 'onnxruntime' || backend === 'tensorflow') ? 2 : 1;
  });
  config['instance_group'] = groups;
}

/** Like a framework backend reading its model file: missing inputs/outputs come from `<version>/model.<backend>`. */
function autoCompleteSignature(config: ConfigObject, modelDir: string, backend: string): void {
  const has = (k: string): boolean => ((config[k] as unknown[] | undefined) ?? []).length > 0;
  if ((has('input') && has('output')) || !BACKENDS[backend]) return;
  const first = versionDirs(modelDir)[0];
  if (first === undefined) return;
  let signature: ConfigObject;
  try {
    signature = parseConfigText(readFileSync(join(modelDir, String(first), `model.${backend}`), 'utf8'));
  } catch {
    return;
  }
  if (!has('input') && signature['input']) config['input'] = signature['input'];
  if (!has('output') && signature['output']) config['output'] = signature['output'];
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function validateIo(config: ConfigObject, key: 'input' | 'output', name: string): void {
  const mbs = Number(config['max_batch_size'] ?? 0);
  for (const io of (config[key] as ConfigObject[] | undefined) ?? []) {
    const ioName = String(io['name'] ?? '');
    if (!ioName) throw new ConfigError(`model ${key} must specify 'name' for ${name}`);
    if (!io['data_type'] || io['data_type'] === 'TYPE_INVALID') throw new ConfigError(`model ${key} '${ioName}' must specify 'data_type' for ${name}`);
    const dims = (io['dims'] as number[] | undefined) ?? [];
    if (dims.length === 0) throw new ConfigError(`model ${key} '${ioName}' must specify 'dims' for ${name}`);
    for (const d of dims) {
      if (d < 1 && d !== -1) throw new ConfigError(`model ${key} '${ioName}' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for ${name}`);
    }
    const fmt = io['format'];
    if ((fmt === 'FORMAT_NCHW' || fmt === 'FORMAT_NHWC') && dims.length !== 3) {
      throw new ConfigError(`model input NHWC/NCHW require 3 dims for ${name}`);
    }
    const reshape = io['reshape'] as ConfigObject | undefined;
    if (reshape) {
      const shape = (reshape['shape'] as number[] | undefined) ?? [];
      if (shape.length === 0 && mbs === 0) throw new ConfigError(`model ${key} '${ioName}' cannot have empty reshape for non-batching model as scalar tensors are not supported for ${name}`);
      const fixed = (xs: number[]): number => xs.filter((x) => x !== -1).reduce((a, b) => a * b, 1);
      if (dims.filter((d) => d === -1).length !== shape.filter((d) => d === -1).length) {
        throw new ConfigError(`model ${key} '${ioName}' has different number of variable-size dimensions for dims and reshape for ${name}`);
      }
      if (fixed(dims) !== fixed(shape)) throw new ConfigError(`model ${key} '${ioName}' has different size for dims and reshape for ${name}`);
    }
  }
}

/** ValidateModelConfig + IO checks; throws ConfigError with Triton's wording. */
export function validateConfig(config: ConfigObject, modelName: string, modelDir: string): void {
  const name = String(config['name'] ?? '');
  if (name !== modelName) {
    throw new ConfigError(`unexpected directory name '${modelName}' for model '${name}', directory name must equal model name`);
  }
  const platform = String(config['platform'] ?? '');
  const backend = String(config['backend'] ?? '');
  if (platform === 'ensemble') {
    if (backend) throw new ConfigError(`Ensemble model '${name}' must have platform type 'ensemble' and empty backend type`);
  } else if (!backend) {
    throw new ConfigError(`Invalid model name: Could not determine backend for model '${name}' with no backend in model configuration. Expected model name of the form 'model.<backend_name>'.`);
  } else if (FRAMEWORK_BACKENDS.has(backend) && PLATFORM_BACKEND[platform] !== backend) {
    throw new ConfigError(`unexpected 'platform' and 'backend' pair, got:${platform}, ${backend}`);
  }
  const mbs = Number(config['max_batch_size'] ?? 0);
  if (mbs < 0) throw new ConfigError(`'max_batch_size' must be non-negative value for ${name}`);
  validateEnsemble(config, name);
  validateIo(config, 'input', name);
  validateIo(config, 'output', name);
  const db = config['dynamic_batching'] as ConfigObject | undefined;
  for (const p of (db?.['preferred_batch_size'] as number[] | undefined) ?? []) {
    if (p <= 0) throw new ConfigError(`dynamic batching preferred size must be positive for ${name}`);
    if (p > mbs) throw new ConfigError(`dynamic batching preferred size must be <= max batch size for ${name}`);
  }
  const sb = config['sequence_batching'] as ConfigObject | undefined;
  const seen = new Set<string>();
  for (const ci of (sb?.['control_input'] as ConfigObject[] | undefined) ?? []) {
    if (!ci['name']) throw new ConfigError(`sequence batching control tensor must have a name for ${name}`);
    for (const c of (ci['control'] as ConfigObject[] | undefined) ?? []) {
      const kind = String(c['kind'] ?? 'CONTROL_SEQUENCE_START');
      if (seen.has(kind)) throw new ConfigError(`sequence batching specifies multiple ${kind} tensors for ${name}`);
      seen.add(kind);
    }
  }
  const outputs = (config['output'] as ConfigObject[] | undefined) ?? [];
  for (const o of outputs) {
    const label = String(o['label_filename'] ?? '');
    if (!label) continue;
    const full = resolve(modelDir, label);
    const rel = relative(resolve(modelDir), full);
    if (rel.startsWith('..') || rel.startsWith(sep)) {
      throw new ConfigError(`label file path '${label}' for output '${String(o['name'])}' in model '${name}' is outside model directory`);
    }
    if (!existsSync(full)) throw new ConfigError(`unable to open label file '${full}' for output '${String(o['name'])}' of model '${name}'`);
  }
}

/** Versions to serve under the config's version policy. */
export function servedVersions(config: ConfigObject, available: number[]): number[] {
  const policy = (config['version_policy'] as ConfigObject | undefined) ?? {};
  if (policy['all']) return [...available];
  const specific = policy['specific'] as ConfigObject | undefined;
  if (specific) {
    const wanted = ((specific['versions'] as number[] | undefined) ?? []).map(Number);
    return available.filter((v) => wanted.includes(v));
  }
  const latest = policy['latest'] as ConfigObject | undefined;
  const n = Math.max(1, Number(latest?.['num_versions'] ?? 1));
  return available.slice(-n);
}
