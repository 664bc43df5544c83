// Model actions of the explorer: refresh, load/unload/reload (also with the workspace config.pbtxt as
// an override), server config / diff / metadata / statistics documents, and Copy as curl.
import * as vscode from 'vscode';
import { ConfigOverrideError, pbtxtToConfigJson } from '../../services/configOverride';
import { buildCurlCommand, secretEnvNames } from '../../services/curlRequest';
import { readSecretHeaders } from '../../services/serverConfig';
import type { WorkspaceModel } from '../../services/workspaceRepository';
import type { ExplorerContext, ModelTarget } from './explorerContext';
import { reasonOf, resolveModelTarget, showFailure, showLogsFor, withCancellableProgress, workspaceModelOf } from './explorerContext';
import { diffHandlers } from './configDiff';
import type { InfoKind, ServerDocumentProvider } from './virtualDocuments';
import { documentUri, openConfigDocument, readDocument, workspaceConfigText } from './virtualDocuments';

type Handler = (ctx: ExplorerContext, ...args: unknown[]) => Promise<unknown>;

function controlAllowed(ctx: ExplorerContext, target: ModelTarget, action: string): boolean {
  if (ctx.catalog.server(target.serverId)?.control !== 'forbidden') return true;
  void vscode.window.showWarningMessage(`Cannot ${action} '${target.model}': server '${target.serverId}' does not allow loading or unloading models (start it with --model-control-mode=explicit).`);
  return false;
}

async function runLoad(ctx: ExplorerContext, target: ModelTarget, verb: 'Loading' | 'Reloading' | 'Unloading', config?: string): Promise<boolean> {
  const title = `${verb} '${target.model}' on ${target.serverId}${config !== undefined ? ' with the workspace config.pbtxt' : ''}`;
  const origin = { serverId: target.serverId, since: Date.now() };
  try {
    const entry = await withCancellableProgress(title, (signal) =>
      verb === 'Unloading' ? ctx.catalog.unload(target.serverId, target.model, signal) : ctx.catalog.load(target.serverId, target.model, config, signal));
    ctx.log.info(`${title}: ${entry?.state ?? 'gone'}`);
    if (verb !== 'Unloading' && entry !== undefined && entry.state !== 'READY') {
      void vscode.window.showWarningMessage(`'${target.model}' is ${entry.state} after loading${entry.reason ? `: ${entry.reason}` : ''}`, 'Show Logs').then((pick) => {
        if (pick === 'Show Logs') void showLogsFor(ctx, origin);
      });
    }
    return true;
  } catch (error) {
    await showFailure(ctx, `${title} failed`, error, origin);
    return false;
  }
}

/**
 * The workspace model whose config.pbtxt a command was run on: the file of the editor context menu
 * (VS Code passes its Uri), else, from the palette, the active editor's file. Undefined when that
 * file is not a model folder's config.pbtxt.
 */
function editorModel(ctx: ExplorerContext, arg: unknown): WorkspaceModel | undefined {
  const uri = arg instanceof vscode.Uri ? arg : arg === undefined ? vscode.window.activeTextEditor?.document.uri : undefined;
  if (uri?.scheme !== 'file') return undefined;
  const model = ctx.workspace.modelForPath(uri.fsPath);
  return model?.configPath === uri.fsPath ? model : undefined;
}

const what: Record<InfoKind, string> = { config: 'the config', normalized: 'the config', workspaceNormalized: 'the config', metadata: 'the metadata', statistics: 'the statistics' };

async function openDocument(ctx: ExplorerContext, docs: ServerDocumentProvider, kind: 'config' | 'metadata', target: ModelTarget): Promise<vscode.TextEditor | undefined> {
  const uri = documentUri(kind, target.serverId, target.model);
  if (!(await readDocument(ctx, docs, uri, what[kind], target))) return undefined;
  const doc = kind === 'config' ? await openConfigDocument(uri) : await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: true });
}

/** Statistics are a Markdown report: shown rendered, in the Markdown preview. */
async function showStatistics(ctx: ExplorerContext, docs: ServerDocumentProvider, target: ModelTarget): Promise<vscode.TextDocument | undefined> {
  const uri = documentUri('statistics', target.serverId, target.model);
  if (!(await readDocument(ctx, docs, uri, what.statistics, target))) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch (error) {
    // Without the built-in Markdown extension the source is still readable.
    ctx.log.warn(`Markdown preview unavailable (${reasonOf(error)}); showing the statistics as text`);
    await vscode.window.showTextDocument(doc, { preview: true });
  }
  return doc;
}

