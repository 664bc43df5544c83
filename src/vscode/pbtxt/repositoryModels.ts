// The model repository around a config, read through the workspace file system: sibling models, the
// signatures of the models an ensemble calls, and the files config fields may name.
import * as vscode from 'vscode';
import type { ModelFiles, ModelSummary, RepositoryEnvironment } from '../../pbtxt/repositoryModel';
import { summarizeModel } from '../../pbtxt/repositoryModel';

/** Configs larger than this are not read for tensor names. */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** At most this many step models are looked up per request. */
const MAX_STEP_MODELS = 50;

/** The model folder of a config: `<model>/config.pbtxt` or `<model>/configs/<x>.pbtxt`. */
export function modelDirOf(config: vscode.Uri): vscode.Uri {
  const dir = vscode.Uri.joinPath(config, '..');
  return baseName(dir) === 'configs' ? vscode.Uri.joinPath(dir, '..') : dir;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').filter((p) => p !== '').pop() ?? '';
}

/** Hovering and completing in a row reuse one look at the repository for a short while. */
const REUSE_MS = 3000;
let recent: { key: string; at: number; env: Promise<RepositoryEnvironment> } | undefined;

export function repositoryEnvironment(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<RepositoryEnvironment> {
  const key = `${document.uri.toString()}@${document.version}`;
  if (recent !== undefined && recent.key === key && Date.now() - recent.at < REUSE_MS) return recent.env;
  const env = readEnvironment(document);
  recent = { key, at: Date.now(), env };
  return env.then((e) => (token.isCancellationRequested ? {} : e));
}

async function readEnvironment(document: vscode.TextDocument): Promise<RepositoryEnvironment> {
  if (document.uri.scheme === 'untitled') return {};
  const modelDir = modelDirOf(document.uri);
  const own = baseName(modelDir);
  const repo = vscode.Uri.joinPath(modelDir, '..');
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(repo);
  } catch {
    return {};
  }
  const modelNames = entries
    .filter(([name, type]) => type === vscode.FileType.Directory && !name.startsWith('.') && name !== own)
    .map(([name]) => name)
    .sort();
  const wanted = new Set<string>();
  for (const m of document.getText().matchAll(/model_name\s*:\s*"([^"\\\n]{1,200})"/g)) {
    if (modelNames.includes(m[1])) wanted.add(m[1]);
    if (wanted.size >= MAX_STEP_MODELS) break;
  }
  const models = new Map<string, ModelSummary>();
  await Promise.all([...wanted].map(async (model) => {
    const text = await readConfig(vscode.Uri.joinPath(repo, model, 'config.pbtxt'));
    if (text !== undefined) models.set(model, summarizeModel(model, text));
  }));
  return { modelNames, modelOf: (model) => models.get(model), files: await modelFiles(modelDir) };
}

/** Entries listed per folder at most; a model folder with more is not one people type names from. */
const MAX_LISTED = 500;

async function list(dir: vscode.Uri, filesOnly: boolean): Promise<[string, vscode.FileType][]> {
  try {
    const entries = await vscode.workspace.fs.readDirectory(dir);
    return entries.filter(([name, type]) => !name.startsWith('.') && (!filesOnly || type === vscode.FileType.File)).slice(0, MAX_LISTED);
  } catch {
    return [];
  }
}

/** The highest version folder's name, as Triton picks it; undefined when there is none. */
export async function highestVersion(modelDir: vscode.Uri): Promise<string | undefined> {
  return highestOf(await list(modelDir, false));
}

function highestOf(top: readonly [string, vscode.FileType][]): string | undefined {
  // Version folders as Triton reads them: digits, no leading zero (except "0" itself).
  const versions = top.filter(([name, type]) => type === vscode.FileType.Directory && /^(0|[1-9]\d*)$/.test(name)).map(([name]) => Number(name));
  return versions.length === 0 ? undefined : String(Math.max(...versions));
}

async function modelFiles(modelDir: vscode.Uri): Promise<ModelFiles> {
  const top = await list(modelDir, false);
  const highest = highestOf(top);
  // Only folders that exist are read: a missing one would be logged as a failure by the file system.
  const sub = (name: string | undefined, filesOnly: boolean): Promise<[string, vscode.FileType][]> =>
    name !== undefined && top.some(([n, type]) => n === name && type === vscode.FileType.Directory)
      ? list(vscode.Uri.joinPath(modelDir, name), filesOnly)
      : Promise.resolve([]);
  const [version, warmup, initialState] = await Promise.all([sub(highest, false), sub('warmup', true), sub('initial_state', true)]);
  const names = (entries: [string, vscode.FileType][]): string[] => entries.map(([name]) => name).sort();
  return {
    model: names(top.filter(([, type]) => type === vscode.FileType.File)).filter((n) => n !== 'config.pbtxt'),
    version: names(version),
    warmup: names(warmup),
    initialState: names(initialState),
  };
}

/** An open editor's text wins over the file on disk, so unsaved signatures are seen. */
async function readConfig(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open !== undefined) return open.getText();
  try {
    if ((await vscode.workspace.fs.stat(uri)).size > MAX_CONFIG_BYTES) return undefined;
    return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  } catch {
    return undefined;
  }
}
