// The shared-memory regions this extension created, kept in the extension's storage as they are made
// so that regions left behind by a window that died (killed, crashed) are found and offered for
// cleanup at the next start instead of lingering in /dev/shm.

export interface RegionRecord {
  /** The region's name on the server ('' when it was created but never registered). */
  readonly name: string;
  /** The shm_open key, "/name". */
  readonly key: string;
  readonly byteSize: number;
  /** The server it was registered on (setting name). */
  readonly serverId: string;
  /** The extension host process that created it, and when. */
  readonly pid: number;
  readonly createdAt: number;
}

/** Where the records live: the extension's global storage (one machine, every window). */
export interface RecordStore {
  read(): unknown;
  write(records: readonly RegionRecord[]): Promise<void>;
}

function isRecord(x: unknown): x is RegionRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r.name === 'string' && typeof r.key === 'string' && typeof r.serverId === 'string'
    && typeof r.byteSize === 'number' && typeof r.pid === 'number' && typeof r.createdAt === 'number';
}

/** True while a process with this id runs (a process of another user counts as running). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

export class RegionLedger {
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: RecordStore,
    private readonly pid: number = process.pid,
    private readonly alive: (pid: number) => boolean = processAlive,
  ) {}

  /** Every well-formed record (windows share the store: this reads it fresh each time). */
  all(): RegionRecord[] {
    const raw = this.store.read();
    return Array.isArray(raw) ? raw.filter(isRecord) : [];
  }

  /** Records of this process. */
  mine(): RegionRecord[] {
    return this.all().filter((r) => r.pid === this.pid);
  }

  /** Records whose process is gone: what a window that died left behind. */
  leftBehind(): RegionRecord[] {
    return this.all().filter((r) => r.pid !== this.pid && !this.alive(r.pid));
  }

  add(record: Omit<RegionRecord, 'pid' | 'createdAt'>): Promise<void> {
    return this.update((records) => [...records.filter((r) => r.key !== record.key), { ...record, pid: this.pid, createdAt: Date.now() }]);
  }

  /** Updates the server-side name of a record (after registering it). */
  rename(key: string, name: string, serverId: string): Promise<void> {
    return this.update((records) => records.map((r) => (r.key === key ? { ...r, name, serverId } : r)));
  }

  remove(keys: readonly string[]): Promise<void> {
    const gone = new Set(keys);
    return this.update((records) => records.filter((r) => !gone.has(r.key)));
  }

  /** Writes one after another, each from the store's latest content. */
  private update(change: (records: RegionRecord[]) => RegionRecord[]): Promise<void> {
    const next = this.writes.then(() => this.store.write(change(this.all())));
    this.writes = next.catch(() => undefined);
    return next;
  }
}
