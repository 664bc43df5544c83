// Entry point of config.pbtxt validation: syntax, schema, Triton's rules, and the repository on disk.
import { basename, dirname } from 'node:path';
import type { Diagnostic, ParsedDocument } from './ast';
import type { ConfigFs } from './configFs';
import { parse } from './parser';
import type { OnnxSignature, OnnxTensor } from './onnxModel';
import type { DetectedModel, RuleContext } from './ruleContext';
import { formatDims } from './ruleContext';
import { checkBatchIo, checkMaxBatchSize, checkPlatformBackend, checkTensors } from './rulesIo';
import { checkEnsembleFlow, checkEnsembleSteps } from './rulesEnsemble';
import { checkOnnx } from './rulesOnnx';
import type { ModelLocation } from './rulesRepository';
import { checkBackendDetection, checkModelFiles, checkName, checkSideFiles, checkVersions, pythonAutoCompletes } from './rulesRepository';
import {
  checkDynamicBatching, checkEnsemblePresence, checkInstanceGroups, checkMisc, checkSequenceBatching, checkVersionPolicy, checkWarmup,
} from './rulesScheduling';
import type { Schema } from './schema';
import { loadSchema } from './schema';
import { checkSchema } from './schemaCheck';
import { stepModelLookup } from './stepModels';
import { viewOf } from './view';

export type { ConfigFs, DirEntry } from './configFs';

export interface ValidateOptions {
  /** Path of the config file; enables the rules that need the model folder's name. */
  filePath?: string;
  /** Enables the rules that read the repository (version folders, model files, ensemble steps). */
  fs?: ConfigFs;
  schema?: Schema;
  /** A document already parsed from the same text, to avoid parsing twice. */
  document?: ParsedDocument;
  /**
   * Whether the server completes configs from the model (tritonserver's default). False stands for
   * `--disable-auto-complete-config`: inputs and outputs without data_type or dims are then errors.
   */
  autoCompleteConfig?: boolean;
}

/** What the model folder tells the single-file rules. */
export interface RepositoryFacts {
  autoComplete: boolean;
  detected?: DetectedModel;
  pythonAutoComplete?: boolean;
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

function contextOf(doc: ParsedDocument, out: Diagnostic[], dirName: string | undefined, facts: RepositoryFacts): RuleContext {
  const cfg = viewOf(doc.root);
  return {
    doc, cfg, out,
    modelName: cfg.str('name') ?? dirName ?? 'the model',
    platform: cfg.str('platform') ?? '',
    backend: cfg.str('backend') ?? '',
    maxBatchSize: cfg.int('max_batch_size') ?? 0,
    autoComplete: facts.autoComplete,
    ...(facts.detected !== undefined ? { detected: facts.detected } : {}),
    ...(facts.pythonAutoComplete !== undefined ? { pythonAutoComplete: facts.pythonAutoComplete } : {}),
  };
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.range.start.offset - b.range.start.offset || a.range.end.offset - b.range.end.offset);
}

/** Checks that need only the text: syntax, schema and Triton's single-file rules. Synchronous. */
export function validateDocument(doc: ParsedDocument, schema: Schema = loadSchema(), filePath?: string, facts: RepositoryFacts = { autoComplete: true }): Diagnostic[] {
  const reported = new Set(doc.errors.filter((e) => e.code === 'template-placeholder').map((e) => e.range.start.offset));
  const holes = placeholders(doc).filter((h) => !reported.has(h.range.start.offset));
  const out: Diagnostic[] = [...holes, ...doc.errors, ...checkSchema(doc, schema)];
  const ctx = contextOf(doc, out, filePath === undefined ? undefined : basename(modelDirOf(filePath)), facts);
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
  const facts: RepositoryFacts = { autoComplete: options.autoCompleteConfig !== false };
  if (options.filePath === undefined || options.fs === undefined) return validateDocument(doc, schema, options.filePath, facts);
  const modelDir = modelDirOf(options.filePath);
  const loc: ModelLocation = { modelDir, dirName: basename(modelDir), fs: options.fs };
  // The folder goes first: the model file may decide the platform and backend the single-file rules check against.
  const found: Diagnostic[] = [];
  const ctx = contextOf(doc, found, loc.dirName, facts);
  checkName(ctx, loc);
  const entries = await options.fs.readDir(modelDir);
  // A folder that cannot be read (an unsaved file, a virtual document) says nothing about the repository.
  if (entries === undefined) return sortDiagnostics([...validateDocument(doc, schema, options.filePath, facts), ...found]);
  const served = checkVersions(ctx, entries);
  const detected = await checkBackendDetection(ctx, loc, served);
  if (detected !== undefined) ctx.detected = detected;
  ctx.pythonAutoComplete = await pythonAutoCompletes(ctx, loc, served);
  const out = validateDocument(doc, schema, options.filePath, { ...facts, ...(detected !== undefined ? { detected } : {}), pythonAutoComplete: ctx.pythonAutoComplete });
  out.push(...found);
  ctx.out = out;
  await checkModelFiles(ctx, loc, served);
  const signature = await checkOnnx(ctx, loc, served, detected?.backend);
  if (signature !== undefined) withSignature(out, signature);
  await checkSideFiles(ctx, loc);
  await checkEnsembleSteps(ctx, stepModelLookup(options.fs, dirname(modelDir)));
  return sortDiagnostics(out);
}

/**
 * With the ONNX signature at hand: an auto-completed tensor's note names what the backend fills in, and
 * a leading -1 that the model really has as a second variable dimension is no doubled batch dimension.
 */
function withSignature(out: Diagnostic[], signature: OnnxSignature): void {
  const tensorOf = (d: Diagnostic): OnnxTensor | undefined => {
    const kind = d.data?.kind;
    const list = kind === 'input' ? signature.inputs : kind === 'output' ? signature.outputs : [];
    return list.find((t) => t.name === d.data?.tensor);
  };
  for (let i = out.length - 1; i >= 0; i--) {
    const d = out[i];
    const t = tensorOf(d);
    if (t === undefined) continue;
    if (d.code === 'autofill-data-type' && t.dataType !== undefined) d.message = d.message.replace(' from the model file', ` (${t.dataType}) from the model file`);
    if (d.code === 'autofill-dims' && t.dims !== undefined) d.message = d.message.replace(' from the model file', ` (model shape ${formatDims(t.dims)}) from the model file`);
    if (d.code === 'batch-dim-twice' && t.dims !== undefined && Array.isArray(d.data?.dims) && t.dims.length === d.data.dims.length + 1) out.splice(i, 1);
  }
}
