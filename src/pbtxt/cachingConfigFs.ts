// A ConfigFs for the editor, which revalidates on every pause in typing: file contents are kept
// while their size and modification time stay the same, so a model file is read once, not per keystroke.
import { stat } from 'node:fs/promises';
import type { ConfigFs, DirEntry } from './configFs';
import { nodeConfigFs } from './configFs';

export interface CachingOptions {
  /** Files larger than this are not read at all (their checks are skipped). */
  maxFileBytes?: number;
  /** Total bytes kept; the least recently used files are dropped first. */
  maxCachedBytes?: number;
}

const MiB = 1024 * 1024;

export function createCachingConfigFs(base: ConfigFs = nodeConfigFs, options: CachingOptions = {}): ConfigFs {
  const maxFile = options.maxFileBytes ?? 256 * MiB;
  const budget = options.maxCachedBytes ?? 256 * MiB;
  // Map iteration order is insertion order: re-inserting on a hit makes the first entry the oldest.
  const files = new Map<string, { mtimeMs: number; size: number; bytes: Uint8Array }>();
  let cachedBytes = 0;

  const drop = (path: string): void => {
    const old = files.get(path);
    if (old === undefined) return;
    cachedBytes -= old.bytes.byteLength;
    files.delete(path);
  };

  const open = base.open?.bind(base);
  return {
    // Piecewise reads of a model file take a few KiB, so they go straight to the file.
    ...(open === undefined ? {} : { open }),
    readDir: (path: string): Promise<DirEntry[] | undefined> => base.readDir(path),
    exists: (path: string): Promise<boolean> => base.exists(path),
    async readFile(path: string): Promise<Uint8Array | undefined> {
      let info;
      try {
        info = await stat(path);
      } catch {
        drop(path);
        return undefined;
      }
      if (!info.isFile() || info.size > maxFile) {
        drop(path);
        return undefined;
      }
      const hit = files.get(path);
      if (hit !== undefined && hit.mtimeMs === info.mtimeMs && hit.size === info.size) {
        files.delete(path);
        files.set(path, hit);
        return hit.bytes;
      }
      drop(path);
      const bytes = await base.readFile(path);
      if (bytes === undefined || bytes.byteLength > budget) return bytes;
      while (cachedBytes + bytes.byteLength > budget) {
        const oldest = files.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
      files.set(path, { mtimeMs: info.mtimeMs, size: info.size, bytes });
      cachedBytes += bytes.byteLength;
      return bytes;
    },
  };
}
