// What every tail source (file, process output, log command) hands its reader, and how it is stopped.

export interface LogSink {
  /** Complete lines, without line terminators, in order. */
  lines(lines: string[]): void;
  /** Something about the source itself (rotated, truncated, exited), shown between log lines. */
  notice(text: string): void;
}

export interface LogTail {
  /** Human-readable origin, e.g. "file /var/log/triton.log" or "command docker logs -f triton". */
  readonly description: string;
  /** Stops reading and releases the file, watcher or process; safe to call twice. */
  stop(): Promise<void>;
}
