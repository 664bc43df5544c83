// What the log, launcher and live-settings commands share.
import type * as vscode from 'vscode';
import type { ModelCatalog } from '../../services/modelCatalog';
import type { VerboseWindows } from '../../services/liveSettings';
import type { SettingsClient } from '../../services/liveSettings';
import type { LaunchedServer } from '../../services/serverLauncher';
import type { ServerLogRegistry } from '../../services/serverLogs';
import type { WorkspaceRepository } from '../../services/workspaceRepository';
import type { Logger } from '../log';
import type { VsCodeServerSettings } from '../servers/serverStore';
import type { LogPanels } from './logPanel';

export interface LogsContext {
  readonly log: Logger;
  readonly catalog: ModelCatalog;
  readonly workspace: WorkspaceRepository;
  readonly settings: VsCodeServerSettings;
  readonly logs: ServerLogRegistry;
  readonly panels: LogPanels;
  readonly launched: Map<string, LaunchedServer>;
  readonly verbose: VerboseWindows;
  /** Global state (remembered launcher choices). */
  readonly state: vscode.Memento;
  activeServerId(): string | undefined;
  /** The first workspace folder: relative log paths and commands start there. */
  cwd(): string | undefined;
  /** A launched server changed state: redraw its tree node and the status bar. */
  onLaunchChange(serverName: string): void;
  /** Refreshes a server in the explorer (and its Server Settings node). */
  refreshServer(serverName: string): Promise<void>;
  /** Redraws a server's "Server Settings" node (re-read from the server on expand). */
  redrawSettings(serverName: string): void;
  /** The server's client for live settings. */
  settingsClient(serverName: string): Promise<SettingsClient>;
}
