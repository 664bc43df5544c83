// Shared-memory regions as a user manages them: create and register, register an existing object,
// unregister, destroy what this extension made, and the server's status merged with what was made
// here. Every region created here is recorded first and removed from the record last, so no path
// (error, deactivation, a removed server, a crash) leaves an object behind unnoticed.
import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createSharedMemoryRegion, destroySharedMemoryRegion, validateShmKey } from '../../triton/sharedMemory';
import { TritonError } from '../../triton/errors';
import type { RegionLedger, RegionRecord } from './regionLedger';
import type { ShmClient } from './preflight';
import { checkFreeSpace, checkNameFree, checkObjectRange, checkShmAvailable, DEFAULT_SHM_DIR, offsetProblem, probeSameNamespace } from './preflight';

export interface RegionServiceDeps {
  readonly ledger: RegionLedger;
  /** The client of a configured server; throws for an unknown one. */
  client(serverId: string): ShmClient | Promise<ShmClient>;
  /** The server's Triton version, when known (for version-specific checks). */
  serverVersion(serverId: string): string | undefined;
  readonly shmDir?: string;
}

export interface RegionRow {
  readonly name: string;
  readonly kind: 'system' | 'cuda';
  readonly key?: string;
  readonly offset?: number;
  readonly byteSize: number;
  readonly deviceId?: number;
  /** In the server's status. */
  readonly registered: boolean;
  /** Made by this extension (in this window or one that died). */
  readonly createdHere: boolean;
  /** Why the row is orphaned: made here but not registered, or registered but its object is gone. */
  readonly orphaned?: 'not-registered' | 'object-missing';
}

export interface CleanupReport {
  readonly removed: string[];
  readonly failures: string[];
}

/** Region names as Triton takes them in a URL path: no '/' and nothing unprintable. */
export function validateRegionName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '') throw new TritonError('invalid-argument', 'a region name is required');
  if (name.length > 255) throw new TritonError('invalid-argument', `region name '${name.slice(0, 40)}…' is longer than 255 characters`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[/\\\u0000-\u001f\u007f]/.test(name)) throw new TritonError('invalid-argument', `region name '${name}' must not contain '/', '\\' or control characters`);
}

function num(x: number | bigint): number {
  return typeof x === 'bigint' ? Number(x) : x;
}

export class SharedMemoryService {
  private readonly shmDir: string;

  constructor(private readonly deps: RegionServiceDeps) {
    this.shmDir = deps.shmDir ?? DEFAULT_SHM_DIR;
  }

  private objectPath(key: string): string {
    return join(this.shmDir, key.replace(/^\/+/, ''));
  }

  /**
   * Creates a new object (never reuses an existing one), records it, checks that the server shares
   * this /dev/shm, and registers it. On any failure the object is removed again.
   */
  async createAndRegister(serverId: string, region: { name: string; key: string; byteSize: number }, signal?: AbortSignal): Promise<RegionRecord> {
    validateRegionName(region.name);
    validateShmKey(region.key);
    if (!Number.isSafeInteger(region.byteSize) || region.byteSize <= 0) throw new TritonError('invalid-argument', `size ${String(region.byteSize)} must be a whole number of bytes > 0`);
    await checkShmAvailable(this.shmDir);
    const client = await this.deps.client(serverId);
    await checkNameFree(client, region.name, signal);
    await checkFreeSpace(region.byteSize, this.shmDir);
    await probeSameNamespace(client, { shmDir: this.shmDir, signal });
    if (this.deps.ledger.all().some((r) => r.key === region.key)) {
      throw new TritonError('invalid-argument', `'${region.key}' was already created by this extension: destroy it first or choose another key`);
    }
    const record = { name: region.name, key: region.key, byteSize: region.byteSize, serverId };
    // Recorded before the object exists: a crash from here on leaves a record for the next start to clean up.
    await this.deps.ledger.add(record);
    try {
      const handle = await createSharedMemoryRegion(region.key, region.byteSize, { createOnly: true, shmDir: this.shmDir });
      await destroySharedMemoryRegion(handle, { unlink: false });
    } catch (error) {
      // Not ours (it existed already) or never made: nothing to unlink.
      await this.deps.ledger.remove([region.key]).catch(() => undefined);
      throw TritonError.from(error);
    }
    try {
      await client.registerSystemSharedMemory(region.name, region.key, region.byteSize, 0, { signal });
    } catch (error) {
      await this.unlinkObject(region.key).catch(() => undefined);
      await this.deps.ledger.remove([region.key]).catch(() => undefined);
      throw TritonError.from(error);
    }
    return this.deps.ledger.mine().find((r) => r.key === region.key) ?? { ...record, pid: process.pid, createdAt: Date.now() };
  }

  /** Registers (part of) an object that exists already; returns a warning for old servers. */
  async registerExisting(serverId: string, region: { name: string; key: string; offset: number; byteSize: number }, signal?: AbortSignal): Promise<{ warning?: string }> {
    validateRegionName(region.name);
    validateShmKey(region.key);
    await checkShmAvailable(this.shmDir);
    await checkObjectRange(region.key, region.offset, region.byteSize, this.shmDir);
    const offset = offsetProblem(region.offset, this.deps.serverVersion(serverId));
    if (offset.error) throw new TritonError('invalid-argument', offset.error);
    const client = await this.deps.client(serverId);
    await checkNameFree(client, region.name, signal);
    await probeSameNamespace(client, { shmDir: this.shmDir, signal });
    await client.registerSystemSharedMemory(region.name, region.key, region.byteSize, region.offset, { signal });
    return offset.warning ? { warning: offset.warning } : {};
  }

