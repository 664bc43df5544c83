// Each server's log as one stream: a bounded history, batched appends fanned out to whoever shows it,
// and at most one source feeding it (the configured file or command, or a server launched here).
import { isAbsolute, resolve } from 'node:path';
import { followFile } from '../logs/fileFollower';
import type { LogEntry } from '../logs/logParser';
import { LogPipeline } from '../logs/logPipeline';
import type { LogSink, LogTail } from '../logs/logSource';
import { followCommand } from '../logs/processSource';
import type { ServerConfig, ServerLogSource } from './serverConfig';

export type BatchListener = (entries: LogEntry[], dropped: number) => void;

export class ServerLogStream {
  private readonly pipeline: LogPipeline;
  private readonly listeners = new Set<BatchListener>();
  private readonly clearListeners = new Set<() => void>();
  private tail: LogTail | undefined;
  /** What feeds the stream now, e.g. "file /var/log/triton.log" or "launched server (pid 123)". */
  source: string | undefined;
  /** The configured source the tail was opened from, to tell whether a settings change touched it. */
  sourceKey: string | undefined;

  constructor(readonly serverName: string, maxLines: number) {
    this.pipeline = new LogPipeline({ maxLines, onBatch: (entries, dropped) => {
      for (const l of [...this.listeners]) l(entries, dropped);
    } });
  }

  /** Where sources write. */
  get sink(): LogSink {
    return this.pipeline;
  }

  history(): LogEntry[] {
    return this.pipeline.history();
  }

  onBatch(listener: BatchListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  onClear(listener: () => void): { dispose(): void } {
    this.clearListeners.add(listener);
    return { dispose: () => this.clearListeners.delete(listener) };
  }

  clear(): void {
    this.pipeline.clear();
    for (const l of [...this.clearListeners]) l();
  }

  setMaxLines(maxLines: number): void {
    this.pipeline.setMaxLines(maxLines);
  }

  /** Replaces the source: the previous tail is stopped first. */
  async setTail(tail: LogTail | undefined, label?: string): Promise<void> {
    const previous = this.tail;
    this.tail = tail;
    this.source = tail?.description ?? label;
    if (tail === undefined) this.sourceKey = undefined;
    await previous?.stop();
  }

  get hasTail(): boolean {
    return this.tail !== undefined;
  }

  /** Hands on what is pending now (tests, and before a snapshot). */
  flush(): void {
    this.pipeline.flushNow();
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
    this.pipeline.dispose();
    await this.tail?.stop();
    this.tail = undefined;
  }
}

export interface SourceContext {
  /** Whether commands may run (a trusted workspace). */
  readonly trusted: boolean;
  /** Folder relative log file paths and commands are resolved in (the first workspace folder). */
  readonly cwd?: string;
}

/** A relative log path is taken from the workspace folder; `~/` from the home folder. */
export function resolveLogPath(file: string, cwd: string | undefined, home: string): string {
  if (file === '~' || file.startsWith('~/')) return resolve(home, file.slice(2));
  if (isAbsolute(file)) return file;
  return resolve(cwd ?? home, file);
}

/** Opens a configured source into a sink; refuses commands in an untrusted workspace. */
export async function openLogSource(source: ServerLogSource, sink: LogSink, ctx: SourceContext & { home: string }): Promise<LogTail> {
  if (source.kind === 'file') return followFile(resolveLogPath(source.file, ctx.cwd, ctx.home), sink, { tailLines: source.tailLines });
  if (!ctx.trusted) throw new Error(`the log command (${source.command.join(' ')}) runs only in a trusted workspace; trust the workspace to read this server's log`);
  return followCommand(source.command, sink, ctx.cwd !== undefined ? { cwd: ctx.cwd } : {});
}

/** Identifies a configured source: equal keys mean the same file or command. */
export function logSourceKey(source: ServerLogSource | undefined): string | undefined {
  return source === undefined ? undefined : JSON.stringify(source);
}

/** The streams of every server, created on first use. */
export class ServerLogRegistry {
  private readonly streams = new Map<string, ServerLogStream>();

  constructor(private maxLines: number) {}

  get(serverName: string): ServerLogStream | undefined {
    return this.streams.get(serverName);
  }

  ensure(serverName: string): ServerLogStream {
    let s = this.streams.get(serverName);
    if (s === undefined) {
      s = new ServerLogStream(serverName, this.maxLines);
      this.streams.set(serverName, s);
    }
    return s;
  }

  /**
   * Starts the server's configured source unless its stream is already fed. Returns false when the
   * server has no source configured (and nothing launched feeds it).
   */
  async ensureSource(server: ServerConfig, ctx: SourceContext & { home: string }): Promise<boolean> {
    const stream = this.ensure(server.name);
    if (stream.hasTail || stream.source !== undefined) return true;
    if (server.log === undefined) return false;
    await stream.setTail(await openLogSource(server.log, stream.sink, ctx));
    stream.sourceKey = logSourceKey(server.log);
    return true;
  }

  setMaxLines(maxLines: number): void {
    this.maxLines = maxLines;
    for (const s of this.streams.values()) s.setMaxLines(maxLines);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([...this.streams.values()].map((s) => s.dispose()));
    this.streams.clear();
  }
}

/** The `triton.servers` list with a log source set on one server's entry (its other keys untouched). */
export function withLogSource(raw: unknown, serverName: string, log: Record<string, unknown>): unknown[] {
  if (!Array.isArray(raw)) throw new Error('triton.servers is not a list of servers in settings; add the server there first');
  let found = false;
  const out = raw.map((entry: unknown) => {
    if (found || entry === null || typeof entry !== 'object' || Array.isArray(entry) || (entry as { name?: unknown }).name !== serverName) return entry;
    found = true;
    return { ...(entry as Record<string, unknown>), log };
  });
  if (!found) throw new Error(`server '${serverName}' is not in triton.servers in settings (the built-in default cannot hold a log source); add it first`);
  return out;
}
