// Reading the files a draft names (BYTES elements, .npy inputs): only regular files of bounded size,
// opened without blocking, so a FIFO, a device or /dev/zero is an error that names it, not a hang.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { tensorFromNpy } from '../../inference/inputs/npyInput';
import type { LoadedTensor } from '../../inference/inputs/resolveDraft';

/** No input file this panel sends needs more (the HTTP request body limit of Triton is far below). */
export const MAX_INPUT_FILE_BYTES = 512 * 1024 * 1024;

export async function readInputFile(path: string, limit = MAX_INPUT_FILE_BYTES): Promise<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > limit) throw new Error(`${info.size} bytes; the limit is ${limit}`);
    const buffer = new Uint8Array(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

export async function readNpyInput(path: string): Promise<LoadedTensor> {
  return tensorFromNpy(await readInputFile(path));
}
