// Outline of a config.pbtxt: fields as a tree, with tensors, instance groups and ensemble steps named.
import type { FieldNode, ListNode, MessageNode, ParsedDocument, Range, ScalarNode } from './ast';

/** Kinds the editor layer maps onto its own symbol kinds. */
export type OutlineKind =
  | 'field' | 'object' | 'array' | 'tensor' | 'instanceGroup' | 'step' | 'entry' | 'enumMember' | 'string' | 'number' | 'boolean';

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: OutlineKind;
  /** The whole element. */
  range: Range;
  /** What to reveal when the symbol is picked: the field name or the element's own name. */
  selectionRange: Range;
  children: OutlineSymbol[];
}

const TENSOR_FIELDS = new Set(['input', 'output']);
/** Elements of these fields are listed by the name they carry rather than their position. */
const NAMING_FIELDS = ['name', 'model_name', 'key', 'input_name', 'target_name', 'family'];

export function documentSymbols(doc: ParsedDocument): OutlineSymbol[] {
  return doc.root.fields.map((f) => fieldSymbol(f));
}

function fieldSymbol(f: FieldNode): OutlineSymbol {
  const v = f.value;
  const base = { range: f.range, selectionRange: f.nameRange };
  if (v === undefined) return { ...base, name: f.name, detail: '', kind: 'field', children: [] };
  if (v.kind === 'scalar') return { ...base, name: f.name, detail: v.text, kind: scalarKind(v), children: [] };
  if (v.kind === 'list') {
    if (v.items.every((x) => x.kind === 'scalar')) {
      return { ...base, name: f.name, detail: `[${v.items.map((x) => (x as ScalarNode).text).join(', ')}]`, kind: 'array', children: [] };
    }
    const children = v.items.map((item, i) =>
      item.kind === 'message' ? elementSymbol(f.name, item, i, item.range, item.range) : scalarItem(item, i),
    );
    return { ...base, name: f.name, detail: `${children.length} ${children.length === 1 ? 'entry' : 'entries'}`, kind: 'array', children };
  }
  // A repeated block written out (`input { ... } input { ... }`) is listed under its own name.
  return elementSymbol(f.name, v, undefined, f.range, f.nameRange);
}

function scalarItem(s: ScalarNode, index: number): OutlineSymbol {
  return { name: `[${index}]`, detail: s.text, kind: scalarKind(s), range: s.range, selectionRange: s.range, children: [] };
}

/** One message: a tensor, an instance group, an ensemble step, a map entry or a plain block. */
function elementSymbol(fieldName: string, m: MessageNode, index: number | undefined, range: Range, nameRange: Range): OutlineSymbol {
  const children = m.fields.map((f) => fieldSymbol(f));
  const named = namingField(m);
  const text = named !== undefined ? scalarLabel(named.value as ScalarNode) : '';
  const label = text === '' ? undefined : text;
  const selectionRange = named?.value?.range ?? nameRange;
  const position = index === undefined ? fieldName : `#${index}`;
  if (TENSOR_FIELDS.has(fieldName)) {
    const dataType = stringOf(m, 'data_type')?.replace(/^TYPE_/, '') ?? '?';
    const dims = dimsOf(m);
    return { name: label ?? position, detail: `${fieldName} ${dataType} ${dims}`, kind: 'tensor', range, selectionRange, children };
  }
  if (fieldName === 'instance_group') {
    const kind = stringOf(m, 'kind') ?? 'KIND_AUTO';
    const count = stringOf(m, 'count') ?? '1';
    const gpus = m.fields.find((f) => f.name === 'gpus');
    const where = gpus?.value?.kind === 'list' ? ` on GPUs ${gpus.value.items.map((x) => (x as ScalarNode).text).join(', ')}` : '';
    return { name: label ?? position, detail: `${count} × ${kind}${where}`, kind: 'instanceGroup', range, selectionRange, children };
  }
  if (fieldName === 'step') {
    const version = stringOf(m, 'model_version');
    const detail = `step${index === undefined ? '' : ` ${index + 1}`}${version !== undefined && version !== '-1' ? ` · version ${version}` : ''}`;
    return { name: label ?? position, detail, kind: 'step', range, selectionRange, children };
  }
  if (m.fields.some((f) => f.name === 'key') && named?.name === 'key') {
    const value = m.fields.find((f) => f.name === 'value')?.value;
    const shown = value?.kind === 'scalar' ? value.text : value?.kind === 'message' ? summary(value) : '';
    return { name: label ?? position, detail: `${fieldName} → ${shown}`, kind: 'entry', range, selectionRange, children };
  }
  if (label !== undefined) return { name: label, detail: fieldName, kind: 'object', range, selectionRange, children };
  return { name: position, detail: index === undefined ? '' : fieldName, kind: 'object', range, selectionRange, children };
}

function namingField(m: MessageNode): FieldNode | undefined {
  for (const name of NAMING_FIELDS) {
    const f = m.fields.find((x) => x.name === name && x.value?.kind === 'scalar');
    if (f !== undefined) return f;
  }
  return undefined;
}

function scalarLabel(s: ScalarNode): string {
  return typeof s.value === 'string' && s.scalarKind === 'string' ? s.value : s.text;
}

function stringOf(m: MessageNode, name: string): string | undefined {
  const v = m.fields.find((f) => f.name === name)?.value;
  return v?.kind === 'scalar' ? scalarLabel(v) : undefined;
}

function dimsOf(m: MessageNode): string {
  const dims: string[] = [];
  for (const f of m.fields) {
    if (f.name !== 'dims' || f.value === undefined) continue;
    if (f.value.kind === 'scalar') dims.push(f.value.text);
    else if (f.value.kind === 'list') for (const x of (f.value as ListNode).items) if (x.kind === 'scalar') dims.push(x.text);
  }
  return `[${dims.join(', ')}]`;
}

function summary(m: MessageNode): string {
  const text = m.fields
    .map((f) => (f.value?.kind === 'scalar' ? `${f.name}: ${f.value.text}` : f.name))
    .join(' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

function scalarKind(s: ScalarNode): OutlineKind {
  if (s.scalarKind === 'string') return 'string';
  if (s.scalarKind === 'integer' || s.scalarKind === 'float') return 'number';
  if (/^(true|false|True|False|t|f)$/.test(s.text)) return 'boolean';
  return /^-?(inf|infinity|nan)$/i.test(s.text) ? 'number' : 'enumMember';
}
