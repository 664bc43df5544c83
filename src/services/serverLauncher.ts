// Starts a Triton server on a model repository from a preset (docker image, local tritonserver
// binary, or a custom command), watches it become live, and stops it: SIGINT first so Triton unloads
// its models, SIGKILL after a grace period. Its output goes to a log sink.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { attachProcessOutput } from '../logs/processSource';
import type { LogSink } from '../logs/logSource';
import { parseServerSettings } from './serverConfig';
import { appendServerSetting, updateServerSetting } from './serverSettingsEdit';

export type LaunchPreset = 'docker' | 'local' | 'custom';

export interface LaunchPorts {
  readonly http: number;
  readonly grpc: number;
  readonly metrics: number;
}

export interface LaunchSpec {
  readonly preset: LaunchPreset;
  /** Absolute path of the model repository (a folder of model folders). */
  readonly repository: string;
  readonly ports: LaunchPorts;
  /** docker: the tritonserver image tag without "-py3", e.g. "25.01". */
  readonly dockerTag?: string;
  /** docker: value of --gpus ("all", "device=0"), empty for none. */
  readonly dockerGpus?: string;
  /** local: the tritonserver binary (default "tritonserver" from PATH). */
  readonly binary?: string;
  /** custom: argv with ${repository}, ${httpPort}, ${grpcPort}, ${metricsPort} and ${node} placeholders. */
  readonly command?: readonly string[];
  /** Extra arguments for tritonserver (docker and local presets). */
  readonly extraArgs?: readonly string[];
}

export interface LaunchCommand {
  readonly argv: string[];
  readonly httpUrl: string;
  readonly grpcUrl: string;
  /** Extra environment for the process. */
  readonly env: Record<string, string>;
  /** docker: the container's name, so a stop that has to kill the CLI can kill the container too. */
  readonly containerName?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const GPUS = /^(all|\d+|device=[0-9,]+|"device=[0-9,]+")?$/;

/** Options every preset passes: explicit control so the editor loads and unloads, and every model loaded at start. */
const tritonArgs = (repository: string): string[] => [
  `--model-repository=${repository}`,
  '--model-control-mode=explicit',
  '--load-model=*',
  // One broken model must not take the whole server down: the log and the tree show why it failed.
  '--exit-on-error=false',
];

/** Turns a spec into the process to run; throws with the reason when the spec is unusable. */
export function buildLaunchCommand(spec: LaunchSpec, nodePath: string = process.execPath): LaunchCommand {
  const { http, grpc, metrics } = spec.ports;
  for (const p of [http, grpc, metrics]) if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`port ${p} is not between 1 and 65535`);
  if (spec.repository === '' || spec.repository.includes('\0')) throw new Error('the model repository path is empty or invalid');
  const urls = { httpUrl: `http://127.0.0.1:${http}`, grpcUrl: `127.0.0.1:${grpc}` };
  const extra = [...(spec.extraArgs ?? [])];
  switch (spec.preset) {
    case 'docker': {
      const tag = spec.dockerTag ?? '';
      if (!TAG.test(tag)) throw new Error(`'${tag}' is not a docker image tag (e.g. 25.01)`);
      // docker's -v splits on ':'; such a path would mount something else.
      if (spec.repository.includes(':')) throw new Error(`the repository path '${spec.repository}' contains ':', which docker -v cannot mount; move or link the repository to a path without one`);
      const gpus = spec.dockerGpus ?? '';
      if (!GPUS.test(gpus)) throw new Error(`'${gpus}' is not a --gpus value (all, 1, device=0)`);
      const containerName = `triton-workbench-${http}`;
      const argv = [
        'docker', 'run', '--rm', '--name', containerName,
        ...(gpus !== '' ? ['--gpus', gpus] : []),
        // Ports are published on loopback only: the server is for this machine.
        '-p', `127.0.0.1:${http}:8000`, '-p', `127.0.0.1:${grpc}:8001`, '-p', `127.0.0.1:${metrics}:8002`,
        '-v', `${spec.repository}:/models`,
        `nvcr.io/nvidia/tritonserver:${tag}-py3`,
        'tritonserver', ...tritonArgs('/models'), ...extra,
      ];
      return { argv, ...urls, env: {}, containerName };
    }
    case 'local': {
      const binary = spec.binary ?? 'tritonserver';
      if (binary.trim() === '') throw new Error('the tritonserver binary path is empty');
      const argv = [binary, ...tritonArgs(spec.repository), `--http-port=${http}`, `--grpc-port=${grpc}`, `--metrics-port=${metrics}`, ...extra];
      return { argv, ...urls, env: {} };
    }
    case 'custom': {
      const command = spec.command ?? [];
      if (command.length === 0 || command.some((a) => typeof a !== 'string' || a.includes('\0'))) throw new Error('the custom launch command must be a non-empty array of strings (set triton.launcher.customCommand)');
      const values: Record<string, string> = { repository: spec.repository, httpPort: String(http), grpcPort: String(grpc), metricsPort: String(metrics), node: nodePath };
      const argv = command.map((a) => a.replace(/\$\{(repository|httpPort|grpcPort|metricsPort|node)\}/g, (_m, k: string) => values[k]!));
      // Inside an Electron host, its executable only behaves as node with this variable set.
      const env: Record<string, string> = command.some((a) => a.includes('${node}')) ? { ELECTRON_RUN_AS_NODE: '1' } : {};
      return { argv: [...argv, ...extra], ...urls, env };
    }
    default:
      throw new Error(`unknown launch preset '${String(spec.preset)}'`);
  }
}

