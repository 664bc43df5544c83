// "Triton: Start Server" / "Stop Server": asks for a preset (docker image, local binary, custom
// command) and the model repository, remembers the docker tag and GPU choice, starts the server on
// free ports, writes its entry into triton.servers, and shows its state in a status bar item.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { LogsCommand } from '../../services/commandIds';
import type { LaunchPreset, LaunchSpec } from '../../services/serverLauncher';
import { LaunchedServer, pickPorts, withLaunchedServer } from '../../services/serverLauncher';
import type { LogsContext } from './logsContext';

const section = 'triton.launcher';

/** Arguments a test or the demo passes to skip the questions. */
export interface StartServerArgs {
  readonly preset?: LaunchPreset;
  readonly repository?: string;
  readonly serverName?: string;
  readonly command?: readonly string[];
  /** Wait until the server answers as live before returning (default true). */
  readonly waitUntilLive?: boolean;
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(section);
}

async function choosePreset(ctx: LogsContext): Promise<LaunchPreset | undefined> {
  const last = ctx.state.get<LaunchPreset>('triton.launcher.lastPreset');
  const items: (vscode.QuickPickItem & { preset: LaunchPreset })[] = [
    { preset: 'docker', label: '$(package) Docker', detail: 'docker run nvcr.io/nvidia/tritonserver:<tag>-py3 with the repository mounted at /models' },
    { preset: 'local', label: '$(terminal) Local tritonserver', detail: `${config().get<string>('tritonserverPath') || 'tritonserver'} from this machine` },
    { preset: 'custom', label: '$(gear) Custom command', detail: 'triton.launcher.customCommand, with ${repository}, ${httpPort}, ${grpcPort}, ${metricsPort} filled in' },
  ];
  items.sort((a, b) => (a.preset === last ? -1 : b.preset === last ? 1 : 0));
  const pick = await vscode.window.showQuickPick(items, { title: 'Start a Triton server', placeHolder: 'How should the server run?' });
  if (pick !== undefined) await ctx.state.update('triton.launcher.lastPreset', pick.preset);
  return pick?.preset;
}

/** The folder that holds the workspace's model folders; asked when there are several or none. */
async function chooseRepository(ctx: LogsContext): Promise<string | undefined> {
  const repos = [...new Set(ctx.workspace.all().map((m) => dirname(m.folder)))].sort();
  if (repos.length === 1) return repos[0];
  if (repos.length > 1) {
    const pick = await vscode.window.showQuickPick(repos.map((r) => ({ label: r })), { title: 'Model repository', placeHolder: 'Which folder of model folders should the server serve?' });
    return pick?.label;
  }
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Serve this model repository', title: 'No model folders (config.pbtxt) found in the workspace: pick a model repository' });
  return picked?.[0]?.fsPath;
}

/** Tag and GPU flags: asked the first time, then kept in user settings (where they can be changed). */
async function dockerChoices(): Promise<{ tag: string; gpus: string } | undefined> {
  let tag = config().get<string>('dockerTag') ?? '';
  if (tag === '') {
    const entered = await vscode.window.showInputBox({ title: 'Triton image tag', prompt: 'nvcr.io/nvidia/tritonserver:<tag>-py3 — e.g. 25.01 (remembered in triton.launcher.dockerTag)', value: '25.01', validateInput: (v) => (/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(v.trim()) ? undefined : 'a docker tag such as 25.01') });
    if (entered === undefined) return undefined;
    tag = entered.trim();
    await config().update('dockerTag', tag, vscode.ConfigurationTarget.Global);
  }
  let gpus = config().get<string>('dockerGpus') ?? 'ask';
  if (gpus === 'ask') {
    const pick = await vscode.window.showQuickPick([
      { label: 'all', description: '--gpus all' },
      { label: 'none', description: 'CPU only' },
      { label: 'device=0', description: '--gpus device=0' },
    ], { title: 'GPUs for the container (remembered in triton.launcher.dockerGpus)' });
    if (pick === undefined) return undefined;
    gpus = pick.label;
    await config().update('dockerGpus', gpus, vscode.ConfigurationTarget.Global);
  }
  return { tag, gpus: gpus === 'none' ? '' : gpus };
}

