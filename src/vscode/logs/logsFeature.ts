// Server logs, the launcher and live settings behind their registration (registerLogs): per-server
// log streams, the log view, the status bar item of servers started here and the commands.
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import type { LogEntry } from '../../logs/logParser';
import { commandIds, LogsCommand } from '../../services/commandIds';
import type { LogsCommandId } from '../../services/commandIds';
import type { SettingsClient, VerboseWindows } from '../../services/liveSettings';
import type { LaunchedServer } from '../../services/serverLauncher';
import { logSourceKey, ServerLogRegistry, withLogSource } from '../../services/serverLogs';
import type { ExplorerApi } from '../explorer/registerExplorer';
import type { Logger } from '../log';
import { VsCodeServerSettings } from '../servers/serverStore';
import { LaunchStatusBar, startServer, stopServer } from './launcherCommands';
import type { StartServerArgs } from './launcherCommands';
import type { LogPanelProbe } from './logPanel';
import { LogPanels } from './logPanel';
import type { LogsContext } from './logsContext';
import { editModelTraceSettings, editServerSetting, resolveServer, showServerSettings, toggleVerbose } from './settingsCommands';

export interface LogsFeatureDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly explorer: ExplorerApi;
  /** Servers started here, by name; the registration owns the map (the tree shows them, they stop with the editor). */
  readonly launched: Map<string, LaunchedServer>;
  readonly verbose: VerboseWindows;
  readonly settingsClient: (serverName: string) => Promise<SettingsClient>;
}

export interface LogsFeature {
  readonly commands: Readonly<Record<LogsCommandId, (...args: unknown[]) => Promise<unknown>>>;
  /** Adopts a log view VS Code restores after a restart. */
  restore(panel: vscode.WebviewPanel, state: unknown): void;
  onConfigurationChange(e: vscode.ConfigurationChangeEvent): void;
  history(serverName: string): LogEntry[];
  panel(serverName: string): LogPanelProbe | undefined;
  statusBarText(): string;
}

function maxLinesSetting(): number {
  const v = vscode.workspace.getConfiguration('triton.logs').get<number>('maxLines', 50_000);
  return Number.isInteger(v) && v >= 1000 ? Math.min(v, 1_000_000) : 50_000;
}

