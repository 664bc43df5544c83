// System shared-memory regions backed by /dev/shm/<key>, read and written with positional file I/O.
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Lease } from './bufferPool';
import { ServerError } from './serverError';

export interface SystemRegion {
  name: string;
  key: string;
  offset: number;
  byteSize: number;
}

const SHM_ROOT = '/dev/shm';

function shmPath(key: string): string {
  return join(SHM_ROOT, key.replace(/^\/+/, ''));
}

/**
 * Opens the object like shm_open (which passes O_NOFOLLOW): a symbolic link planted in the
 * world-writable /dev/shm, or anything but a regular file, is an object that cannot be opened.
 */
function openRegionFile(key: string): number {
  const fail = (): ServerError => new ServerError('INTERNAL', `Unable to open shared memory region: '${key}'`);
  let fd: number;
  try {
    fd = openSync(shmPath(key), constants.O_RDWR | (constants.O_NOFOLLOW ?? 0));
  } catch {
    throw fail();
  }
  let regular = false;
  try {
    regular = fstatSync(fd).isFile();
  } catch {
    // reported below as an object that cannot be opened
  }
  if (!regular) {
    closeSync(fd);
    throw fail();
  }
  return fd;
}

export class SharedMemoryManager {
  private readonly regions = new Map<string, SystemRegion>();

  register(name: string, key: string, offset: number, byteSize: number): void {
    if (this.regions.has(name)) throw new ServerError('ALREADY_EXISTS', `shared memory region '${name}' already in manager`);
    const stripped = key.replace(/^\/+/, '');
    if (stripped === '' || stripped.includes('/')) throw new ServerError('INTERNAL', `Unable to open shared memory region: '${key}'`);
    const fd = openRegionFile(key);
    try {
      const size = fstatSync(fd).size;
      if (offset + byteSize > size) throw new ServerError('INVALID_ARG', `failed to register shared memory region '${name}': invalid args`);
    } finally {
      closeSync(fd);
    }
    this.regions.set(name, { name, key, offset, byteSize });
  }

  unregister(name: string): void {
    this.regions.delete(name);
  }

  unregisterAll(): void {
    this.regions.clear();
  }

  status(name?: string): SystemRegion[] {
    if (name === undefined) return [...this.regions.values()];
    const r = this.regions.get(name);
    if (!r) throw new ServerError('NOT_FOUND', `Unable to find system shared memory region: '${name}'`);
    return [r];
  }

  private checked(name: string, offset: number, byteSize: number): SystemRegion {
    const r = this.regions.get(name);
    if (!r) throw new ServerError('NOT_FOUND', `Unable to find shared memory region: '${name}'`);
    if (offset >= r.byteSize && !(offset === 0 && r.byteSize === 0)) throw new ServerError('INVALID_ARG', `Invalid offset for shared memory region: '${name}'`);
    if (offset + byteSize > r.byteSize) throw new ServerError('INVALID_ARG', `Invalid offset + byte size for shared memory region: '${name}'`);
    return r;
  }

  /** Throws the same errors as read/write would, without touching the file. */
  validate(name: string, offset: number, byteSize: number): void {
    this.checked(name, offset, byteSize);
  }

  read(name: string, offset: number, byteSize: number, lease?: Lease): Buffer {
    const r = this.checked(name, offset, byteSize);
    const buf = lease ? lease.acquire(byteSize) : Buffer.allocUnsafe(byteSize);
    const fd = this.open(r);
    try {
      let done = 0;
      while (done < byteSize) {
        const n = readSync(fd, buf, done, byteSize - done, r.offset + offset + done);
        if (n === 0) throw new ServerError('INTERNAL', `shared memory region '${name}' is smaller than registered`);
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    return buf;
  }

  write(name: string, offset: number, data: Buffer): void {
    const r = this.checked(name, offset, data.length);
    const fd = this.open(r);
    try {
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, r.offset + offset + done);
    } finally {
      closeSync(fd);
    }
  }

  private open(r: SystemRegion): number {
    return openRegionFile(r.key);
  }
}
