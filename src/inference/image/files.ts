// Reading images from disk for the panel and the CLI: a folder means its regular files sorted by name
// (as image_client.py lists them), and every failure names the file and what is wrong with it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeImage } from './decode';
import { ImageError } from './types';
import type { DecodedImage } from './types';

/** Larger files are refused before reading: no image this tool sends needs more. */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

export interface LoadedImage {
  path: string;
  name: string;
  image: DecodedImage;
}

/** A file that could not be used as an image; the message starts with the file's path. */
export class ImageFileError extends Error {
  override readonly name = 'ImageFileError';
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof ImageError) return e.message;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder';
  return e instanceof Error ? e.message : String(e);
}

/** Expands folders into their regular files, sorted by name; files are kept in the order given. */
export async function listImageFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch (e) {
      throw new ImageFileError(p, reasonOf(e));
    }
    if (info.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      // os.path.isfile follows links, so a link to a file counts as a file (and a dangling one does not).
      const files: string[] = [];
      for (const d of entries) {
        if (d.isFile() || (d.isSymbolicLink() && (await stat(join(p, d.name)).then((s) => s.isFile(), () => false)))) files.push(d.name);
      }
      files.sort();
      if (files.length === 0) throw new ImageFileError(p, 'the folder has no files');
      out.push(...files.map((f) => join(p, f)));
    } else if (info.isFile()) {
      out.push(p);
    } else {
      throw new ImageFileError(p, 'not a regular file');
    }
  }
  return out;
}

export function decodeImageFile(path: string, bytes: Uint8Array): DecodedImage {
  try {
    return decodeImage(bytes);
  } catch (e) {
    throw new ImageFileError(path, reasonOf(e));
  }
}

export async function loadImageFile(path: string): Promise<LoadedImage> {
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ImageFileError(path, 'not a regular file');
    if (info.size > MAX_IMAGE_FILE_BYTES) throw new ImageFileError(path, `file too large (${info.size} bytes; at most ${MAX_IMAGE_FILE_BYTES})`);
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof ImageFileError) throw e;
    throw new ImageFileError(path, reasonOf(e));
  }
  return { path, name: basename(path), image: decodeImageFile(path, bytes) };
}

/** Files and folders → decoded images, in image_client.py's order. Rejects with the first bad file. */
export async function loadImages(paths: readonly string[]): Promise<LoadedImage[]> {
  const files = await listImageFiles(paths);
  const images: LoadedImage[] = [];
  for (const f of files) images.push(await loadImageFile(f));
  return images;
}
