// Diff Server Config with Workspace config.pbtxt: normalised by default (only real differences
// show), with editor title buttons to switch between that and the raw effective config.
import * as vscode from 'vscode';
import type { WorkspaceModel } from '../../services/workspaceRepository';
import type { ExplorerContext, ModelTarget } from './explorerContext';
import { resolveModelTarget, workspaceModelOf } from './explorerContext';
import type { ServerDocumentProvider } from './virtualDocuments';
import { configScheme, documentUri, openConfigDocument, parseDocumentUri, readDocument } from './virtualDocuments';

type Handler = (ctx: ExplorerContext, ...args: unknown[]) => Promise<unknown>;

interface DiffSubject {
  readonly target: ModelTarget;
  readonly local: WorkspaceModel;
}

async function openDiff(ctx: ExplorerContext, docs: ServerDocumentProvider, { target, local }: DiffSubject, normalized: boolean): Promise<boolean> {
  const left = documentUri(normalized ? 'normalized' : 'config', target.serverId, target.model, normalized ? local.configPath : undefined);
  if (!(await readDocument(ctx, docs, left, 'the config', target))) return false;
  await openConfigDocument(left);
  let right = vscode.Uri.file(local.configPath);
  if (normalized) {
    right = documentUri('workspaceNormalized', target.serverId, target.model, local.configPath);
    docs.reload(right);
    await openConfigDocument(right);
  }
  const title = `${target.model}: server ${target.serverId} ↔ workspace${normalized ? ' (normalised)' : ' (raw)'}`;
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
  return true;
}

/**
 * The model and workspace file of the diff a title button or palette command is about: from the
 * Uri VS Code passes (either side), else from the active diff tab.
 */
function subjectOfDiff(ctx: ExplorerContext, arg: unknown): DiffSubject | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const candidates = [arg instanceof vscode.Uri ? arg : undefined, ...(input instanceof vscode.TabInputTextDiff ? [input.original, input.modified] : [])];
  for (const uri of candidates) {
    if (uri === undefined) continue;
    if (uri.scheme === configScheme) {
      const a = parseDocumentUri(uri);
      const local = a.workspacePath !== undefined ? ctx.workspace.modelForPath(a.workspacePath) : ctx.workspace.find(a.model);
      if (local !== undefined) return { target: { serverId: a.serverId, model: a.model }, local };
    }
  }
  // A raw diff's right side is the workspace file itself; its left side names the server.
  for (const uri of candidates) {
    if (uri?.scheme !== 'file') continue;
    const local = ctx.workspace.modelForPath(uri.fsPath);
    const serverId = ctx.activeServerId();
    if (local !== undefined && local.configPath === uri.fsPath && serverId !== undefined) return { target: { serverId, model: local.name }, local };
  }
  return undefined;
}

function fromActiveDiff(documents: ServerDocumentProvider, normalized: boolean): Handler {
  return async (ctx, arg) => {
    const subject = subjectOfDiff(ctx, arg);
    if (subject === undefined) {
      void vscode.window.showWarningMessage('Open a diff of a server config with a workspace config.pbtxt first (Diff Server Config with Workspace config.pbtxt).');
      return false;
    }
    return openDiff(ctx, documents, subject, normalized);
  };
}

export function diffHandlers(documents: ServerDocumentProvider): Record<string, Handler> {
  return {
    'triton.diffWithLocalConfig': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model to compare with its workspace config.pbtxt');
      if (target === undefined) return false;
      const local = workspaceModelOf(ctx, arg, target.model);
      if (local === undefined) {
        void vscode.window.showWarningMessage(`No workspace folder named '${target.model}' holds a config.pbtxt to compare with.`);
        return false;
      }
      return openDiff(ctx, documents, { target, local }, true);
    },
    'triton.diffRawConfig': fromActiveDiff(documents, false),
    'triton.diffNormalizedConfig': fromActiveDiff(documents, true),
  };
}
