// Rules that look at the model repository on disk: directory name, version folders, model and label files.
import { basename, join } from 'node:path';
import type { ConfigFs, DirEntry } from './configFs';
import type { DetectedModel, RuleContext } from './ruleContext';
import { PLATFORM_BACKEND, completedBackend, report, startRange } from './ruleContext';

export interface ModelLocation {
  modelDir: string;
  dirName: string;
  fs: ConfigFs;
}

const DEFAULT_FILE: ReadonlyMap<string, string> = new Map([
  ['tensorrt', 'model.plan'], ['onnxruntime', 'model.onnx'], ['pytorch', 'model.pt'], ['python', 'model.py'], ['openvino', 'model.xml'],
]);

/** The file name Triton looks for in a version folder, when it can be told from the config. */
export function modelFileName(ctx: RuleContext): string | undefined {
  const explicit = ctx.cfg.str('default_model_filename');
  if (explicit !== undefined && explicit !== '') return explicit;
  if (ctx.platform === 'tensorflow_savedmodel') return 'model.savedmodel';
  if (ctx.platform === 'tensorflow_graphdef') return 'model.graphdef';
  if (ctx.platform === 'torch_aoti') return 'model.pt2';
  const backend = ctx.backend !== '' ? ctx.backend : PLATFORM_BACKEND.get(ctx.platform) ?? '';
  return DEFAULT_FILE.get(backend);
}

export function checkName(ctx: RuleContext, loc: ModelLocation): void {
  const node = ctx.cfg.scalar('name');
  const name = ctx.cfg.str('name');
  if (node === undefined || name === undefined) {
    report(ctx, startRange(ctx), 'hint', 'autofill-name', `Triton sets name to "${loc.dirName}" (the model folder's name).`);
    return;
  }
  if (name !== loc.dirName) {
    report(ctx, node.range, 'error', 'name-mismatch',
      `Model name "${name}" differs from its folder "${loc.dirName}"; Triton requires them to be equal. Rename one of them.`,
      { fix: { title: `Change name to "${loc.dirName}"`, edits: [{ range: node.range, newText: JSON.stringify(loc.dirName) }] } });
  }
}

/** Version folders as Triton counts them: numeric names, no leading zeros except "0" itself. */
export function versionFolders(entries: readonly DirEntry[]): number[] {
  return entries
    .filter((e) => e.isDirectory && /^\d+$/.test(e.name) && (e.name === '0' || !e.name.startsWith('0')))
    .map((e) => Number(e.name))
    .sort((a, b) => a - b);
}

/** Checks version folders against the policy; returns the versions Triton would serve. */
/** Folders Triton skips silently or with a warning: not numbers, or numbers with leading zeros. */
const NOT_VERSIONS = new Set(['warmup', 'initial_state', 'configs']);

export function checkVersions(ctx: RuleContext, entries: readonly DirEntry[]): number[] {
  const versions = versionFolders(entries);
  const ignored = entries
    .filter((e) => e.isDirectory && !NOT_VERSIONS.has(e.name) && !e.name.startsWith('.') && !(/^\d+$/.test(e.name) && (e.name === '0' || !e.name.startsWith('0'))))
    .map((e) => e.name)
    .sort();
  if (versions.length === 0) {
    report(ctx, startRange(ctx), 'error', 'no-version',
      `The model folder has no version folder (such as "1/"); Triton finds no version to load. Create one and put the model file in it.${ignored.length > 0 ? ` (Ignored, not versions: ${ignored.join(', ')}.)` : ''}`);
    return [];
  }
  for (const name of ignored.filter((n) => /^0\d+$/.test(n))) {
    report(ctx, startRange(ctx), 'info', 'ignored-version', `Folder "${name}" is not a version: Triton ignores version folders whose names start with 0.`);
  }
  const vp = ctx.cfg.message('version_policy');
  const specific = vp?.message('specific');
  if (specific !== undefined) {
    const served: number[] = [];
    for (const e of specific.ints('versions')) {
      const v = Number(e.node.value as bigint);
      if (versions.includes(v)) served.push(v);
      else if (v >= 0) report(ctx, e.node.range, 'error', 'missing-version', `Version ${v} is listed but folder "${v}/" does not exist (found: ${versions.join(', ')}).`);
    }
    return served;
  }
  if (vp?.message('all') !== undefined) return versions;
  const n = vp?.message('latest')?.int('num_versions') ?? 1;
  return versions.slice(Math.max(0, versions.length - Math.max(1, n)));
}

/** Model file → backend, platform (empty where the backend has none), and whether a folder of that name counts. */
const DETECT: readonly [string, string, string, boolean][] = [
  ['model.plan', 'tensorrt', 'tensorrt_plan', false], ['model.onnx', 'onnxruntime', 'onnxruntime_onnx', true],
  ['model.pt', 'pytorch', 'pytorch_libtorch', false], ['model.pt2', 'pytorch', 'torch_aoti', false], ['model.py', 'python', '', false],
  ['model.xml', 'openvino', '', false], ['model.savedmodel', 'tensorflow', 'tensorflow_savedmodel', true],
  ['model.graphdef', 'tensorflow', 'tensorflow_graphdef', false],
];