export function createLogsFeature({ context, log, explorer, launched, verbose, settingsClient }: LogsFeatureDeps): LogsFeature {
  const subs = context.subscriptions;
  const logs = new ServerLogRegistry(maxLinesSetting());
  subs.push({ dispose: () => void logs.dispose() });
  const statusBar = new LaunchStatusBar();
  subs.push(statusBar);

  const cwd = (): string | undefined => vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  const redrawNode = (id: string): void => {
    const node = explorer.tree.find(id);
    if (node !== undefined) explorer.redraw(node);
  };

  const ensureSource = (server: string): void => {
    const config = explorer.catalog.server(server)?.config;
    if (config === undefined || launched.has(server)) return;
    logs.ensureSource(config, { trusted: vscode.workspace.isTrusted, home: homedir(), ...(cwd() !== undefined ? { cwd: cwd()! } : {}) })
      .then(() => panels.sourceChanged(server))
      .catch((error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        log.warn(`Server '${server}': cannot read its log: ${why}`);
        logs.ensure(server).sink.notice(`Cannot read the log: ${why}`);
      });
  };

  const configureSource = async (server: string): Promise<void> => {
    const pick = await vscode.window.showQuickPick([
      { label: '$(file) Log file…', id: 'file', detail: 'a file the server writes with --log-file (followed through rotation)' },
      { label: '$(package) docker logs -f <container>', id: 'docker', detail: 'runs in a trusted workspace only' },
      { label: '$(cloud) kubectl logs -f <pod> -c <container>', id: 'kubectl', detail: 'runs in a trusted workspace only' },
      { label: '$(json) Edit triton.servers in settings', id: 'settings' },
    ], { title: `Log source of '${server}'` });
    if (pick === undefined) return;
    let source: Record<string, unknown> | undefined;
    if (pick.id === 'file') {
      const file = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Follow this log', title: `Log file of '${server}'` });
      if (file?.[0] !== undefined) source = { file: file[0].fsPath };
    } else if (pick.id === 'docker') {
      const name = await vscode.window.showInputBox({ title: 'Container name or id', validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'a container name or id') });
      if (name !== undefined) source = { command: ['docker', 'logs', '-f', '--tail', '1000', name] };
    } else if (pick.id === 'kubectl') {
      const pod = await vscode.window.showInputBox({ title: 'Pod', validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'a pod name') });
      const container = pod === undefined ? undefined : await vscode.window.showInputBox({ title: 'Container (empty: the pod\'s only one)' });
      if (pod !== undefined && container !== undefined) source = { command: ['kubectl', 'logs', '-f', '--tail=1000', pod, ...(container.trim() !== '' ? ['-c', container.trim()] : [])] };
    } else {
      await vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: 'triton.servers' } });
      return;
    }
    if (source === undefined) return;
    await settings.writeServers(withLogSource(settings.readServers(), server, source));
  };

  const settings = new VsCodeServerSettings();
  const panels = new LogPanels({ extensionUri: context.extensionUri, log, logs, workspace: explorer.workspace, maxLines: maxLinesSetting, configure: (s) => void configureSource(s).catch((e: unknown) => void vscode.window.showErrorMessage(String(e instanceof Error ? e.message : e))), ensureSource });
  subs.push(panels);

  const ctx: LogsContext = {
    log, catalog: explorer.catalog, workspace: explorer.workspace, settings, logs, panels, launched, verbose,
    state: context.globalState,
    activeServerId: () => explorer.activeServerId(),
    cwd,
    onLaunchChange: (name) => {
      statusBar.update(launched);
      redrawNode(`server:${name}/launched-server`);
      redrawNode(`server:${name}`);
    },
    refreshServer: (name) => explorer.refresh(name),
    redrawSettings: (name) => redrawNode(`server:${name}/server-settings`),
    settingsClient,
  };

  const showServerLog = async (arg: unknown): Promise<void> => {
    const server = await resolveServer(ctx, arg, 'Show the log of which server?');
    if (server === undefined) return;
    ensureSource(server);
    const timeMs = (arg as { timeMs?: unknown } | undefined)?.timeMs;
    panels.open(server, typeof timeMs === 'number' ? timeMs : undefined);
  };

  const handlers: Record<LogsCommandId, (...args: unknown[]) => unknown> = {
    [LogsCommand.showServerLog]: (arg) => showServerLog(arg),
    [LogsCommand.showLogsForError]: async (arg) => {
      const a = arg as { serverId?: unknown; timeMs?: unknown } | undefined;
      const server = typeof a?.serverId === 'string' ? a.serverId : undefined;
      const hasSource = server !== undefined && (launched.has(server) || explorer.catalog.server(server)?.config.log !== undefined || logs.get(server)?.source !== undefined);
      if (server !== undefined && hasSource) return showServerLog(arg);
      log.show();
      if (server !== undefined) {
        const pick = await vscode.window.showInformationMessage(`This is the extension's own log. To see what Triton itself logged, give '${server}' a log source ("log": {"file": …} or {"command": ["docker", "logs", "-f", …]} in triton.servers), or start the server from the editor.`, 'Configure Log Source', 'Start Server');
        if (pick === 'Configure Log Source') await configureSource(server);
        else if (pick === 'Start Server') await vscode.commands.executeCommand(LogsCommand.startServer);
      }
      return undefined;
    },
    [LogsCommand.configureLogSource]: async (arg) => {
      const server = await resolveServer(ctx, arg, 'Configure the log source of which server?');
      if (server !== undefined) await configureSource(server);
    },
    [LogsCommand.startServer]: async (arg) => {
      const server = await startServer(ctx, (arg ?? {}) as StartServerArgs);
      if (server !== undefined) panels.open(server.options.serverName);
      return server === undefined ? undefined : { serverName: server.options.serverName, httpUrl: server.command.httpUrl, grpcUrl: server.command.grpcUrl, pid: server.pid };
    },
    [LogsCommand.stopServer]: async (arg) => {
      const id = (arg as { serverId?: unknown } | undefined)?.serverId;
      await stopServer(ctx, typeof id === 'string' ? id : undefined);
    },
    [LogsCommand.editServerSetting]: (arg) => editServerSetting(ctx, arg),
    [LogsCommand.showServerSettings]: (arg) => showServerSettings(ctx, arg),
    [LogsCommand.editModelTraceSettings]: (arg) => editModelTraceSettings(ctx, arg),
    [LogsCommand.toggleVerbose]: (arg) => toggleVerbose(ctx, arg),
  };
  const commands = {} as Record<LogsCommandId, (...args: unknown[]) => Promise<unknown>>;
  for (const id of commandIds(LogsCommand)) {
    const handler = handlers[id];
    commands[id] = async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        log.error(`Command ${id} failed`, error);
        void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
        return undefined;
      }
    };
  }

  const onConfigurationChange = (e: vscode.ConfigurationChangeEvent): void => {
    if (e.affectsConfiguration('triton.logs.maxLines')) logs.setMaxLines(maxLinesSetting());
    if (e.affectsConfiguration('triton.servers')) {
      // A changed log source takes effect at once for logs being shown; others start on next open.
      // (After the explorer has re-read the list, which it does on the same event.)
      setTimeout(() => {
        for (const name of explorer.catalog.serverIds()) {
          const stream = logs.get(name);
          if (stream === undefined || launched.has(name) || stream.sourceKey === logSourceKey(explorer.catalog.server(name)?.config.log)) continue;
          void stream.setTail(undefined).then(() => {
            if (panels.probe(name) !== undefined) ensureSource(name);
          });
        }
      }, 0);
    }
  };

  return {
    commands,
    restore: (panel, state) => panels.restore(panel, state),
    onConfigurationChange,
    history: (name) => {
      const s = logs.get(name);
      s?.flush();
      return s?.history() ?? [];
    },
    panel: (name) => panels.probe(name),
    statusBarText: () => statusBar.text(),
  };
}