  async registerCuda(serverId: string, region: { name: string; rawHandle: Uint8Array; deviceId: number; byteSize: number }, signal?: AbortSignal): Promise<void> {
    validateRegionName(region.name);
    if (region.rawHandle.byteLength !== 64) throw new TritonError('invalid-argument', `a cudaIpcMemHandle_t is 64 bytes; the handle given decodes to ${region.rawHandle.byteLength}`);
    if (!Number.isSafeInteger(region.deviceId) || region.deviceId < 0) throw new TritonError('invalid-argument', `device id ${String(region.deviceId)} must be a whole number ≥ 0`);
    if (!Number.isSafeInteger(region.byteSize) || region.byteSize <= 0) throw new TritonError('invalid-argument', `size ${String(region.byteSize)} must be a whole number of bytes > 0`);
    const client = await this.deps.client(serverId);
    await checkNameFree(client, region.name, signal);
    await client.registerCudaSharedMemory(region.name, region.rawHandle, region.deviceId, region.byteSize, { signal });
  }

  /** Unregisters one region (or every region of that kind when `name` is omitted). */
  async unregister(serverId: string, kind: 'system' | 'cuda', name?: string, signal?: AbortSignal): Promise<void> {
    const client = await this.deps.client(serverId);
    if (kind === 'system') await client.unregisterSystemSharedMemory(name, { signal });
    else await client.unregisterCudaSharedMemory(name, { signal });
  }

  /**
   * Removes an object this extension created: unregisters it from its server when it is registered
   * there (a server that cannot be reached does not stop the unlink), unlinks it, forgets it.
   */
  async destroy(record: RegionRecord, signal?: AbortSignal): Promise<void> {
    if (record.name !== '') {
      try {
        const client = await this.deps.client(record.serverId);
        const status = await client.systemSharedMemoryStatus(undefined, { signal });
        const registered = status.find((r) => r.name === record.name && r.key === record.key);
        if (registered) await client.unregisterSystemSharedMemory(record.name, { signal });
      } catch {
        // Unknown or unreachable server: the object is still removed here.
      }
    }
    await this.unlinkObject(record.key);
    await this.deps.ledger.remove([record.key]);
  }

  /** The server's regions merged with the ones made here for it. */
  async regions(serverId: string, signal?: AbortSignal): Promise<RegionRow[]> {
    const client = await this.deps.client(serverId);
    const [system, cuda] = await Promise.all([
      client.systemSharedMemoryStatus(undefined, { signal }),
      client.cudaSharedMemoryStatus(undefined, { signal }).catch((error: unknown) => {
        // A server without GPUs may refuse the CUDA call; its system regions still count.
        if (TritonError.from(error).kind === 'unavailable') throw error;
        return [];
      }),
    ]);
    const made = this.deps.ledger.all().filter((r) => r.serverId === serverId);
    const madeKeys = new Set(made.map((r) => r.key));
    const rows: RegionRow[] = [];
    for (const s of system) {
      const exists = await this.objectExists(s.key);
      rows.push({
        name: s.name, kind: 'system', key: s.key, offset: num(s.offset), byteSize: num(s.byte_size), registered: true,
        createdHere: madeKeys.has(s.key), ...(exists ? {} : { orphaned: 'object-missing' as const }),
      });
    }
    for (const c of cuda) rows.push({ name: c.name, kind: 'cuda', deviceId: num(c.device_id), byteSize: num(c.byte_size), registered: true, createdHere: false });
    for (const r of made) {
      if (system.some((s) => s.key === r.key)) continue;
      rows.push({ name: r.name === '' ? r.key.slice(1) : r.name, kind: 'system', key: r.key, offset: 0, byteSize: r.byteSize, registered: false, createdHere: true, orphaned: 'not-registered' });
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Everything this window made (on deactivation), or what it made for one server (server removed). */
  async cleanupMine(serverId?: string): Promise<CleanupReport> {
    return this.cleanup(this.deps.ledger.mine().filter((r) => serverId === undefined || r.serverId === serverId));
  }

  /** Destroys the given records, one failure not stopping the others. */
  async cleanup(records: readonly RegionRecord[]): Promise<CleanupReport> {
    const removed: string[] = [];
    const failures: string[] = [];
    for (const r of records) {
      try {
        await this.destroy(r, AbortSignal.timeout(5_000));
        removed.push(r.key);
      } catch (error) {
        failures.push(`${r.key}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { removed, failures };
  }

  private async objectExists(key: string): Promise<boolean> {
    try {
      return (await stat(this.objectPath(key))).isFile();
    } catch {
      return false;
    }
  }

  private async unlinkObject(key: string): Promise<void> {
    validateShmKey(key);
    try {
      await unlink(this.objectPath(key));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw new TritonError('permission-denied', `cannot remove ${this.objectPath(key)}: ${(error as Error).message}`);
    }
  }
}
