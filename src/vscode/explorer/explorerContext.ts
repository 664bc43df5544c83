// What explorer commands share: the services, the active server, and progress, cancellation and error
// reporting that carries the server's own reason with a "Show Logs" action.
import * as vscode from 'vscode';
import { LogsCommand } from '../../services/commandIds';
import type { ExplorerNode, ExplorerTree } from '../../services/explorerTree';
import type { ModelCatalog } from '../../services/modelCatalog';
import type { RefreshManager } from '../../services/refreshManager';
import type { WorkspaceModel, WorkspaceRepository } from '../../services/workspaceRepository';
import { TritonError } from '../../triton/errors';
import type { Logger } from '../log';
import type { VsCodeSecretStore, VsCodeServerSettings } from '../servers/serverStore';

export interface ExplorerContext {
  readonly log: Logger;
  readonly settings: VsCodeServerSettings;
  readonly secrets: VsCodeSecretStore;
  readonly catalog: ModelCatalog;
  readonly refresh: RefreshManager;
  readonly workspace: WorkspaceRepository;
  readonly tree: ExplorerTree;
  activeServerId(): string | undefined;
  setActiveServer(id: string): Promise<void>;
  /** Re-reads `triton.servers` into the catalog. */
  reloadServers(): void;
  /** Looks for model folders (config.pbtxt) in the workspace again. */
  rescanWorkspace(): Promise<void>;
}

/** The server's reason when there is one, else the error's own message. */
export function reasonOf(error: unknown): string {
  if (error instanceof TritonError) {
    const reason = error.serverMessage ?? error.message;
    return reason.replace(/;\s*$/, '').trim();
  }
  return error instanceof Error ? error.message : String(error);
}

/** The server a failure came from and when the request went out, so Show Logs can open its log there. */
export interface FailureOrigin {
  readonly serverId: string;
  readonly since: number;
}

export async function showFailure(ctx: ExplorerContext, what: string, error: unknown, origin?: FailureOrigin): Promise<void> {
  ctx.log.error(what, error);
  const pick = await vscode.window.showErrorMessage(`${what}: ${reasonOf(error)}`, 'Show Logs');
  if (pick === 'Show Logs') await showLogsFor(ctx, origin);
}

/** The server's own log at that time when it has a source; otherwise the extension's log, saying how to add one. */
export async function showLogsFor(ctx: Pick<ExplorerContext, 'log'>, origin: FailureOrigin | undefined): Promise<void> {
  if (origin === undefined) {
    ctx.log.show();
    return;
  }
  await vscode.commands.executeCommand(LogsCommand.showLogsForError, { serverId: origin.serverId, timeMs: origin.since });
}

/** Runs work with a cancellable progress notification; the signal aborts the request on cancel. */
export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      return await work(controller.signal);
    } finally {
      sub.dispose();
    }
  });
}

export interface ModelTarget {
  readonly serverId: string;
  readonly model: string;
  readonly version?: string;
}

/** The model a command acts on: the clicked node, else a pick among the active server's models. */
export async function resolveModelTarget(ctx: ExplorerContext, arg: unknown, placeHolder: string): Promise<ModelTarget | undefined> {
  const node = arg as Partial<ExplorerNode> | undefined;
  if (node !== undefined && typeof node.model === 'string') {
    const serverId = typeof node.serverId === 'string' ? node.serverId : ctx.activeServerId();
    if (serverId === undefined) throw new Error('no Triton server is configured; add one first');
    return { serverId, model: node.model, ...(typeof node.version === 'string' ? { version: node.version } : {}) };
  }
  const serverId = ctx.activeServerId();
  if (serverId === undefined) throw new Error('no Triton server is configured; add one first');
  let state = ctx.catalog.server(serverId);
  if (state?.models === undefined) {
    await ctx.refresh.request(serverId, 'manual');
    state = ctx.catalog.server(serverId);
  }
  const models = [...(state?.models?.values() ?? [])];
  if (models.length === 0) throw new Error(`server '${serverId}' lists no models${state?.health.problem ? ` (${state.health.problem.message})` : ''}`);
  const pick = await vscode.window.showQuickPick(models.map((m) => ({ label: m.name, description: m.state })), { placeHolder, title: `Models on ${serverId}` });
  return pick === undefined ? undefined : { serverId, model: pick.label };
}

/** The workspace model folder of a command's target: the clicked Workspace Repository row, else the folder of that name. */
export function workspaceModelOf(ctx: ExplorerContext, arg: unknown, name: string): WorkspaceModel | undefined {
  const data = (arg as { kind?: string; data?: unknown } | undefined);
  if (data?.kind === 'workspace-model') return data.data as WorkspaceModel;
  return ctx.workspace.find(name);
}
