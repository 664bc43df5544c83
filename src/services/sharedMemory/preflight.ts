// Checks made before a region is created or registered, each failing with what is wrong and what
// to do: no /dev/shm here, too little room in it, a server in another IPC namespace or refusing
// client shared memory, a name already taken, a range past the object, an offset old servers mishandle.
import { randomBytes } from 'node:crypto';
import { stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { createSharedMemoryRegion, destroySharedMemoryRegion } from '../../triton/sharedMemory';
import type { TritonClient } from '../../triton/clientTypes';
import { TritonError } from '../../triton/errors';

export const DEFAULT_SHM_DIR = '/dev/shm';

/** The part of a Triton client shared-memory work needs. */
export type ShmClient = Pick<
  TritonClient,
  'systemSharedMemoryStatus' | 'registerSystemSharedMemory' | 'unregisterSystemSharedMemory' | 'cudaSharedMemoryStatus' | 'registerCudaSharedMemory' | 'unregisterCudaSharedMemory'
>;
const MiB = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}

/** System shared memory needs POSIX shm objects as files under /dev/shm (Linux). */
export async function checkShmAvailable(shmDir = DEFAULT_SHM_DIR, platform: NodeJS.Platform = process.platform): Promise<void> {
  const missing = (why: string): TritonError =>
    new TritonError('unsupported', `system shared memory is not available on this machine: ${why}. It needs a Linux host with ${shmDir}, shared with the server.`);
  if (platform !== 'linux') throw missing(`this is ${platform}, and Triton's system shared memory works through ${DEFAULT_SHM_DIR} on Linux`);
  let info;
  try {
    info = await stat(shmDir);
  } catch {
    throw missing(`${shmDir} does not exist`);
  }
  if (!info.isDirectory()) throw missing(`${shmDir} is not a folder`);
}

/** Room for a new object of byteSize: /dev/shm is a tmpfs of limited size (Docker's default: 64 MB). */
export async function checkFreeSpace(byteSize: number, shmDir = DEFAULT_SHM_DIR): Promise<void> {
  const fs = await statfs(shmDir);
  const free = fs.bavail * fs.bsize;
  if (byteSize > free) {
    throw new TritonError('unavailable', `a ${formatBytes(byteSize)} region does not fit: ${shmDir} has ${formatBytes(free)} free of ${formatBytes(fs.blocks * fs.bsize)}. In a container, raise it (docker run --shm-size=1g …) or use a smaller region.`);
  }
}

/** A region name is one per server: say which region holds it, rather than let the server refuse. */
export async function checkNameFree(client: ShmClient, name: string, signal?: AbortSignal): Promise<void> {
  const [system, cuda] = await Promise.all([
    client.systemSharedMemoryStatus(undefined, { signal }).catch(() => []),
    client.cudaSharedMemoryStatus(undefined, { signal }).catch(() => []),
  ]);
  const s = system.find((r) => r.name === name);
  if (s) throw new TritonError('invalid-argument', `a region named '${name}' is already registered on this server (system, key ${s.key}, ${String(s.byte_size)} bytes): unregister it first or choose another name`);
  const c = cuda.find((r) => r.name === name);
  if (c) throw new TritonError('invalid-argument', `a region named '${name}' is already registered on this server (CUDA, device ${String(c.device_id)}, ${String(c.byte_size)} bytes): unregister it first or choose another name`);
}

/** A registered range must lie inside the object. */
export async function checkObjectRange(key: string, offset: number, byteSize: number, shmDir = DEFAULT_SHM_DIR): Promise<number> {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new TritonError('invalid-argument', `offset ${String(offset)} must be a whole number ≥ 0`);
  if (!Number.isSafeInteger(byteSize) || byteSize <= 0) throw new TritonError('invalid-argument', `size ${String(byteSize)} must be a whole number > 0`);
  const path = join(shmDir, key.replace(/^\/+/, ''));
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new TritonError('invalid-argument', `${path} is not a shared-memory object (not a regular file)`);
    size = info.size;
  } catch (error) {
    if (error instanceof TritonError) throw error;
    throw new TritonError('not-found', `there is no shared-memory object '${key}' on this machine (${path} does not exist): create it first`);
  }
  if (offset + byteSize > size) {
    throw new TritonError('invalid-argument', `offset ${offset} + size ${byteSize} = ${offset + byteSize} bytes goes past the end of '${key}', which holds ${size} bytes`);
  }
  return size;
}

function versionAtMost(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a < major || (a === major && b <= minor);
}

/**
 * Triton 2.59 and older add a non-zero registration offset twice when addressing tensors (fixed in
 * 2.60), and want it page-aligned: refuse what fails there, warn about the rest.
 */
export function offsetProblem(offset: number, serverVersion: string | undefined): { error?: string; warning?: string } {
  if (offset === 0) return {};
  if (!versionAtMost(serverVersion, 2, 59)) return {};
  if (offset % 4096 !== 0) return { error: `Triton ${serverVersion} accepts only page-aligned offsets (multiples of 4096); ${offset} is not` };
  return { warning: `Triton ${serverVersion} addresses tensors in a region registered at a non-zero offset wrongly (offset added twice; fixed in 2.60.0): register at offset 0 and give each tensor its offset instead` };
}

const OPEN_FAILURE = /unable to open shared memory|failed to open|no such file/i;

/**
 * Whether the server sees this machine's /dev/shm: a fresh object with a random name only this
 * call knows is registered and unregistered. A server in another IPC namespace (a container without
 * --ipc=host, another host) cannot open it; one that refuses client shared memory says so.
 */
export async function probeSameNamespace(client: ShmClient, options: { shmDir?: string; signal?: AbortSignal } = {}): Promise<void> {
  const key = `/triton_workbench_probe_${randomBytes(8).toString('hex')}`;
  const name = key.slice(1);
  const region = await createSharedMemoryRegion(key, 64, { createOnly: true, shmDir: options.shmDir });
  try {
    try {
      await client.registerSystemSharedMemory(name, key, 64, 0, { signal: options.signal });
    } catch (error) {
      const e = TritonError.from(error);
      const text = e.serverMessage ?? e.message;
      if (e.kind === 'unavailable' || e.kind === 'deadline' || e.kind === 'cancelled') throw e;
      if (OPEN_FAILURE.test(text)) {
        throw new TritonError('unavailable', `the server cannot open shared memory created here (it answered: ${text}). The server runs in another IPC namespace: start the container with --ipc=host or give it the same /dev/shm (-v /dev/shm:/dev/shm), and use system shared memory only with a server on this machine.`, { cause: e });
      }
      throw new TritonError(e.kind, `the server refused to register client shared memory: ${text}${/allow|client.shm|disabled|not allowed|permission/i.test(text) ? ' (newer Tritons need --allow-client-shm=true)' : ''}`, { cause: e });
    }
    await client.unregisterSystemSharedMemory(name, { signal: options.signal }).catch(() => undefined);
  } finally {
    await destroySharedMemoryRegion(region);
  }
}


const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: MiB, mb: 1e6, mib: MiB, g: 1024 * MiB, gb: 1e9, gib: 1024 * MiB };

/** "4096", "64 KiB", "1.5MiB", "2 GB" → bytes; undefined for anything else. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