/** With neither platform nor backend, Triton looks at the files; say what it would pick, or that it cannot. */
export async function checkBackendDetection(ctx: RuleContext, loc: ModelLocation, served: readonly number[]): Promise<DetectedModel | undefined> {
  if (ctx.platform !== '' || ctx.backend !== '' || served.length === 0) return undefined;
  const files = (await loc.fs.readDir(join(loc.modelDir, String(served[0])))) ?? [];
  for (const [file, backend, platform, dirOk] of DETECT) {
    if (files.some((f) => f.name === file && (dirOk || !f.isDirectory))) {
      report(ctx, startRange(ctx), 'hint', 'autofill-backend',
        `Triton picks backend "${backend}"${platform !== '' ? ` and platform "${platform}"` : ''} because version ${served[0]} holds ${file}.`);
      return { backend, platform, file };
    }
  }
  const dot = loc.dirName.lastIndexOf('.');
  if (dot > 0 && dot < loc.dirName.length - 1) {
    const backend = loc.dirName.slice(dot + 1);
    report(ctx, startRange(ctx), 'hint', 'autofill-backend', `Triton uses backend "${backend}" (from the model name "${loc.dirName}"); default_model_filename becomes model.${backend}.`);
    return { backend, platform: '', file: `model.${backend}` };
  }
  if (dot <= 0 || dot === loc.dirName.length - 1) {
    report(ctx, startRange(ctx), 'error', 'no-backend',
      `Triton cannot tell which backend runs "${loc.dirName}": set backend (e.g. backend: "python") or platform, or add a model file such as model.onnx to the version folder.`);
  }
  return undefined;
}

/** Whether the served Python model defines auto_complete_config, with which the backend may fill in inputs and outputs. */
export async function pythonAutoCompletes(ctx: RuleContext, loc: ModelLocation, served: readonly number[]): Promise<boolean> {
  if (completedBackend(ctx) !== 'python' || served.length === 0) return false;
  const named = ctx.cfg.str('default_model_filename');
  const file = named !== undefined && named !== '' ? named : 'model.py';
  const bytes = await loc.fs.readFile(join(loc.modelDir, String(served[served.length - 1]), file));
  return bytes !== undefined && /^\s*def\s+auto_complete_config\s*\(/m.test(Buffer.from(bytes).toString('utf8'));
}

export async function checkModelFiles(ctx: RuleContext, loc: ModelLocation, served: readonly number[]): Promise<void> {
  if (ctx.platform === 'ensemble' || ctx.cfg.has('cc_model_filenames')) return;
  const paired = PLATFORM_BACKEND.get(ctx.platform);
  if (paired !== undefined && ctx.backend !== '' && paired !== ctx.backend) return; // the pair itself is the error
  const file = modelFileName(ctx);
  if (file === undefined) return;
  const at = ctx.cfg.scalar('default_model_filename')?.range ?? ctx.cfg.scalar('platform')?.range ?? ctx.cfg.scalar('backend')?.range ?? startRange(ctx);
  for (const v of served) {
    if (await loc.fs.exists(join(loc.modelDir, String(v), file))) continue;
    report(ctx, at, 'error', 'missing-model-file', `Version ${v} has no "${file}"; Triton looks for ${join(String(v), file)} in the model folder.`);
  }
}

export async function checkSideFiles(ctx: RuleContext, loc: ModelLocation): Promise<void> {
  for (const { node: o } of ctx.cfg.messages('output')) {
    const label = o.str('label_filename');
    const node = o.scalar('label_filename');
    if (label === undefined || label === '' || node === undefined || label.includes('..') || label.startsWith('/')) continue;
    if (!(await loc.fs.exists(join(loc.modelDir, label)))) {
      report(ctx, node.range, 'error', 'missing-label-file', `Label file "${label}" is not in the model folder ${basename(loc.modelDir)}/; Triton fails to load the model without it.`);
    }
  }
  for (const { node: w } of ctx.cfg.messages('model_warmup')) {
    for (const e of w.mapEntries('inputs')) {
      const f = e.entry.node.message('value')?.scalar('input_data_file');
      if (typeof f?.value !== 'string' || f.value === '') continue;
      if (!(await loc.fs.exists(join(loc.modelDir, 'warmup', f.value)))) {
        report(ctx, f.range, 'error', 'missing-warmup-file', `Warmup data file "${f.value}" is not in the model's warmup/ folder.`);
      }
    }
  }
  for (const { node: st } of ctx.cfg.message('sequence_batching')?.messages('state') ?? []) {
    for (const { node: init } of st.messages('initial_state')) {
      const f = init.scalar('data_file');
      if (typeof f?.value !== 'string' || f.value === '') continue;
      if (!(await loc.fs.exists(join(loc.modelDir, 'initial_state', f.value)))) {
        report(ctx, f.range, 'error', 'missing-state-file', `Initial state file "${f.value}" is not in the model's initial_state/ folder.`);
      }
    }
  }
}
