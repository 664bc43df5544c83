// Collects tree redraw requests for a short window and hands them on as one: the whole tree, or the
// outermost of the nodes asked for. VS Code (1.100) refreshes a burst of events for overlapping
// nodes concurrently and then fails with "Element with id … is already registered" — seen at
// start-up, when the server list, the health check and the repository index all land at once.

/** What a batch redraws: everything, or these nodes (none inside another). */
export type RedrawBatch<T> = 'all' | T[];

export class RedrawBatcher<T extends { readonly id: string }> {
  private pending: Set<T> | 'all' | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly windowMs: number, private readonly emit: (batch: RedrawBatch<T>) => void) {}

  /** Asks for a redraw of `node`, or of the whole tree when undefined. */
  request(node: T | undefined): void {
    if (node === undefined) this.pending = 'all';
    else if (this.pending !== 'all') {
      this.pending ??= new Set();
      this.pending.add(node);
    }
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Hands on what is pending now (also what the timer does). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending === 'all') this.emit('all');
    else if (pending !== undefined && pending.size > 0) this.emit(outermost([...pending]));
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}

/** A node whose ancestor is redrawn anyway is left out: node ids are paths (`server:a/model:b`). */
function outermost<T extends { readonly id: string }>(nodes: readonly T[]): T[] {
  return nodes.filter((n) => !nodes.some((other) => other !== n && n.id.startsWith(`${other.id}/`)));
}
