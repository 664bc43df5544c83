// Starts the VS Code hosts from .vscode-test/code-server: code-server itself (e2e, demo, bench) and
// the VS Code server inside it (extension tests, which need flags code-server's own CLI refuses).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listFiles } from './files';
import { makeTempDir, startProcess, throwawayHomeEnv } from './processes';
import type { HostProcess, TempDir } from './processes';

export const repoRoot = resolve(__dirname, '../..');
export const codeServerDir = join(repoRoot, '.vscode-test/code-server/node_modules/code-server');
const entryJs = join(codeServerDir, 'out/node/entry.js');
const serverMainJs = join(codeServerDir, 'lib/vscode/out/server-main.js');

export function assertHostInstalled(): void {
  for (const f of [entryJs, serverMainJs]) {
    if (!existsSync(f)) throw new Error(`The test host is not installed (${f} is missing). Run: npm run setup:host`);
  }
}

export interface HostDirs {
  readonly root: string;
  readonly userData: string;
  readonly extensions: string;
  readonly serverData: string;
  readonly home: string;
}

function makeHostDirs(temp: TempDir): HostDirs {
  const dirs = {
    root: temp.path,
    userData: join(temp.path, 'user-data'),
    extensions: join(temp.path, 'extensions'),
    serverData: join(temp.path, 'server-data'),
    home: join(temp.path, 'home'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  // code-server reads user settings from the user-data dir, the bare server from server-data/data.
  for (const base of [dirs.userData, join(dirs.serverData, 'data')]) {
    mkdirSync(join(base, 'User'), { recursive: true });
    writeFileSync(join(base, 'User/settings.json'), `${JSON.stringify(hostUserSettings, null, 2)}\n`);
  }
  return dirs;
}

// A calm workbench: no welcome page, tips, trust prompt or update checks in tests and demos. No auto
// save either: the demo's workspace is the served model repository, so a half-typed line would be
// what the server loads next. No port forwarding: its toasts cover the view for every port the
// reference server or code-server opens.
export const hostUserSettings: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'files.autoSave': 'off',
  'remote.autoForwardPorts': false,
  'remote.restoreForwardedPorts': false,
  'remote.otherPortsAttributes': { onAutoForward: 'ignore' },
};

export interface CodeServer {
  readonly origin: string;
  readonly dirs: HostDirs;
  readonly process: HostProcess;
  /** The workbench URL opening `folder`, with extra query parameters. */
  workbenchUrl(folder: string, query?: Record<string, string>): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** VSIX files installed before the server starts. */
  readonly vsix?: readonly string[];
  /** Environment for the server and its extension host (on top of a throwaway HOME). */
  readonly env?: Record<string, string>;
  /** Forward the server's output with this prefix. */
  readonly echo?: string;
  /** Keep the temporary folders after stop (for inspecting logs). */
  readonly keepDirs?: boolean;
  readonly port?: number;
  readonly startTimeoutMs?: number;
}

function workbenchUrl(origin: string, folder: string, query: Record<string, string> = {}): string {
  const params = new URLSearchParams({ folder, ...query });
  return `${origin}/?${params.toString()}`;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  assertHostInstalled();
  const temp = makeTempDir('triton-code-server', { removeOnExit: !options.keepDirs });
  const dirs = makeHostDirs(temp);
  const env = { ...process.env, ...throwawayHomeEnv(dirs.home), ...options.env };
  const config = join(dirs.root, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--config', config];
  try {
    for (const vsix of options.vsix ?? []) {
      const install = startProcess(process.execPath, [entryJs, ...common, '--install-extension', vsix], { env });
      const code = await install.waitForExit(60_000);
      if (code !== 0) throw new Error(`installing ${vsix} into code-server failed (${code}):\n${install.output()}`);
    }
    const server = startProcess(
      process.execPath,
      [
        entryJs, ...common,
        '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
        '--bind-addr', `127.0.0.1:${options.port ?? 0}`,
      ],
      { env, echo: options.echo },
    );
    let match: RegExpMatchArray;
    try {
      match = await server.waitForLine(/HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    const origin = match[1];
    return {
      origin,
      dirs,
      process: server,
      workbenchUrl: (folder, query) => workbenchUrl(origin, folder, query),
      async stop() {
        await server.stop();
        if (!options.keepDirs) temp.remove();
      },
    };
  } catch (error) {
    if (!options.keepDirs) temp.remove();
    throw error;
  }
}

export interface VsCodeTestServer {
  readonly origin: string;
  readonly authority: string;
  readonly dirs: HostDirs;
  readonly process: HostProcess;
  stop(): Promise<void>;
}

/** The bare VS Code server with the smoke-test driver enabled, as extension tests need. */
export async function startVsCodeTestServer(options: { env?: Record<string, string>; echo?: string; keepDirs?: boolean } = {}): Promise<VsCodeTestServer> {
  assertHostInstalled();
  const temp = makeTempDir('triton-vscode-test', { removeOnExit: !options.keepDirs });
  const dirs = makeHostDirs(temp);
  const env = { ...process.env, ...throwawayHomeEnv(dirs.home), ...options.env };
  const server = startProcess(
    process.execPath,
    [
      serverMainJs, '--host', '127.0.0.1', '--port', '0', '--without-connection-token', '--accept-server-license-terms',
      '--enable-smoke-test-driver', '--disable-telemetry', '--user-data-dir', dirs.userData,
      '--server-data-dir', dirs.serverData, '--extensions-dir', dirs.extensions,
    ],
    { env, echo: options.echo },
  );
  try {
    const match = await server.waitForLine(/Extension host agent listening on (\d+)/, 30_000);
    const authority = `127.0.0.1:${match[1]}`;
    return {
      origin: `http://${authority}`,
      authority,
      dirs,
      process: server,
      async stop() {
        await server.stop();
        if (!options.keepDirs) temp.remove();
      },
    };
  } catch (error) {
    await server.stop();
    if (!options.keepDirs) temp.remove();
    throw error;
  }
}

/** The text of every log file named `fileName` (e.g. "remoteexthost.log") under a host's user data. */
export function readHostLogs(dirs: HostDirs, fileName: string): string {
  return [join(dirs.userData, 'logs'), join(dirs.serverData, 'data/logs')]
    .flatMap((dir) => listFiles(dir, (name) => name === fileName))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}
