// The model repository around a config, read through the workspace file system: sibling models and
// the signatures of the models an ensemble calls.
import * as vscode from 'vscode';
import type { ModelSummary, RepositoryEnvironment } from '../../pbtxt/repositoryModel';
import { summarizeModel } from '../../pbtxt/repositoryModel';

/** Configs larger than this are not read for tensor names. */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** At most this many step models are looked up per request. */
const MAX_STEP_MODELS = 50;

/** The model folder of a config: `<model>/config.pbtxt` or `<model>/configs/<x>.pbtxt`. */
function modelDirOf(config: vscode.Uri): vscode.Uri {
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
  return { modelNames, modelOf: (model) => models.get(model) };
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