export async function startServer(ctx: LogsContext, args: StartServerArgs = {}): Promise<LaunchedServer | undefined> {
  if (!vscode.workspace.isTrusted) throw new Error('Starting a server runs a command: trust this workspace first (Workspaces: Manage Workspace Trust)');
  const preset = args.preset ?? (await choosePreset(ctx));
  if (preset === undefined) return undefined;
  const repository = args.repository ?? (await chooseRepository(ctx));
  if (repository === undefined) return undefined;
  const serverName = args.serverName ?? (config().get<string>('serverName') || 'local');
  const running = ctx.launched.get(serverName);
  if (running !== undefined && running.state.kind !== 'exited') throw new Error(`server '${serverName}' is already running (pid ${running.pid ?? '?'}); stop it first`);
  let docker: { tag: string; gpus: string } | undefined;
  if (preset === 'docker') {
    docker = await dockerChoices();
    if (docker === undefined) return undefined;
  }
  const ports = await pickPorts();
  const spec: LaunchSpec = {
    preset, repository, ports,
    ...(docker !== undefined ? { dockerTag: docker.tag, dockerGpus: docker.gpus } : {}),
    binary: config().get<string>('tritonserverPath') || 'tritonserver',
    command: args.command ?? config().get<string[]>('customCommand') ?? [],
    extraArgs: preset === 'custom' ? [] : config().get<string[]>('extraArgs') ?? [],
  };
  const stream = ctx.logs.ensure(serverName);
  // The launched process feeds the log from now on; a configured file or command stops.
  await stream.setTail(undefined);
  const server = await LaunchedServer.start(spec, {
    serverName, sink: stream.sink, cwd: ctx.cwd(), graceMs: Math.max(1, config().get<number>('stopGraceSeconds') ?? 15) * 1000,
  });
  stream.source = `started here: ${server.command.argv.join(' ')}`;
  ctx.panels.sourceChanged(serverName);
  ctx.launched.set(serverName, server);
  server.onDidChange((state) => {
    ctx.onLaunchChange(serverName);
    if (state.kind === 'exited' && !state.expected) {
      void vscode.window.showErrorMessage(`Triton server '${serverName}' exited (${state.signal ?? `exit code ${state.code}`})`, 'Show Server Log').then((pick) => {
        if (pick !== undefined) ctx.panels.open(serverName);
      });
    }
  });
  ctx.onLaunchChange(serverName);
  await ctx.settings.writeServers(withLaunchedServer(ctx.settings.readServers(), serverName, server.command));
  if (args.waitUntilLive !== false) {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting Triton server '${serverName}'…`, cancellable: true }, async (_p, token) => {
      const cancel = token.onCancellationRequested(() => void server.stop());
      try {
        await server.whenRunning(config().get<number>('startTimeoutSeconds', 300) * 1000);
      } finally {
        cancel.dispose();
      }
    });
    await ctx.refreshServer(serverName);
    // A fresh server becomes the active one unless the active one already works.
    const active = ctx.activeServerId();
    const health = active !== undefined ? ctx.catalog.server(active)?.health.state : undefined;
    if (active !== serverName && (health === undefined || health === 'unreachable' || health === 'unknown')) {
      await vscode.commands.executeCommand('triton.switchServer', { serverId: serverName });
    }
  }
  return server;
}

export async function stopServer(ctx: LogsContext, serverName: string | undefined): Promise<void> {
  const names = [...ctx.launched.entries()].filter(([, s]) => s.state.kind !== 'exited').map(([n]) => n);
  const name = serverName ?? (names.length === 1 ? names[0] : (await vscode.window.showQuickPick(names, { title: 'Stop which server?' })));
  if (name === undefined) {
    if (names.length === 0) void vscode.window.showInformationMessage('No Triton server started from the editor is running.');
    return;
  }
  const server = ctx.launched.get(name);
  if (server === undefined || server.state.kind === 'exited') throw new Error(`no server named '${name}' started from the editor is running`);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Stopping Triton server '${name}'` }, () => server.stop());
  void ctx.refreshServer(name);
}

/** One status bar item for servers started here: state, and a click opens the log. */
export class LaunchStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('triton.launchedServer', vscode.StatusBarAlignment.Left, 49);

  constructor() {
    this.item.name = 'Triton Server (started here)';
  }

  update(launched: ReadonlyMap<string, LaunchedServer>): void {
    const live = [...launched.entries()].filter(([, s]) => s.state.kind !== 'exited' || !s.state.expected);
    if (live.length === 0) {
      this.item.hide();
      return;
    }
    const [name, server] = live[live.length - 1]!;
    const s = server.state;
    const word = s.kind === 'exited' ? 'exited' : s.kind;
    this.item.text = `${s.kind === 'running' ? '$(debug-start)' : s.kind === 'exited' ? '$(error)' : '$(loading~spin)'} ${name}: ${word}`;
    this.item.tooltip = `Triton server '${name}' started here: ${word}${server.pid !== undefined ? ` (pid ${server.pid})` : ''}. Click to show its log.`;
    this.item.backgroundColor = s.kind === 'exited' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.command = { command: LogsCommand.showServerLog, title: 'Show Server Log', arguments: [{ serverId: name }] };
    this.item.show();
  }

  text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
