// The small file-system interface the validator reads model repositories through, and a Node implementation.
import { readdir, readFile, stat } from 'node:fs/promises';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

/** Paths are native paths; every method answers undefined/false instead of throwing for missing things. */
export interface ConfigFs {
  readDir(path: string): Promise<DirEntry[] | undefined>;
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Uint8Array | undefined>;
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
};
