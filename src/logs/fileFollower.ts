// Follows a log file like `tail -n N -F`: starts from the last N lines, then reads what is appended;
// a truncated file is read again from the start and a rotated one (new inode) from its beginning.
// Changes are noticed through fs.watch on the folder, with a slow stat poll behind it for file
// systems where watching is unreliable (network mounts, some containers).
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { LineSplitter } from './lineSplitter';
import type { LogSink, LogTail } from './logSource';

export interface FollowOptions {
  /** Lines of existing content to show first (default 1000). */
  tailLines?: number;
  /** Milliseconds between fallback stat checks (default 2000). */
  pollMs?: number;
}

/** Read size: small enough that parsing one read never holds the event loop for long. */
const CHUNK = 256 * 1024;
/** How far back the initial tail may look; a file of huge lines still starts promptly. */
const TAIL_SCAN_LIMIT = 32 * 1024 * 1024;

/** Byte offset where the last `count` lines of the file start. */
async function tailOffset(handle: FileHandle, size: number, count: number): Promise<number> {
  if (count <= 0) return size;
  let newlines = 0;
  let pos = size;
  const buf = Buffer.allocUnsafe(64 * 1024);
  // A trailing newline ends the last line; it does not start another one.
  let skipLast = true;
  while (pos > 0 && size - pos < TAIL_SCAN_LIMIT) {
    const len = Math.min(buf.length, pos);
    pos -= len;
    const { bytesRead } = await handle.read(buf, 0, len, pos);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      if (skipLast && pos + i === size - 1) continue;
      newlines++;
      if (newlines === count) return pos + i + 1;
    }
    skipLast = false;
  }
  return pos;
}

export async function followFile(path: string, sink: LogSink, options: FollowOptions = {}): Promise<LogTail> {
  const follower = new FileFollower(path, sink, options);
  await follower.start();
  return follower;
}

class FileFollower implements LogTail {
  readonly description: string;
  private handle: FileHandle | undefined;
  private ino = -1;
  private pos = 0;
  private splitter = new LineSplitter();
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  private again = false;
  private stopped = false;
  private missingNoticed = false;

  constructor(private readonly path: string, private readonly sink: LogSink, private readonly options: FollowOptions) {
    this.description = `file ${path}`;
  }

  async start(): Promise<void> {
    await this.openCurrent(this.options.tailLines ?? 1000);
    try {
      // Watching the folder sees the file being replaced (rotation) as well as written.
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.check();
      });
      this.watcher.on('error', () => {
        // The poll below keeps the file followed when the folder cannot be watched any longer.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No watcher (unsupported file system): the poll alone follows the file.
    }
    this.timer = setInterval(() => this.check(), this.options.pollMs ?? 2000);
    this.timer.unref?.();
    this.check();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watcher?.close();
    if (this.timer !== undefined) clearInterval(this.timer);
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }

  /** Opens the file now at the path; `tailLines` undefined reads it from the start (a rotated-in file). */
  private async openCurrent(tailLines: number | undefined): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (!this.missingNoticed) {
        this.missingNoticed = true;
        this.sink.notice(`Waiting for ${this.path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist yet' : (error as Error).message}`);
      }
      return false;
    }
    this.missingNoticed = false;
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new Error(`${this.path} is not a regular file`);
    }
    this.handle = handle;
    this.ino = st.ino;
    this.splitter = new LineSplitter();
    this.pos = tailLines === undefined ? 0 : await tailOffset(handle, st.size, tailLines);
    return true;
  }

  private check(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    void this.checkNow()
      .catch((error: unknown) => this.sink.notice(`Reading ${this.path} failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.busy = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.check();
        }
      });
  }

  private async checkNow(): Promise<void> {
    if (this.handle === undefined) {
      if (!(await this.openCurrent(undefined))) return;
      await this.readToEnd();
      return;
    }
    let current: { ino: number; size: number } | undefined;
    try {
      const st = await stat(this.path);
      current = { ino: st.ino, size: st.size };
    } catch {
      current = undefined;
    }
    if (current !== undefined && current.ino !== this.ino) {
      // Rotated: finish the old file (the writer may have added lines before it moved), then switch.
      await this.readToEnd();
      await this.handle.close().catch(() => undefined);
      this.handle = undefined;
      this.sink.notice(`${this.path} was replaced (rotated); reading the new file from its start`);
      if (await this.openCurrent(undefined)) await this.readToEnd();
      return;
    }
    const size = current?.size ?? (await this.handle.stat()).size;
    if (size < this.pos) {
      this.sink.notice(`${this.path} was truncated; reading it again from the start`);
      this.pos = 0;
      this.splitter = new LineSplitter();
    }
    await this.readToEnd();
  }

  private async readToEnd(): Promise<void> {
    const handle = this.handle;
    if (handle === undefined) return;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      if (this.stopped) return;
      const { bytesRead } = await handle.read(buf, 0, CHUNK, this.pos);
      if (bytesRead === 0) return;
      this.pos += bytesRead;
      const lines = this.splitter.push(buf.subarray(0, bytesRead));
      if (lines.length > 0) this.sink.lines(lines);
    }
  }
}