export function modelHandlers(docs: ServerDocumentProvider): Record<string, Handler> {
  return {
    ...diffHandlers(docs),
    'triton.refresh': async (ctx) => {
      ctx.reloadServers();
      // File watchers can miss files created inside new folders; a manual refresh looks again.
      await Promise.all([ctx.refresh.refreshAll('manual'), ctx.rescanWorkspace()]);
    },
    'triton.refreshServer': async (ctx, arg) => {
      const id = (arg as { serverId?: string } | undefined)?.serverId ?? ctx.activeServerId();
      if (id !== undefined) await ctx.refresh.request(id, 'manual');
    },
    'triton.refreshModel': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model to refresh');
      if (target === undefined) return;
      const result = await ctx.catalog.refreshModel(target.serverId, target.model);
      if (result === 'gone') void vscode.window.showInformationMessage(`'${target.model}' is no longer in the repository of ${target.serverId}.`);
    },
    'triton.loadModel': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model to load');
      if (target !== undefined && controlAllowed(ctx, target, 'load')) return runLoad(ctx, target, 'Loading');
      return false;
    },
    'triton.reloadModel': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model to reload');
      if (target !== undefined && controlAllowed(ctx, target, 'reload')) return runLoad(ctx, target, 'Reloading');
      return false;
    },
    'triton.unloadModel': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model to unload');
      if (target !== undefined && controlAllowed(ctx, target, 'unload')) return runLoad(ctx, target, 'Unloading');
      return false;
    },
    'triton.loadModelWithLocalConfig': async (ctx, arg) => {
      const fromEditor = editorModel(ctx, arg);
      if (arg instanceof vscode.Uri && fromEditor === undefined) {
        void vscode.window.showWarningMessage(`${arg.fsPath} is not the config.pbtxt of a model folder in the workspace.`);
        return false;
      }
      const active = ctx.activeServerId();
      const target = fromEditor !== undefined && active !== undefined
        ? { serverId: active, model: fromEditor.name }
        : await resolveModelTarget(ctx, arg instanceof vscode.Uri ? undefined : arg, 'Model to load with its workspace config.pbtxt');
      if (target === undefined || !controlAllowed(ctx, target, 'load')) return false;
      const local = fromEditor ?? workspaceModelOf(ctx, arg, target.model);
      if (local === undefined) {
        void vscode.window.showWarningMessage(`No workspace folder named '${target.model}' holds a config.pbtxt.`);
        return false;
      }
      let config: string;
      try {
        config = JSON.stringify(pbtxtToConfigJson(await workspaceConfigText(local.configPath)));
      } catch (error) {
        const where = error instanceof ConfigOverrideError ? `${local.displayPath}/config.pbtxt:${error.line}:${error.column}` : `${local.displayPath}/config.pbtxt`;
        await showFailure(ctx, `Cannot send ${where} as a config override`, error instanceof ConfigOverrideError ? new Error(error.message.replace(/^\d+:\d+: /, '')) : error);
        return false;
      }
      return runLoad(ctx, target, 'Loading', config);
    },
    'triton.showServerConfig': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model whose server config to show');
      return target && openDocument(ctx, docs, 'config', target);
    },
    'triton.showModelMetadata': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model whose metadata to show');
      return target && openDocument(ctx, docs, 'metadata', target);
    },
    'triton.showStatistics': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model whose statistics to show');
      return target && showStatistics(ctx, docs, target);
    },
    'triton.copyCurl': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model to build a curl request for');
      if (target === undefined) return undefined;
      const server = ctx.catalog.server(target.serverId);
      if (server === undefined) return undefined;
      try {
        const meta = await ctx.catalog.metadata(target.serverId, target.model, target.version);
        const secretNames = Object.keys(await readSecretHeaders(ctx.secrets, server.config));
        const command = buildCurlCommand(meta, { httpUrl: server.config.httpUrl, ...(target.version !== undefined ? { version: target.version } : {}), headers: server.config.headers ?? {}, secretHeaderNames: secretNames });
        await vscode.env.clipboard.writeText(command);
        const envNames = [...secretEnvNames(secretNames).values()];
        void vscode.window.showInformationMessage(`curl request for '${target.model}' copied${envNames.length > 0 ? ` (set ${envNames.map((n) => `$${n}`).join(', ')} first)` : ''}.`);
        return command;
      } catch (error) {
        await showFailure(ctx, `Building a curl request for '${target.model}' failed`, error);
        return undefined;
      }
    },
    'triton.openWorkspaceModel': async (_ctx, arg) => {
      const m = (arg as { data?: WorkspaceModel } | undefined)?.data;
      if (m?.configPath !== undefined) await vscode.window.showTextDocument(vscode.Uri.file(m.configPath));
    },
  };
}
