// The small file-system interface the validator reads model repositories through, and a Node implementation.
import { open, readdir, readFile, stat } from 'node:fs/promises';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

/** A file read in pieces; `read` returns fewer bytes at the end of the file and none past it. */
export interface RandomAccessFile {
  size: number;
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Paths are native paths; every method answers undefined/false instead of throwing for missing things. */
export interface ConfigFs {
  readDir(path: string): Promise<DirEntry[] | undefined>;
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Uint8Array | undefined>;
  /** Optional: lets model files of any size be checked without reading them whole. */
  open?(path: string): Promise<RandomAccessFile | undefined>;
}

/** Model files bigger than this are not read (their signature check is skipped). */
export const MAX_MODEL_FILE_BYTES = 1024 * 1024 * 1024;

export const nodeConfigFs: ConfigFs = {
  async readDir(path: string): Promise<DirEntry[] | undefined> {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
    } catch {
      return undefined;
    }
  },
  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  },
  async readFile(path: string): Promise<Uint8Array | undefined> {
    try {
      const s = await stat(path);
      if (!s.isFile() || s.size > MAX_MODEL_FILE_BYTES) return undefined;
      return await readFile(path);
    } catch {
      return undefined;
    }
  },
  async open(path: string): Promise<RandomAccessFile | undefined> {
    let handle;
    try {
      handle = await open(path, 'r');
      const s = await handle.stat();
      if (!s.isFile()) {
        await handle.close();
        return undefined;
      }
      const h = handle;
      return {
        size: s.size,
        async read(position: number, length: number): Promise<Uint8Array> {
          const want = Math.max(0, Math.min(length, s.size - position));
          if (want === 0) return new Uint8Array(0);
          const buf = Buffer.alloc(want);
          const { bytesRead } = await h.read(buf, 0, want, position);
          return buf.subarray(0, bytesRead);
        },
        close: () => h.close(),
      };
    } catch {
      await handle?.close().catch(() => undefined);
      return undefined;
    }
  },
};
