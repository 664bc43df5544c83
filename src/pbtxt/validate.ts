// Entry point of config.pbtxt validation: syntax, schema, Triton's rules, and the repository on disk.
import { basename, dirname, join } from 'node:path';
import type { Diagnostic, ParsedDocument } from './ast';
import type { ConfigFs } from './configFs';
import { parse } from './parser';
import type { RuleContext } from './ruleContext';
import { checkBatchIo, checkMaxBatchSize, checkPlatformBackend, checkTensors } from './rulesIo';
import type { StepModel } from './rulesEnsemble';
import { checkEnsembleFlow, checkEnsembleSteps } from './rulesEnsemble';
import { checkOnnx, signatureOf } from './rulesOnnx';
import type { ModelLocation } from './rulesRepository';
import { checkBackendDetection, checkModelFiles, checkName, checkSideFiles, checkVersions, versionFolders } from './rulesRepository';
import {
  checkDynamicBatching, checkEnsemblePresence, checkInstanceGroups, checkMisc, checkSequenceBatching, checkVersionPolicy, checkWarmup,
} from './rulesScheduling';
import type { Schema } from './schema';
import { loadSchema } from './schema';
import { checkSchema } from './schemaCheck';
import { MessageView, dimsOf, viewOf } from './view';

export type { ConfigFs, DirEntry } from './configFs';

export interface ValidateOptions {
  /** Path of the config file; enables the rules that need the model folder's name. */
  filePath?: string;
  /** Enables the rules that read the repository (version folders, model files, ensemble steps). */
  fs?: ConfigFs;
  schema?: Schema;
  /** A document already parsed from the same text, to avoid parsing twice. */
  document?: ParsedDocument;
}

/** The model folder of a config: `<model>/config.pbtxt` or `<model>/configs/<name>.pbtxt`. */
export function modelDirOf(filePath: string): string {
  const dir = dirname(filePath);
  return basename(dir) === 'configs' ? dirname(dir) : dir;
}

const PLACEHOLDER = /\$\{[^}\n]{0,200}\}|\{\{[^}\n]{0,200}\}\}/g;

function placeholders(doc: ParsedDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  let ci = 0;
  for (const m of doc.text.matchAll(PLACEHOLDER)) {
    const start = m.index ?? 0;
    while (ci < doc.comments.length && doc.comments[ci].range.end.offset < start) ci++;
    const c = doc.comments[ci];
    if (c !== undefined && c.range.start.offset <= start && start <= c.range.end.offset) continue;
    out.push({
      range: { start: doc.positionAt(start), end: doc.positionAt(start + m[0].length) }, severity: 'error', code: 'template-placeholder',
      message: `Unfilled template placeholder ${m[0]}: replace it with a real value; Triton reads this file literally.`,
    });
  }
  return out;
}

function contextOf(doc: ParsedDocument, out: Diagnostic[], dirName: string | undefined): RuleContext {
  const cfg = viewOf(doc.root);
  return {
    doc, cfg, out,
    modelName: cfg.str('name') ?? dirName ?? 'the model',
    platform: cfg.str('platform') ?? '',
    backend: cfg.str('backend') ?? '',
    maxBatchSize: cfg.int('max_batch_size') ?? 0,
  };
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.range.start.offset - b.range.start.offset || a.range.end.offset - b.range.end.offset);
}

/** Checks that need only the text: syntax, schema and Triton's single-file rules. Synchronous. */
export function validateDocument(doc: ParsedDocument, schema: Schema = loadSchema(), filePath?: string): Diagnostic[] {
  const reported = new Set(doc.errors.filter((e) => e.code === 'template-placeholder').map((e) => e.range.start.offset));
  const holes = placeholders(doc).filter((h) => !reported.has(h.range.start.offset));
  const out: Diagnostic[] = [...holes, ...doc.errors, ...checkSchema(doc, schema)];
  const ctx = contextOf(doc, out, filePath === undefined ? undefined : basename(modelDirOf(filePath)));
  checkPlatformBackend(ctx);
  checkMaxBatchSize(ctx);
  checkTensors(ctx);
  checkBatchIo(ctx);
  checkEnsemblePresence(ctx);
  checkEnsembleFlow(ctx);
  checkDynamicBatching(ctx);
  checkSequenceBatching(ctx);
  checkInstanceGroups(ctx);
  checkVersionPolicy(ctx);
  checkWarmup(ctx);
  checkMisc(ctx);
  return sortDiagnostics(out);
}