/** True when nothing listens on the loopback port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function anyFreePort(avoid: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen({ port: 0, host: '127.0.0.1' }, () => {
        const address = probe.address();
        const p = typeof address === 'object' && address !== null ? address.port : 0;
        probe.close(() => resolve(p));
      });
    });
    if (!avoid.has(port)) return port;
  }
  throw new Error('no free loopback port found');
}

/** Triton's usual ports when they are free, otherwise free ones the system hands out. */
export async function pickPorts(preferred: LaunchPorts = { http: 8000, grpc: 8001, metrics: 8002 }): Promise<LaunchPorts> {
  const taken = new Set<number>();
  const choose = async (p: number): Promise<number> => {
    // 0 asks for any free port.
    const port = p !== 0 && !taken.has(p) && (await portIsFree(p)) ? p : await anyFreePort(taken);
    taken.add(port);
    return port;
  };
  const http = await choose(preferred.http);
  const grpc = await choose(preferred.grpc);
  const metrics = await choose(preferred.metrics);
  return { http, grpc, metrics };
}

export type LaunchState =
  | { readonly kind: 'starting' }
  | { readonly kind: 'running' }
  | { readonly kind: 'stopping' }
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null; readonly expected: boolean };

export interface LaunchOptions {
  /** The settings entry this server runs as. */
  readonly serverName: string;
  readonly sink: LogSink;
  readonly cwd?: string;
  /** Answers whether the server is live; default: GET <httpUrl>/v2/health/live returns 200. */
  readonly probe?: (httpUrl: string, signal: AbortSignal) => Promise<boolean>;
  /** Milliseconds between SIGINT and SIGKILL on stop (default 15000: Triton unloads models first). */
  readonly graceMs?: number;
  readonly nodePath?: string;
}

