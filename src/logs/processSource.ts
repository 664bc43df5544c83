// Log lines from a child process: the output of a server the extension launched, or of a command
// whose output is a log (`docker logs -f NAME`, `kubectl logs -f POD -c CONTAINER`). Commands run
// without a shell, so an argument is never re-interpreted; callers check workspace trust first.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { LineSplitter } from './lineSplitter';
import type { LogSink, LogTail } from './logSource';

/**
 * Feeds a process's stdout and stderr to a sink, each through its own splitter so a line is never
 * mixed from both. Returns a function that detaches (the process keeps running).
 */
export function attachProcessOutput(child: Pick<ChildProcess, 'stdout' | 'stderr'>, sink: LogSink): () => void {
  const detach: (() => void)[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    const splitter = new LineSplitter();
    const onData = (chunk: Buffer): void => {
      const lines = splitter.push(chunk);
      if (lines.length > 0) sink.lines(lines);
    };
    const onEnd = (): void => {
      const rest = splitter.end();
      if (rest.length > 0) sink.lines(rest);
    };
    (stream as Readable).on('data', onData);
    (stream as Readable).once('end', onEnd);
    detach.push(() => {
      (stream as Readable).off('data', onData);
      (stream as Readable).off('end', onEnd);
    });
  }
  return () => {
    for (const d of detach) d();
  };
}

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between SIGTERM and SIGKILL on stop (default 3000). */
  killAfterMs?: number;
}

/** Checks an argv from settings: a non-empty array of strings without NUL bytes. */
export function validateCommand(argv: unknown): string | undefined {
  if (!Array.isArray(argv) || argv.length === 0) return 'a log command is a non-empty array of strings, e.g. ["docker", "logs", "-f", "triton"]';
  for (const [i, a] of argv.entries()) {
    if (typeof a !== 'string') return `argument ${i} of the log command is not a string`;
    if (a.includes('\0')) return `argument ${i} of the log command holds a NUL byte`;
  }
  if ((argv[0] as string).trim() === '') return 'the log command has an empty program name';
  return undefined;
}

/** Runs a command and follows its output as a log until stopped. */
export function followCommand(argv: readonly string[], sink: LogSink, options: CommandOptions = {}): Promise<LogTail> {
  const problem = validateCommand(argv);
  if (problem !== undefined) return Promise.reject(new Error(problem));
  const description = `command ${argv.join(' ')}`;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    } catch (error) {
      reject(new Error(`cannot run ${argv[0]!}: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    let stopping = false;
    let settled = false;
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    const detach = attachProcessOutput(child, sink);
    child.once('error', (error) => {
      if (!settled) {
        settled = true;
        reject(new Error(`cannot run ${argv[0]!}: ${error.message}`));
      } else sink.notice(`${description} failed: ${error.message}`);
    });
    child.once('close', (code, signal) => {
      if (!stopping && settled) sink.notice(`${description} ended (${signal !== null ? `signal ${signal}` : `exit code ${code}`})`);
    });
    child.once('spawn', () => {
      settled = true;
      resolve({
        description,
        stop: async () => {
          if (stopping) return exited;
          stopping = true;
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 3000);
            await exited;
            clearTimeout(t);
          }
          detach();
        },
      });
    });
  });
}
