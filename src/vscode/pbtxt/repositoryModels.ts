// What completion needs from the model repository around a config: sibling models and their tensors.
import * as vscode from 'vscode';
import type { CompletionEnvironment } from '../../pbtxt/completion';
import { parse } from '../../pbtxt/parser';
import { MessageView } from '../../pbtxt/view';

/** Configs larger than this are not read for tensor names. */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** At most this many step models are looked up per completion. */
const MAX_STEP_MODELS = 50;

/** The model folder of a config: `<model>/config.pbtxt` or `<model>/configs/<x>.pbtxt`. */
function modelDirOf(config: vscode.Uri): vscode.Uri {
  const dir = vscode.Uri.joinPath(config, '..');
  return baseName(dir) === 'configs' ? vscode.Uri.joinPath(dir, '..') : dir;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').filter((p) => p !== '').pop() ?? '';
}

export async function completionEnvironment(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<CompletionEnvironment> {
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
  const tensors = new Map<string, { inputs: string[]; outputs: string[] }>();
  await Promise.all([...wanted].map(async (model) => {
    const found = await readTensors(vscode.Uri.joinPath(repo, model, 'config.pbtxt'));
    if (found !== undefined) tensors.set(model, found);
  }));
  if (token.isCancellationRequested) return {};
  return { modelNames, tensorsOf: (model) => tensors.get(model) };
}

async function readTensors(uri: vscode.Uri): Promise<{ inputs: string[]; outputs: string[] } | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_CONFIG_BYTES) return undefined;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open?.getText() ?? Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    const cfg = new MessageView(parse(text).root);
    const names = (kind: string): string[] => cfg.messages(kind).map((e) => e.node.str('name')).filter((n): n is string => n !== undefined && n !== '');
    return { inputs: names('input'), outputs: names('output') };
  } catch {
    return undefined;
  }
}
