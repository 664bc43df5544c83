// Wires the model explorer: settings and secrets, catalog and refresh manager, the tree view, the
// status bar, server documents and commands. Returns the explorer's part of the extension API.
import * as vscode from 'vscode';
import { createClientFor } from '../../services/clientFactory';
import type { CatalogChange, HealthState } from '../../services/catalogTypes';
import { registerExplorerNodes } from '../../services/explorerNodes';
import { ExplorerTree } from '../../services/explorerTree';
import type { ExplorerNode } from '../../services/explorerTree';
import { ModelCatalog } from '../../services/modelCatalog';
import { RefreshManager } from '../../services/refreshManager';
import { parseServerSettings } from '../../services/serverConfig';
import { WorkspaceRepository } from '../../services/workspaceRepository';
import type { Logger } from '../log';
import { serverHandlers } from '../servers/serverCommands';
import { ServerStatusBar } from '../servers/statusBar';
import { VsCodeSecretStore, VsCodeServerSettings } from '../servers/serverStore';
import type { SnapshotNode } from '../tree/modelTreeProvider';
import { ModelTreeProvider } from '../tree/modelTreeProvider';
import type { ExplorerContext } from './explorerContext';
import { reasonOf, showLogsFor } from './explorerContext';
import { modelHandlers } from './modelCommands';
import { reportServerLoadErrors } from '../pbtxt/serverDiagnostics';
import { configScheme, infoScheme, ServerDocumentProvider } from './virtualDocuments';

export interface ExplorerApi {
  /** What the Models view shows, read through the real provider's getChildren/getTreeItem. */
  snapshot(maxDepth?: number): Promise<SnapshotNode[]>;
  /** Refreshes one server (or all) now, through the refresh manager. */
  refresh(serverId?: string): Promise<void>;
  activeServerId(): string | undefined;
  statusBarText(): string;
  /** The status bar tooltip's Markdown source. */
  statusBarTooltip(): string | undefined;
  /** Called with the id of each node the view is told to redraw (undefined: the whole view). */
  onDidRedraw(listener: (id: string | undefined) => void): vscode.Disposable;
  /** Completed refresh runs of a server (shows coalescing). */
  refreshRuns(serverId: string): number;
  /** Where other features add node kinds and children (e.g. shared-memory regions under each server). */
  readonly tree: ExplorerTree;
  /** Server state and clients, for features that act on the servers the view shows. */
  readonly catalog: ModelCatalog;
  /** Redraws one node (or the whole view) after a contributed node's data changed. */
  redraw(node?: ExplorerNode): void;
  /** The workspace's model folders (config.pbtxt), by model name. */
  readonly workspace: WorkspaceRepository;
}

