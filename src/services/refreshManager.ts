// Decides when each server is refreshed: named reasons, polling only while the view is visible,
// back-off while a server is unreachable, and at most one refresh in flight (plus one queued) per server.

export type RefreshReason =
  | 'startup'
  | 'manual'
  | 'poll'
  | 'view-visible'
  | 'settings-changed'
  | 'server-switched'
  | 'model-action'
  | 'recovery';

export type RefreshOutcome = 'ok' | 'unreachable';

/** The shortest poll interval, whatever `triton.refreshInterval` says (0 still turns polling off). */
export const minPollIntervalSeconds = 1;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface RefreshManagerOptions {
  /** Does the work for one server; must honour the signal. A throw counts as unreachable. */
  readonly refresh: (serverId: string, reasons: readonly RefreshReason[], signal: AbortSignal) => Promise<RefreshOutcome>;
  /** Seconds between polls; read each time so a settings change applies on the next tick. 0 = no polling. */
  readonly intervalSeconds: () => number;
  /** Upper bound of the back-off delay while a server stays unreachable. */
  readonly maxBackoffSeconds?: number;
  readonly timers?: Timers;
  readonly onError?: (serverId: string, error: unknown) => void;
}

interface ServerSlot {
  inFlight?: { promise: Promise<RefreshOutcome>; controller: AbortController; reasons: RefreshReason[] };
  queued?: { promise: Promise<RefreshOutcome>; reasons: RefreshReason[] };
  pollHandle?: unknown;
  failures: number;
  /** Counts completed refreshes; tests and the bench read it to see coalescing. */
  runs: number;
}

export class RefreshManager {
  private readonly slots = new Map<string, ServerSlot>();
  private readonly timers: Timers;
  private visible = false;
  private disposed = false;

  constructor(private readonly options: RefreshManagerOptions) {
    this.timers = options.timers ?? realTimers;
  }

  /** The servers to look after; slots of removed servers are cancelled. */
  setServers(ids: readonly string[]): void {
    const keep = new Set(ids);
    for (const [id, slot] of this.slots) {
      if (!keep.has(id)) {
        this.stopPoll(slot);
        slot.inFlight?.controller.abort();
        this.slots.delete(id);
      }
    }
    for (const id of ids) if (!this.slots.has(id)) this.slots.set(id, { failures: 0, runs: 0 });
    if (this.visible) for (const id of ids) this.schedulePoll(id);
  }

  /** Polling runs only while the view is visible; becoming visible refreshes at once. */
  setVisible(visible: boolean): void {
    if (this.visible === visible) return;
    this.visible = visible;
    if (visible) {
      for (const id of this.slots.keys()) void this.request(id, 'view-visible');
    } else {
      for (const slot of this.slots.values()) this.stopPoll(slot);
    }
  }

  isVisible(): boolean {
    return this.visible;
  }

  /**
   * Asks for a refresh. While one is running for the server, every request made meanwhile shares a
   * single follow-up run, so a burst of N requests costs at most two runs.
   */
  request(serverId: string, reason: RefreshReason): Promise<RefreshOutcome> {
    if (this.disposed) return Promise.resolve('ok');
    let slot = this.slots.get(serverId);
    if (slot === undefined) {
      slot = { failures: 0, runs: 0 };
      this.slots.set(serverId, slot);
    }
    if (slot.inFlight === undefined) return this.start(serverId, slot, [reason]);
    if (slot.queued !== undefined) {
      if (!slot.queued.reasons.includes(reason)) slot.queued.reasons.push(reason);
      return slot.queued.promise;
    }
    const reasons: RefreshReason[] = [reason];
    const current = slot.inFlight.promise;
    const s = slot;
    const promise = current.then(
      () => this.startQueued(serverId, s),
      () => this.startQueued(serverId, s),
    );
    slot.queued = { promise, reasons };
    return promise;
  }

  /** For readers that only need fresh-enough state: joins a refresh already running instead of queueing another. */
  ensure(serverId: string, reason: RefreshReason): Promise<RefreshOutcome> {
    const inFlight = this.slots.get(serverId)?.inFlight;
    return inFlight !== undefined ? inFlight.promise : this.request(serverId, reason);
  }

  refreshAll(reason: RefreshReason): Promise<RefreshOutcome[]> {
    return Promise.all([...this.slots.keys()].map((id) => this.request(id, reason)));
  }

  /** Consecutive unreachable refreshes of a server (0 when the last one succeeded). */
  failures(serverId: string): number {
    return this.slots.get(serverId)?.failures ?? 0;
  }

  runs(serverId: string): number {
    return this.slots.get(serverId)?.runs ?? 0;
  }

  /** Delay before the next poll: the interval (at least a second), doubled per consecutive failure, capped. */
  nextDelayMs(serverId: string): number | undefined {
    const setting = this.options.intervalSeconds();
    if (!(setting > 0)) return undefined;
    // Each poll asks health, metadata and the index: a tiny interval would hammer every visible server.
    const interval = Math.max(setting, minPollIntervalSeconds);
    const failures = this.failures(serverId);
    const cap = Math.max(interval, this.options.maxBackoffSeconds ?? 60);
    return Math.min(interval * 2 ** Math.min(failures, 16), cap) * 1000;
  }

  dispose(): void {
    this.disposed = true;
    for (const slot of this.slots.values()) {
      this.stopPoll(slot);
      slot.inFlight?.controller.abort();
    }
    this.slots.clear();
  }

  private startQueued(serverId: string, slot: ServerSlot): Promise<RefreshOutcome> {
    const queued = slot.queued;
    slot.queued = undefined;
    if (this.disposed || this.slots.get(serverId) !== slot) return Promise.resolve('ok');
    return this.start(serverId, slot, queued?.reasons ?? ['manual']);
  }

  private start(serverId: string, slot: ServerSlot, reasons: RefreshReason[]): Promise<RefreshOutcome> {
    this.stopPoll(slot);
    const controller = new AbortController();
    const run = async (): Promise<RefreshOutcome> => {
      let outcome: RefreshOutcome;
      try {
        outcome = await this.options.refresh(serverId, reasons, controller.signal);
      } catch (error) {
        this.options.onError?.(serverId, error);
        outcome = 'unreachable';
      }
      slot.runs++;
      slot.failures = outcome === 'ok' ? 0 : slot.failures + 1;
      return outcome;
    };
    const promise = run().finally(() => {
      if (slot.inFlight?.controller === controller) slot.inFlight = undefined;
      if (slot.queued === undefined) this.schedulePoll(serverId);
    });
    slot.inFlight = { promise, controller, reasons };
    return promise;
  }

  private schedulePoll(serverId: string): void {
    const slot = this.slots.get(serverId);
    if (slot === undefined || this.disposed || !this.visible || slot.inFlight !== undefined) return;
    this.stopPoll(slot);
    const delay = this.nextDelayMs(serverId);
    if (delay === undefined) return;
    slot.pollHandle = this.timers.setTimeout(() => {
      slot.pollHandle = undefined;
      void this.request(serverId, slot.failures > 0 ? 'recovery' : 'poll');
    }, delay);
  }

  private stopPoll(slot: ServerSlot): void {
    if (slot.pollHandle !== undefined) {
      this.timers.clearTimeout(slot.pollHandle);
      slot.pollHandle = undefined;
    }
  }
}
