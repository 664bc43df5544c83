// Model actions of the explorer: refresh, load/unload/reload (also with the workspace config.pbtxt as
// an override), server config / diff / metadata / statistics documents, and Copy as curl.
import * as vscode from 'vscode';
import { ConfigOverrideError, pbtxtToConfigJson } from '../../services/configOverride';
import { buildCurlCommand, secretEnvNames } from '../../services/curlRequest';
import { readSecretHeaders } from '../../services/serverConfig';
import type { WorkspaceModel } from '../../services/workspaceRepository';
import type { ExplorerContext, ModelTarget } from './explorerContext';
import { resolveModelTarget, showFailure, showLogsFor, withCancellableProgress } from './explorerContext';
import type { InfoKind, ServerDocumentProvider } from './virtualDocuments';
import { documentUri } from './virtualDocuments';

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

function workspaceModelOf(ctx: ExplorerContext, arg: unknown, name: string): WorkspaceModel | undefined {
  const data = (arg as { kind?: string; data?: unknown } | undefined);
  if (data?.kind === 'workspace-model') return data.data as WorkspaceModel;
  return ctx.workspace.find(name);
}

/** The workspace config.pbtxt as the user sees it: the open editor's buffer when there is one (saved or not). */
async function localConfigText(configPath: string): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === configPath);
  if (open !== undefined) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(configPath)));
}

async function openDocument(ctx: ExplorerContext, docs: ServerDocumentProvider, kind: InfoKind, target: ModelTarget): Promise<vscode.TextEditor | undefined> {
  const uri = documentUri(kind, target.serverId, target.model);
  try {
    await withCancellableProgress(`Reading ${kind} of '${target.model}' from ${target.serverId}`, (signal) => docs.fetch(uri, signal));
  } catch (error) {
    await showFailure(ctx, `Reading ${kind} of '${target.model}' from ${target.serverId} failed`, error);
    return undefined;
  }
  docs.reload(uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: true });
}

export function modelHandlers(docs: ServerDocumentProvider): Record<string, Handler> {
  return {
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
      const target = await resolveModelTarget(ctx, arg, 'Model to load with its workspace config.pbtxt');
      if (target === undefined || !controlAllowed(ctx, target, 'load')) return false;
      const local = workspaceModelOf(ctx, arg, target.model);
      if (local === undefined) {
        void vscode.window.showWarningMessage(`No workspace folder named '${target.model}' holds a config.pbtxt.`);
        return false;
      }
      let config: string;
      try {
        config = JSON.stringify(pbtxtToConfigJson(await localConfigText(local.configPath)));
      } catch (error) {
        const where = error instanceof ConfigOverrideError ? `${local.displayPath}/config.pbtxt:${error.line}:${error.column}` : `${local.displayPath}/config.pbtxt`;
        await showFailure(ctx, `Cannot send ${where} as a config override`, error instanceof ConfigOverrideError ? new Error(error.message.replace(/^\d+:\d+: /, '')) : error);
        return false;
      }
      return runLoad(ctx, target, 'Loading', config);
    },
    'triton.showServerConfig': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model whose server config to show');
      return target && openDocument(ctx, docs, 'config.pbtxt', target);
    },
    'triton.showModelMetadata': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model whose metadata to show');
      return target && openDocument(ctx, docs, 'metadata.json', target);
    },
    'triton.showStatistics': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model whose statistics to show');
      return target && openDocument(ctx, docs, 'statistics.md', target);
    },
    'triton.diffWithLocalConfig': async (ctx, arg) => {
      const target = await resolveModelTarget(ctx, arg, 'Model to compare with its workspace config.pbtxt');
      if (target === undefined) return;
      const local = workspaceModelOf(ctx, arg, target.model);
      if (local === undefined) {
        void vscode.window.showWarningMessage(`No workspace folder named '${target.model}' holds a config.pbtxt to compare with.`);
        return;
      }
      const left = documentUri('config.pbtxt', target.serverId, target.model);
      try {
        await withCancellableProgress(`Reading the config of '${target.model}' from ${target.serverId}`, (signal) => docs.fetch(left, signal));
      } catch (error) {
        await showFailure(ctx, `Reading the config of '${target.model}' from ${target.serverId} failed`, error);
        return;
      }
      docs.reload(left);
      await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.file(local.configPath), `${target.model}: server ${target.serverId} ↔ workspace`);
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
