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

/** Bodies up to this many fields are scanned; larger ones (the top level of a big config) get an index. */
const INDEX_FROM = 16;

export class MessageView {
  private readonly byName: Map<string, FieldNode[]> | undefined;

  constructor(readonly node: MessageNode) {
    if (node.fields.length < INDEX_FROM) return;
    this.byName = new Map();
    for (const f of node.fields) {
      const list = this.byName.get(f.name);
      if (list === undefined) this.byName.set(f.name, [f]);
      else list.push(f);
    }
  }

  has(name: string): boolean {
    if (this.byName !== undefined) return this.byName.has(name);
    for (const f of this.node.fields) if (f.name === name) return true;
    return false;
  }

  fields(name: string): FieldNode[] {
    if (this.byName !== undefined) return this.byName.get(name) ?? [];
    const out: FieldNode[] = [];
    for (const f of this.node.fields) if (f.name === name) out.push(f);
    return out;
  }

  private last(name: string): FieldNode | undefined {
    if (this.byName !== undefined) return this.byName.get(name)?.at(-1);
    const fields = this.node.fields;
    for (let i = fields.length - 1; i >= 0; i--) if (fields[i].name === name) return fields[i];
    return undefined;
  }

  /** Range of the last occurrence of a field (its name), for diagnostics on a field. */
  nameRange(name: string): Range | undefined {
    return this.last(name)?.nameRange;
  }

  fieldRange(name: string): Range | undefined {
    return this.last(name)?.range;
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
    const v = this.last(name)?.value;
    if (v?.kind === 'message') return viewOf(v);
    if (v?.kind !== 'list') return undefined;
    for (let i = v.items.length - 1; i >= 0; i--) {
      const it = v.items[i];
      if (it.kind === 'message') return viewOf(it);
    }
    return undefined;
  }

  scalar(name: string): ScalarNode | undefined {
    const v = this.last(name)?.value;
    if (v?.kind === 'scalar') return v;
    if (v?.kind !== 'list') return undefined;
    for (let i = v.items.length - 1; i >= 0; i--) {
      const it = v.items[i];
      if (it.kind === 'scalar') return it;
    }
    return undefined;
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