/** Every check; with `filePath` and `fs`, also the ones that read the model repository. */
export async function validate(text: string, options: ValidateOptions = {}): Promise<Diagnostic[]> {
  const doc = options.document ?? parse(text);
  const schema = options.schema ?? loadSchema();
  const out = validateDocument(doc, schema, options.filePath);
  if (options.filePath === undefined || options.fs === undefined) return out;
  const modelDir = modelDirOf(options.filePath);
  const loc: ModelLocation = { modelDir, dirName: basename(modelDir), fs: options.fs };
  const ctx = contextOf(doc, out, loc.dirName);
  checkName(ctx, loc);
  const entries = await options.fs.readDir(modelDir);
  // A folder that cannot be read (an unsaved file, a virtual document) says nothing about the repository.
  if (entries === undefined) return sortDiagnostics(out);
  const served = checkVersions(ctx, entries);
  const detected = await checkBackendDetection(ctx, loc, served);
  await checkModelFiles(ctx, loc, served);
  await checkOnnx(ctx, loc, served, detected);
  await checkSideFiles(ctx, loc);
  await checkEnsembleSteps(ctx, stepModelLookup(options.fs, dirname(modelDir)));
  return sortDiagnostics(out);
}

/** Reads a composing model's config from the same repository, once per name. */
function stepModelLookup(fs: ConfigFs, repository: string): (name: string) => Promise<StepModel | 'missing' | undefined> {
  const cache = new Map<string, Promise<StepModel | 'missing' | undefined>>();
  const load = async (name: string): Promise<StepModel | 'missing' | undefined> => {
    if (name.includes('/') || name.includes('\\') || name === '..' || name === '.') return 'missing';
    const dir = join(repository, name);
    if (!(await fs.exists(dir))) return 'missing';
    const listing = await fs.readDir(dir);
    const versions = listing === undefined ? undefined : versionFolders(listing);
    const bytes = await fs.readFile(join(dir, 'config.pbtxt'));
    if (bytes === undefined) return { maxBatchSize: 0, inputs: new Map(), outputs: new Map(), complete: false, versions };
    const cfg = new MessageView(parse(Buffer.from(bytes).toString('utf8')).root);
    const inputs: StepModel['inputs'] = new Map();
    const outputs: StepModel['outputs'] = new Map();
    for (const { node } of cfg.messages('input')) {
      inputs.set(node.str('name') ?? '', { dataType: node.ident('data_type'), dims: dimsOf(node, 'dims'), optional: node.bool('optional') });
    }
    for (const { node } of cfg.messages('output')) outputs.set(node.str('name') ?? '', { dataType: node.ident('data_type'), dims: dimsOf(node, 'dims') });
    const maxBatchSize = cfg.int('max_batch_size') ?? 0;
    if (inputs.size === 0 && outputs.size === 0 && versions !== undefined && versions.length > 0) {
      // The config leaves inputs and outputs to ONNX Runtime's auto-complete: take them from the model file.
      const backend = cfg.str('backend') ?? '';
      const platform = cfg.str('platform') ?? '';
      const onnx = platform === 'onnxruntime_onnx' || backend === 'onnxruntime' || (platform === '' && backend === '');
      const file = join(String(versions[versions.length - 1]), cfg.str('default_model_filename') || 'model.onnx');
      const loc = { modelDir: dir, dirName: name, fs };
      const sig = onnx ? await signatureOf(loc, file).catch(() => undefined) ?? await signatureOf(loc, join(file, basename(file))).catch(() => undefined) : undefined;
      if (sig !== undefined) {
        const all = [...sig.inputs, ...sig.outputs];
        const batched = maxBatchSize > 0 || (!cfg.has('max_batch_size') && all.length > 0 && all.every((t) => t.dims?.[0] === -1));
        const dims = (d: number[] | undefined): number[] => (d === undefined ? [] : batched ? d.slice(1) : d);
        for (const t of sig.inputs) inputs.set(t.name, { dataType: t.dataType, dims: dims(t.dims), optional: false });
        for (const t of sig.outputs) outputs.set(t.name, { dataType: t.dataType, dims: dims(t.dims) });
      }
    }
    return { maxBatchSize, inputs, outputs, complete: inputs.size > 0 || outputs.size > 0, versions };
  };
  return (name) => {
    let p = cache.get(name);
    if (p === undefined) cache.set(name, (p = load(name)));
    return p;
  };
}