export function registerExplorer(context: vscode.ExtensionContext, log: Logger): ExplorerApi {
  const subs = context.subscriptions;
  const settings = new VsCodeServerSettings();
  const secrets = new VsCodeSecretStore(context.secrets);
  const catalog = new ModelCatalog({ createClient: (server) => createClientFor(server, secrets), probeModelControl: true });
  subs.push({ dispose: () => catalog.dispose() });
  const workspace = new WorkspaceRepository();
  const refresh = new RefreshManager({
    refresh: async (id, reasons, signal) => {
      const started = performance.now();
      const outcome = await catalog.refreshServer(id, signal);
      log.trace(`Refreshed server '${id}' (${reasons.join(', ')}) in ${(performance.now() - started).toFixed(0)} ms: ${outcome}, ${catalog.server(id)?.models?.size ?? 0} models`);
      return outcome;
    },
    intervalSeconds: () => settings.refreshIntervalSeconds(),
    onError: (id, error) => log.error(`Refreshing server '${id}' failed`, error),
  });
  subs.push({ dispose: () => refresh.dispose() });

  let active: string | undefined;
  const chooseActive = (): void => {
    const ids = catalog.serverIds();
    const wanted = settings.activeServer();
    active = wanted !== undefined && ids.includes(wanted) ? wanted : ids[0];
  };

  const tree = new ExplorerTree();
  registerExplorerNodes(tree);
  tree.bind({ catalog, workspace, activeServerId: () => active, refreshServer: (id) => refresh.ensure(id, 'startup') });

  const provider = new ModelTreeProvider(tree, () => active);
  const view = vscode.window.createTreeView('triton.models', { treeDataProvider: provider, showCollapseAll: true });
  const statusBar = new ServerStatusBar();
  subs.push(provider, view, statusBar);

  let lastProblems = '';
  const reloadServers = (): void => {
    const before = new Set(catalog.serverIds());
    const parsed = parseServerSettings(settings.readServers());
    const problems = parsed.problems.join('\n');
    if (problems !== '' && problems !== lastProblems) {
      log.warn(`Settings problems:\n${problems}`);
      void vscode.window.showWarningMessage(`triton.servers: ${parsed.problems[0]}${parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more, see the log)` : ''}`, 'Show Logs').then((pick) => {
        if (pick === 'Show Logs') log.show();
      });
    }
    lastProblems = problems;
    catalog.setServers(parsed.servers);
    const removed = [...before].filter((id) => !catalog.serverIds().includes(id));
    for (const id of removed) tree.forget(`server:${id}`);
    refresh.setServers(catalog.serverIds());
    // A removed server must not stay the chosen one in settings: it would come back as active if a
    // server of that name were added later, and the setting would name nothing meanwhile.
    const chosen = settings.activeServer();
    if (chosen !== undefined && removed.includes(chosen)) {
      settings.forgetActiveServer(chosen).catch((error: unknown) => log.error(`Clearing triton.activeServer '${chosen}' failed`, error));
    }
    chooseActive();
    statusBar.update(active !== undefined ? catalog.server(active) : undefined);
  };

  const lastHealth = new Map<string, HealthState>();
  // A model the server failed to load gets its reason on the workspace config.pbtxt of that name.
  const reportLoadErrors = (id: string): void => {
    const models = catalog.server(id)?.models;
    if (models === undefined) return;
    const entries = [...models.values()].map((m) => ({ name: m.name, state: m.state, reason: m.reason }));
    reportServerLoadErrors(id, entries).catch((error: unknown) => log.error(`Placing load errors of '${id}' failed`, error));
  };
  const onChange = (change: CatalogChange): void => {
    provider.onCatalogChange(change);
    if (change.kind !== 'servers') reportLoadErrors(change.serverId);
    if (change.kind !== 'model') {
      for (const id of change.kind === 'server' ? [change.serverId] : catalog.serverIds()) {
        const state = catalog.server(id);
        if (state === undefined) continue;
        const h = state.health;
        if (lastHealth.get(id) !== h.state && h.state !== 'unknown') {
          log.info(`Server '${id}' is ${h.state}${h.version ? ` (Triton ${h.version})` : ''}${h.problem ? `: ${h.problem.message}` : ''}`);
        }
        lastHealth.set(id, h.state);
      }
      statusBar.update(active !== undefined ? catalog.server(active) : undefined);
    }
  };
  subs.push(catalog.onDidChange(onChange));

  const ctx: ExplorerContext = {
    log, settings, secrets, catalog, refresh, workspace, tree,
    activeServerId: () => active,
    setActiveServer: async (id) => {
      if (!catalog.serverIds().includes(id)) throw new Error(`no server named '${id}' is configured`);
      active = id;
      provider.refreshAll();
      statusBar.update(catalog.server(id));
      await settings.setActiveServer(id);
      await refresh.request(id, 'server-switched');
    },
    reloadServers,
    rescanWorkspace: () => scanWorkspace(),
  };

  // Workspace model folders: scanned once, then kept current by a watcher on config.pbtxt files.
  let scanTimer: ReturnType<typeof setTimeout> | undefined;
  const scanWorkspace = async (): Promise<void> => {
    // A huge or slow workspace must not keep a scan (and the Refresh command) waiting for ever.
    const cancel = new vscode.CancellationTokenSource();
    const timer = setTimeout(() => cancel.cancel(), 20_000);
    let files: vscode.Uri[];
    try {
      files = await vscode.workspace.findFiles('**/config.pbtxt', '**/{node_modules,.git}/**', 10_000, cancel.token);
    } finally {
      clearTimeout(timer);
      cancel.dispose();
    }
    // Model folders are read from the local disk (node:fs); folders of a virtual workspace are left out.
    const local = (uri: vscode.Uri): boolean => uri.scheme === 'file';
    workspace.setConfigPaths(files.filter(local).map((f) => f.fsPath), (vscode.workspace.workspaceFolders ?? []).filter((f) => local(f.uri)).map((f) => f.uri.fsPath));
  };
  const scheduleScan = (): void => {
    if (scanTimer !== undefined) clearTimeout(scanTimer);
    scanTimer = setTimeout(() => void scanWorkspace().catch((e: unknown) => log.error('Scanning the workspace for model folders failed', e)), 300);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/config.pbtxt', false, true, false);
  subs.push(watcher, watcher.onDidCreate(scheduleScan), watcher.onDidDelete(scheduleScan), vscode.workspace.onDidChangeWorkspaceFolders(scheduleScan));
  subs.push({ dispose: () => scanTimer !== undefined && clearTimeout(scanTimer) });
  subs.push(workspace.onDidChange(() => provider.refreshAll()));

  subs.push(settings.onDidChange((what) => {
    if (what === 'servers') reloadServers();
    else if (what === 'activeServer') {
      chooseActive();
      provider.refreshAll();
      statusBar.update(active !== undefined ? catalog.server(active) : undefined);
    } else refresh.setServers(catalog.serverIds());
  }));
  // Granting trust brings a workspace's own server list (restricted until then) into play.
  subs.push(vscode.workspace.onDidGrantWorkspaceTrust(() => reloadServers()));
  subs.push(secrets.onDidChange((key) => {
    for (const id of catalog.serverIds()) if (key === `triton.server.${id}.headers`) catalog.resetClient(id);
  }));

  const docs = new ServerDocumentProvider(catalog);
  subs.push(docs, vscode.workspace.registerTextDocumentContentProvider(configScheme, docs), vscode.workspace.registerTextDocumentContentProvider(infoScheme, docs));
  subs.push(docs.followWorkspaceEdits((error) => log.error('Updating a normalised config diff failed', error)));

  const handlers = { ...serverHandlers, ...modelHandlers(docs) };
  for (const [id, handler] of Object.entries(handlers)) {
    subs.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      const startedAt = Date.now();
      try {
        return await handler(ctx, ...args);
      } catch (error) {
        log.error(`Command ${id} failed`, error);
        const pick = await vscode.window.showErrorMessage(reasonOf(error), 'Show Logs');
        if (pick === 'Show Logs') {
          // The server the command was about (a clicked node's), else the extension's own log.
          const serverId = (args[0] as { serverId?: unknown } | undefined)?.serverId;
          await showLogsFor(ctx, typeof serverId === 'string' ? { serverId, since: startedAt } : undefined);
        }
        return undefined;
      }
    }));
  }

  reloadServers();
  subs.push(view.onDidChangeVisibility((e) => refresh.setVisible(e.visible)));
  refresh.setVisible(view.visible);
  // The status bar shows the active server's health even while the view is closed.
  if (active !== undefined) void refresh.request(active, 'startup');
  void scanWorkspace().catch((e: unknown) => log.error('Scanning the workspace for model folders failed', e));

  return {
    snapshot: (maxDepth) => provider.snapshot(maxDepth),
    refresh: async (serverId) => {
      if (serverId === undefined) await refresh.refreshAll('manual');
      else await refresh.request(serverId, 'manual');
    },
    activeServerId: () => active,
    statusBarText: () => statusBar.text(),
    statusBarTooltip: () => statusBar.tooltipMarkdown(),
    onDidRedraw: (listener) => provider.onDidRequestRedraw(listener),
    refreshRuns: (id) => refresh.runs(id),
    tree,
    catalog,
    redraw: (node) => (node === undefined ? provider.refreshAll() : provider.redraw(node)),
    workspace,
  };
}
