// Entry point of config.pbtxt validation: syntax, schema, Triton's rules, and the repository on disk.
import { basename, dirname } from 'node:path';
import type { Diagnostic, ParsedDocument } from './ast';
import type { ConfigFs } from './configFs';
import { parse } from './parser';
import type { RuleContext } from './ruleContext';
import { checkBatchIo, checkMaxBatchSize, checkPlatformBackend, checkTensors } from './rulesIo';
import { checkEnsembleFlow, checkEnsembleSteps } from './rulesEnsemble';
import { checkOnnx } from './rulesOnnx';
import type { ModelLocation } from './rulesRepository';
import { checkBackendDetection, checkModelFiles, checkName, checkSideFiles, checkVersions } from './rulesRepository';
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