async function liveProbe(httpUrl: string, signal: AbortSignal): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/v2/health/live`, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** One server process started from the editor. */
export class LaunchedServer {
  private current: LaunchState = { kind: 'starting' };
  private readonly listeners = new Set<(state: LaunchState) => void>();
  private readonly exited: Promise<void>;
  private readonly probing = new AbortController();
  private stopRequested = false;

  private constructor(readonly command: LaunchCommand, readonly options: LaunchOptions, private readonly child: ChildProcess) {
    const detach = attachProcessOutput(child, options.sink);
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        detach();
        this.probing.abort();
        this.set({ kind: 'exited', code, signal, expected: this.stopRequested });
        options.sink.notice(`Server process ${child.pid ?? ''} ended (${signal !== null ? `signal ${signal}` : `exit code ${code}`})`);
        resolve();
      });
    });
  }

  /** Spawns the process; resolves once it runs (not yet live), rejects when it cannot be spawned. */
  static start(spec: LaunchSpec, options: LaunchOptions): Promise<LaunchedServer> {
    const command = buildLaunchCommand(spec, options.nodePath);
    return new Promise((resolve, reject) => {
      const child = spawn(command.argv[0]!, command.argv.slice(1), {
        cwd: options.cwd, env: { ...process.env, ...command.env }, stdio: ['ignore', 'pipe', 'pipe'], shell: false,
      });
      child.once('error', (error) => reject(new Error(`cannot start ${command.argv[0]!}: ${error.message}`)));
      child.once('spawn', () => {
        options.sink.notice(`Started: ${command.argv.join(' ')} (pid ${child.pid ?? '?'})`);
        const server = new LaunchedServer(command, options, child);
        void server.watchLiveness();
        resolve(server);
      });
    });
  }

  get state(): LaunchState {
    return this.current;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  onDidChange(listener: (state: LaunchState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Resolves when the server answers as live; rejects when it exits first or the deadline passes. */
  whenRunning(timeoutMs = 120_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (s: LaunchState): boolean => {
        if (s.kind === 'running') resolve();
        else if (s.kind === 'exited') reject(new Error(`the server exited before it was live (${s.signal !== null ? `signal ${s.signal}` : `exit code ${s.code}`}); see its log`));
        else return false;
        return true;
      };
      if (check(this.current)) return;
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`the server did not become live within ${Math.round(timeoutMs / 1000)} s; see its log`));
      }, timeoutMs);
      const sub = this.onDidChange((s) => {
        if (check(s)) {
          clearTimeout(timer);
          sub.dispose();
        }
      });
    });
  }

  /** SIGINT, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(): Promise<void> {
    if (this.current.kind === 'exited') return;
    this.stopRequested = true;
    this.set({ kind: 'stopping' });
    this.child.kill('SIGINT');
    const grace = this.options.graceMs ?? 15_000;
    const timer = setTimeout(() => {
      this.options.sink.notice(`The server did not stop within ${Math.round(grace / 1000)} s of SIGINT; sending SIGKILL`);
      this.child.kill('SIGKILL');
      // Killing the docker client leaves its container running: kill that by name as well.
      const name = this.command.containerName;
      if (name !== undefined) spawn('docker', ['kill', name], { stdio: 'ignore' }).on('error', () => undefined).unref();
    }, grace);
    await this.exited;
    clearTimeout(timer);
  }

  private set(state: LaunchState): void {
    this.current = state;
    for (const l of [...this.listeners]) l(state);
  }

  private async watchLiveness(): Promise<void> {
    const probe = this.options.probe ?? liveProbe;
    const signal = this.probing.signal;
    let delay = 100;
    while (!signal.aborted && this.current.kind === 'starting') {
      if (await probe(this.command.httpUrl, signal)) {
        if (this.current.kind === 'starting') this.set({ kind: 'running' });
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/**
 * The `triton.servers` list with the launched server in it: the entry of that name gets the new
 * addresses (its other keys stay as they were), or a new entry is added.
 */
export function withLaunchedServer(raw: unknown, serverName: string, command: LaunchCommand): unknown[] {
  const existing = parseServerSettings(raw).servers.find((s) => s.name === serverName);
  if (existing !== undefined) return updateServerSetting(raw, serverName, { httpUrl: command.httpUrl, grpcUrl: command.grpcUrl });
  return appendServerSetting(raw, { name: serverName, httpUrl: command.httpUrl, grpcUrl: command.grpcUrl, protocol: 'http' });
}
