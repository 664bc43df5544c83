// Registers server logs, the launcher and live settings at activation: their commands, the log view's
// serializer and the tree nodes (Server Settings, started-here state). Log streams, the log view, the
// launcher and the settings commands (logsFeature, in dist/logs.js) load the first time one of
// these is used.
import * as vscode from 'vscode';
import type { LogEntry } from '../../logs/logParser';
import { commandIds, LogsCommand } from '../../services/commandIds';
import { readServerSettings, VerboseWindows } from '../../services/liveSettings';
import type { SettingsClient } from '../../services/liveSettings';
import type { LaunchedServer, LaunchState } from '../../services/serverLauncher';
import { registerServerSettingsNodes } from '../../services/serverSettingsNodes';
import { LOG_VIEW_TYPE } from '../../shared/logViewProtocol';
import type { ExplorerApi } from '../explorer/registerExplorer';
import { LazyFeature, registerLazyCommands } from '../lazyFeature';
import type { Logger } from '../log';
import { registerWebviewRestorer } from '../webview/webviewHost';
import type { LogPanelProbe } from './logPanel';
import type * as LogsModule from './logsFeature';
import type { LogsFeature } from './logsFeature';

/** What tests read through the extension API. */
export interface LogsApi {
  /** The entries a server's log stream holds (after handing on what is pending). */
  history(serverName: string): LogEntry[];
  panel(serverName: string): LogPanelProbe | undefined;
  launchState(serverName: string): LaunchState | undefined;
  statusBarText(): string;
}

export function registerLogs(context: vscode.ExtensionContext, log: Logger, explorer: ExplorerApi): LogsApi {
  const subs = context.subscriptions;
  const launched = new Map<string, LaunchedServer>();
  // Servers started here stop with the editor: nothing is left running in the background.
  subs.push({ dispose: () => void Promise.allSettled([...launched.values()].map((s) => s.stop())) });
  const verbose = new VerboseWindows((id, error) => log.warn(`Restoring the verbose level of '${id}' failed: ${error instanceof Error ? error.message : String(error)}`));
  subs.push({ dispose: () => verbose.dispose() });

  const settingsClient = async (name: string): Promise<SettingsClient> => {
    const client = (await explorer.catalog.client(name)) as unknown as Partial<SettingsClient>;
    if (typeof client.getLogSettings !== 'function' || typeof client.updateLogSettings !== 'function' || typeof client.getTraceSettings !== 'function' || typeof client.updateTraceSettings !== 'function') {
      throw new Error(`the client of '${name}' cannot read live settings`);
    }
    return client as SettingsClient;
  };

  const feature = new LazyFeature<LogsFeature>('Server Logs', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('./logsFeature') as typeof LogsModule;
    return module.createLogsFeature({ context, log, explorer, launched, verbose, settingsClient });
  });

  subs.push(registerServerSettingsNodes(explorer.tree, {
    read: async (id) => readServerSettings(await settingsClient(id)),
    verboseRemaining: (id) => verbose.remaining(id),
    launched: (id) => {
      const s = launched.get(id);
      return s === undefined ? undefined : { state: s.state, argv: s.command.argv, ...(s.pid !== undefined ? { pid: s.pid } : {}) };
    },
  }));
  const verboseSub = verbose.onDidChange((id) => {
    const node = explorer.tree.find(`server:${id}/server-settings`);
    if (node !== undefined) explorer.redraw(node);
  });
  subs.push({ dispose: () => verboseSub.dispose() });

  subs.push(registerWebviewRestorer(LOG_VIEW_TYPE, (panel, state) => feature.get().restore(panel, state)));
  subs.push(...registerLazyCommands(commandIds(LogsCommand), feature, log));
  // Log streams exist only once the feature is loaded: until then there is nothing to update.
  subs.push(vscode.workspace.onDidChangeConfiguration((e) => feature.loaded?.onConfigurationChange(e)));

  return {
    history: (name) => feature.loaded?.history(name) ?? [],
    panel: (name) => feature.loaded?.panel(name),
    launchState: (name) => launched.get(name)?.state,
    statusBarText: () => feature.loaded?.statusBarText() ?? '',
  };
}
