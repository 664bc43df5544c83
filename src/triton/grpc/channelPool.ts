// One channel per server and connection settings, shared by every client that talks to it.
import { createHash } from 'node:crypto';

interface Entry<T> {
  channel: T;
  users: number;
}

export interface ChannelLease<T> {
  channel: T;
  /** The last release closes the channel. */
  release(): void;
}

/**
 * Clients for the same server with the same TLS material and options share a channel (and so its
 * connections); headers, deadlines and the closed state stay per client.
 */
export class ChannelPool<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly closeChannel: (channel: T) => void) {}

  acquire(key: string, create: () => T): ChannelLease<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { channel: create(), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users++;
    const held = entry;
    let released = false;
    return {
      channel: held.channel,
      release: () => {
        if (released) return;
        released = true;
        if (--held.users > 0) return;
        if (this.entries.get(key) === held) this.entries.delete(key);
        this.closeChannel(held.channel);
      },
    };
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A pool key for settings that may include secrets: they are hashed, never kept as text. */
export function channelKey(parts: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (part instanceof Uint8Array) hash.update(part);
    else hash.update(JSON.stringify(part) ?? 'undefined');
    hash.update('\0');
  }
  return hash.digest('hex');
}
