// Reused big buffers for request bodies and shared-memory reads: fresh 64 MiB buffers spend most of their time in page faults.

const MIN_POOLED = 1024 * 1024;
const MAX_FREE_BYTES = 512 * 1024 * 1024;

export class BufferPool {
  private free: ArrayBuffer[] = [];

  /** `size` bytes with undefined contents; big sizes come from a free buffer no more than twice as large. */
  acquire(size: number): Buffer {
    if (size < MIN_POOLED) return Buffer.allocUnsafe(size);
    const i = this.free.findIndex((ab) => ab.byteLength >= size && ab.byteLength <= size * 2);
    const ab = i >= 0 ? this.free.splice(i, 1)[0]! : new ArrayBuffer(size);
    return Buffer.from(ab, 0, size);
  }

  /** Gives a buffer from acquire() back; the caller must hold no other reference to it. */
  release(buf: Buffer): void {
    if (buf.byteOffset !== 0 || buf.buffer.byteLength < MIN_POOLED || !(buf.buffer instanceof ArrayBuffer)) return;
    if (this.free.includes(buf.buffer)) return;
    this.free.push(buf.buffer);
    let total = this.free.reduce((n, ab) => n + ab.byteLength, 0);
    while (total > MAX_FREE_BYTES && this.free.length > 0) total -= this.free.shift()!.byteLength;
  }
}

/** The big buffers one request took; released together once its response is gone. */
export class Lease {
  private held: Buffer[] = [];

  constructor(private readonly pool: BufferPool) {}

  acquire(size: number): Buffer {
    const buf = this.pool.acquire(size);
    if (size >= MIN_POOLED) this.held.push(buf);
    return buf;
  }

  release(): void {
    for (const b of this.held) this.pool.release(b);
    this.held = [];
  }

  /**
   * Releases the buffers unless one of `kept` still lies in them (an answer not yet serialized);
   * those are then left to the garbage collector instead of being handed out while in use.
   */
  releaseUnlessIn(kept: readonly Uint8Array[]): void {
    if (kept.some((k) => k.byteLength > 0 && this.held.some((h) => h.buffer === k.buffer))) this.held = [];
    else this.release();
  }
}
