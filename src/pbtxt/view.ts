// Read-only accessors over a message body for the Triton rules (last value wins, lists flattened).
import type { FieldNode, MessageNode, Range, ScalarNode } from './ast';

export interface Entry<T> {
  field: FieldNode;
  node: T;
}

const views = new WeakMap<MessageNode, MessageView>();

/** One view per message node, so repeated rule passes do not rebuild the field index. */
export function viewOf(node: MessageNode): MessageView {
  let v = views.get(node);
  if (v === undefined) views.set(node, (v = new MessageView(node)));
  return v;
}

export class MessageView {
  private readonly byName = new Map<string, FieldNode[]>();

  constructor(readonly node: MessageNode) {
    for (const f of node.fields) {
      const list = this.byName.get(f.name);
      if (list === undefined) this.byName.set(f.name, [f]);
      else list.push(f);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  fields(name: string): FieldNode[] {
    return this.byName.get(name) ?? [];
  }

  /** Range of the last occurrence of a field (its name), for diagnostics on a field. */
  nameRange(name: string): Range | undefined {
    const list = this.byName.get(name);
    return list?.[list.length - 1].nameRange;
  }

  fieldRange(name: string): Range | undefined {
    const list = this.byName.get(name);
    return list?.[list.length - 1].range;
  }

  /** Every scalar given for `name`, in order, lists flattened. */
  scalars(name: string): Entry<ScalarNode>[] {
    const out: Entry<ScalarNode>[] = [];
    for (const f of this.fields(name)) {
      const v = f.value;
      if (v?.kind === 'scalar') out.push({ field: f, node: v });
      else if (v?.kind === 'list') for (const it of v.items) if (it.kind === 'scalar') out.push({ field: f, node: it });
    }
    return out;
  }

  /** Every message given for `name`, in order, lists flattened. */
  messages(name: string): Entry<MessageView>[] {
    const out: Entry<MessageView>[] = [];
    for (const f of this.fields(name)) {
      const v = f.value;
      if (v?.kind === 'message') out.push({ field: f, node: viewOf(v) });
      else if (v?.kind === 'list') for (const it of v.items) if (it.kind === 'message') out.push({ field: f, node: viewOf(it) });
    }
    return out;
  }

  message(name: string): MessageView | undefined {
    const all = this.messages(name);
    return all.length === 0 ? undefined : all[all.length - 1].node;
  }

  scalar(name: string): ScalarNode | undefined {
    const all = this.scalars(name);
    return all.length === 0 ? undefined : all[all.length - 1].node;
  }

  str(name: string): string | undefined {
    const s = this.scalar(name);
    return s?.scalarKind === 'string' && typeof s.value === 'string' ? s.value : undefined;
  }

  /** Integer value as a number (safe for the sizes configs use); undefined when absent or not an integer. */
  int(name: string): number | undefined {
    const s = this.scalar(name);
    return s !== undefined && typeof s.value === 'bigint' ? Number(s.value) : undefined;
  }

  ints(name: string): Entry<ScalarNode>[] {
    return this.scalars(name).filter((e) => typeof e.node.value === 'bigint');
  }

  ident(name: string): string | undefined {
    const s = this.scalar(name);
    return s?.scalarKind === 'identifier' && typeof s.value === 'string' && !s.negative ? s.value : undefined;
  }

  bool(name: string): boolean {
    const s = this.scalar(name);
    if (s === undefined) return false;
    if (s.scalarKind === 'integer') return s.value === 1n;
    return s.value === 'true' || s.value === 'True' || s.value === 't';
  }

  /** Map entries as key → value node (the entry's `value` scalar or message). */
  mapEntries(name: string): { key: string; keyRange: Range; entry: Entry<MessageView> }[] {
    const out: { key: string; keyRange: Range; entry: Entry<MessageView> }[] = [];
    for (const e of this.messages(name)) {
      const k = e.node.scalar('key');
      out.push({ key: k?.value === undefined ? '' : String(k.value), keyRange: k?.range ?? e.node.node.range, entry: e });
    }
    return out;
  }
}

/** Integers of a repeated field as plain numbers (dims and the like). */
export function dimsOf(view: MessageView, name: string): number[] {
  return view.ints(name).map((e) => Number(e.node.value as bigint));
}
