// Child processes for the test host: each in its own process group, killed as a group on stop and
// when this process exits, with output kept for error messages.
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HostProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last lines of stdout and stderr together, for error messages. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal's name); rejects after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<number | string>;
  stop(): Promise<void>;
}

const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    killAllNow();
    removeTempDirsNow();
  });
  // Children live in their own process groups, so a Ctrl-C reaches only us: take them down too,
  // unless the program handles the signal itself (then it stops them in its own way).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      // The exit hook above does the cleaning.
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** SIGKILLs every process group started here that is still running. */
export function killAllNow(): void {
  for (const pid of live) killGroup(pid, 'SIGKILL');
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export interface StartOptions extends SpawnOptions {
  /** Prefix for forwarded output lines; output is not forwarded when undefined. */
  readonly echo?: string;
  /** Called with every output line. */
  readonly onLine?: (line: string) => void;
}

export function startProcess(command: string, args: readonly string[], options: StartOptions = {}): HostProcess {
  installExitHook();
  const { echo, onLine, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  live.add(pid);
  const tail: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitListeners = new Set<() => void>();

  const onChunk = (stream: NodeJS.ReadableStream): void => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 200) tail.shift();
        if (echo !== undefined) console.log(`${echo} ${line}`);
        onLine?.(line);
        for (const l of listeners) l(line);
      }
    });
  };
  onChunk(child.stdout as NodeJS.ReadableStream);
  onChunk(child.stderr as NodeJS.ReadableStream);
  const closed = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(pid);
      for (const l of exitListeners) l();
      resolve();
    });
  });

  return {
    child,
    pid,
    output: () => tail.join('\n'),
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const found = tail.map((line) => line.match(pattern)).find((m) => m !== null);
        if (found) return resolve(found);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(onLineListener);
          exitListeners.delete(onExit);
        };
        const onLineListener = (line: string): void => {
          const m = line.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const onExit = (): void => {
          cleanup();
          reject(new Error(`${command} exited (${exited?.code ?? exited?.signal}) before printing ${pattern}:\n${tail.join('\n')}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${tail.join('\n')}`));
        }, timeoutMs);
        if (exited) return onExit();
        listeners.add(onLineListener);
        exitListeners.add(onExit);
      });
    },
    waitForExit(timeoutMs) {
      return withTimeout(closed, timeoutMs, `${command} ${args.join(' ')}`).then(
        () => exited?.code ?? exited?.signal ?? 'unknown',
      );
    },
    async stop() {
      if (exited) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 3000);
      await closed;
      clearTimeout(timer);
      // Grandchildren that ignored SIGTERM.
      killGroup(pid, 'SIGKILL');
    },
  };
}

export interface TempDir {
  readonly path: string;
  remove(): void;
}

const liveTempDirs = new Set<string>();

/** A fresh folder under the system temp dir, removed by remove() or, failing that, when this process exits. */
export function makeTempDir(prefix: string, options: { removeOnExit?: boolean } = {}): TempDir {
  installExitHook();
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  if (options.removeOnExit !== false) liveTempDirs.add(path);
  return {
    path,
    remove: () => {
      liveTempDirs.delete(path);
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

function removeTempDirsNow(): void {
  for (const path of liveTempDirs) rmSync(path, { recursive: true, force: true });
  liveTempDirs.clear();
}

/** HOME and XDG folders inside `dir`, so nothing the host writes lands in the user's home. */
export function throwawayHomeEnv(dir: string): Record<string, string> {
  const env = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_DATA_HOME: join(dir, '.local/share'),
    XDG_CACHE_HOME: join(dir, '.cache'),
    XDG_RUNTIME_DIR: join(dir, '.run'),
  };
  for (const d of Object.values(env)) mkdirSync(d, { recursive: true, mode: 0o700 });
  return env;
}

/** Rejects with a message naming what was awaited when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
