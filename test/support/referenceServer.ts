// Starts the reference Triton server as a real child process on free loopback ports for tests.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ReferenceServerOptions {
  modelRepository?: string;
  httpPort?: number;
  grpcPort?: number;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Serve Prometheus metrics on this port (0 = a free one); off when undefined. */
  metricsPort?: number;
  /** How long to wait for the `ready` line (default 20 s: the first start may build the bundle). */
  startTimeoutMs?: number;
  /**
   * A command the server is started through, given node and its arguments after these words
   * (e.g. `unshare -m -- sh -c '… && exec "$0" "$@"'` for a server with a /dev/shm of its own).
   */
  wrapper?: string[];
}

export interface ReferenceServer {
  /** e.g. http://127.0.0.1:41234 */
  httpUrl: string;
  /** e.g. 127.0.0.1:41235 */
  grpcUrl: string;
  pid: number;
  /** The --log-file given in extraArgs, if any. */
  logFile?: string;
  /** e.g. http://127.0.0.1:41236, when started with `metricsPort`. */
  metricsUrl?: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (already printed or printed later). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');
const RUNNER = join(ROOT, 'test', 'server', 'run.mjs');
const READY = /^ready http=(127\.0\.0\.1:\d+) grpc=(127\.0\.0\.1:\d+)$/m;
const OUTPUT_LIMIT = 256 * 1024;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function logFileOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--log-file') return args[i + 1];
    if (a.startsWith('--log-file=')) return a.slice('--log-file='.length);
  }
  return undefined;
}

export function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  installExitHook();
  const args = [
    RUNNER,
    '--model-repository', options.modelRepository ?? join(ROOT, 'test', 'server', 'models'),
    '--http-port', String(options.httpPort ?? 0),
    '--grpc-port', String(options.grpcPort ?? 0),
    // The server exits when this pipe closes, so a test process that dies (even by SIGKILL) leaves no server behind.
    '--exit-with-parent',
    ...(options.metricsPort !== undefined ? ['--metrics-port', String(options.metricsPort)] : []),
    ...(options.extraArgs ?? []),
  ];
  const [command, ...commandArgs] = [...(options.wrapper ?? []), process.execPath, ...args];
  const child = spawn(command!, commandArgs, { cwd: ROOT, env: { ...process.env, ...(options.env ?? {}) }, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const watchers = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
    for (const w of [...watchers]) w();
  };
  const waitForOutput = (pattern: RegExp, timeoutMs = 5000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(output);
        if (!m) return;
        watchers.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms\n--- server output ---\n${output.slice(-4000)}`));
      }, timeoutMs);
      watchers.add(check);
      check();
    });
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  return new Promise<ReferenceServer>((resolve, reject) => {
    const fail = (why: string): void => {
      cleanup();
      void stop().then(() => reject(new Error(`reference server ${why}\n--- server output ---\n${output.slice(-8000)}`)));
    };
    const timer = setTimeout(() => fail(`did not print its ready line within ${timeoutMs} ms`), timeoutMs);
    const onData = (): void => {
      const m = READY.exec(output);
      if (!m) return;
      cleanup();
      const server: ReferenceServer = {
        httpUrl: `http://${m[1]}`,
        grpcUrl: m[2]!,
        pid: child.pid!,
        output: () => output,
        waitForOutput,
        stop,
      };
      const logFile = logFileOf(options.extraArgs ?? []);
      if (logFile !== undefined) server.logFile = logFile;
      const metrics = /^metrics http=(127\.0\.0\.1:\d+)$/m.exec(output);
      if (metrics) server.metricsUrl = `http://${metrics[1]}`;
      resolve(server);
    };
    const onExit = (code: number | null, signal: string | null): void => fail(`exited before it was ready (code ${code}, signal ${signal})`);
    const onError = (err: Error): void => fail(`could not be spawned: ${err.message}`);
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
