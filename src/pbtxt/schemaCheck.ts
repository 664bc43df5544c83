// Checks a parsed document against the proto schema: fields, value types, enums, oneofs, ranges.
import type { Diagnostic, FieldNode, MessageNode, ParsedDocument, Range, ScalarNode, ValueNode } from './ast';
import type { FieldInfo, MessageType, ScalarType, Schema } from './schema';
import { closest, nearestDataType } from './suggest';

const INT_RANGES: Partial<Record<ScalarType, [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n], sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n], fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n], fixed64: [0n, 2n ** 64n - 1n],
};

const BOOL_WORDS = new Set(['true', 'True', 't', 'false', 'False', 'f']);
const FLOAT_WORDS = new Set(['inf', 'infinity', 'nan']);

export function checkSchema(doc: ParsedDocument, schema: Schema): Diagnostic[] {
  const out: Diagnostic[] = [];
  checkBody(doc.root, schema.root, out);
  return out;
}

function err(out: Diagnostic[], range: Range, code: string, message: string, extra?: Partial<Diagnostic>): void {
  out.push({ range, severity: 'error', code, message, ...extra });
}

/** proto3 "has a value": a scalar equal to its zero default counts as unset. */
function isDefaultScalar(v: ValueNode | undefined): boolean {
  if (v?.kind !== 'scalar') return false;
  if (v.value === undefined) return true;
  if (typeof v.value === 'bigint') return v.value === 0n;
  if (typeof v.value === 'number') return v.value === 0;
  if (v.scalarKind === 'string') return v.value === '';
  return v.value === 'false' || v.value === 'False' || v.value === 'f';
}

/** Bodies this small find earlier fields by scanning; only big ones pay for maps (most bodies are small). */
const SCAN_UP_TO = 12;

function checkBody(node: MessageNode, type: MessageType, out: Diagnostic[]): void {
  const small = node.fields.length <= SCAN_UP_TO;
  const singular = small ? undefined : new Map<string, FieldNode>();
  let oneofSeen: Map<string, FieldNode> | undefined;
  let mapKeys: Map<string, Set<string>> | undefined;
  for (let i = 0; i < node.fields.length; i++) {
    const f = node.fields[i];
    const info = type.fields.get(f.name);
    if (info === undefined) {
      unknownField(f, type, out);
      continue;
    }
    if (f.value === undefined) continue;
    if (info.oneof !== undefined) {
      oneofSeen ??= new Map();
      const prev = oneofSeen.get(info.oneof);
      if (prev !== undefined && prev.name !== f.name) {
        err(out, f.nameRange, 'oneof-conflict',
          `Field "${f.name}" is specified along with field "${prev.name}", another member of oneof "${info.oneof}". Keep only one of them.`);
      } else oneofSeen.set(info.oneof, f);
    }
    if (!info.repeated) {
      if (f.value.kind === 'list') {
        err(out, f.value.range, 'not-repeated', `Field "${f.name}" is not repeated; give a single ${info.typeLabel} value, not a list.`);
      }
      const prev = singular !== undefined ? singular.get(f.name) : earlierSet(node.fields, i);
      if (prev !== undefined && (info.type.kind === 'message' || !isDefaultScalar(prev.value))) {
        err(out, f.nameRange, 'duplicate-field', `Non-repeated field "${f.name}" is specified multiple times (first at line ${prev.nameRange.start.line + 1}). Remove one of them.`);
      }
      if (singular !== undefined && (prev === undefined || isDefaultScalar(prev.value))) singular.set(f.name, f);
    }
    if (f.value.kind === 'list') {
      for (const v of f.value.items) {
        checkValue(f, info, v, out);
        if (info.map && v.kind === 'message') noteMapKey(f, v, (mapKeys ??= new Map()), out);
      }
    } else {
      checkValue(f, info, f.value, out);
      if (info.map && f.value.kind === 'message') noteMapKey(f, f.value, (mapKeys ??= new Map()), out);
    }
  }
}

/**
 * The occurrence of fields[i]'s name that protobuf would see as already set: the first earlier one with a
 * non-default value, else the latest earlier one (so a repeat of a default-valued scalar is accepted).
 */
function earlierSet(fields: readonly FieldNode[], i: number): FieldNode | undefined {
  let found: FieldNode | undefined;
  for (let j = 0; j < i; j++) {
    const g = fields[j];
    if (g.name !== fields[i].name || g.value === undefined) continue;
    if (!isDefaultScalar(g.value)) return g;
    found = g;
  }
  return found;
}

function unknownField(f: FieldNode, type: MessageType, out: Diagnostic[]): void {
  const guess = closest(f.name, type.fields.keys());
  const where = type.isMapEntry ? 'A map entry has only "key" and "value"' : `Message type "${type.fullName}" has no field named "${f.name}"`;
  const message = guess !== undefined ? `${where}. Did you mean "${guess}"?` : `${where}.`;
  const extra: Partial<Diagnostic> = { data: { field: f.name, type: type.fullName, suggestion: guess } };
  if (guess !== undefined) extra.fix = { title: `Change to "${guess}"`, edits: [{ range: f.nameRange, newText: guess }] };
  err(out, f.nameRange, 'unknown-field', message, extra);
}

function noteMapKey(f: FieldNode, entry: MessageNode, mapKeys: Map<string, Set<string>>, out: Diagnostic[]): void {
  const keyField = entry.fields.find((e) => e.name === 'key');
  const k = keyField?.value;
  if (k?.kind !== 'scalar' || k.value === undefined) return;
  const key = String(k.value);
  let seen = mapKeys.get(f.name);
  if (seen === undefined) mapKeys.set(f.name, (seen = new Set()));
  if (seen.has(key)) {
    out.push({ range: k.range, severity: 'warning', code: 'duplicate-map-key', message: `Key "${key}" appears more than once in "${f.name}"; the later entry replaces the earlier one.` });
  }
  seen.add(key);
}

function checkValue(f: FieldNode, info: FieldInfo, v: ValueNode, out: Diagnostic[]): void {
  if (info.type.kind === 'message') {
    if (v.kind !== 'message') {
      // `value: "3"` for a ModelParameter is the usual slip: offer to wrap it in the message's only field.
      const only = info.type.messageType.fields.size === 1 ? [...info.type.messageType.fields.values()][0] : undefined;
      const wrap = v.kind === 'scalar' && only !== undefined && only.type.kind === 'scalar' && only.type.scalar === 'string' && v.scalarKind === 'string';
      err(out, v.range, 'expected-message',
        wrap ? `Field "${f.name}" is a message (${info.typeLabel}); write it as ${f.name} { ${only.name}: ${v.text} }.` : `Field "${f.name}" is a message (${info.typeLabel}); write it as ${f.name} { ... }.`,
        wrap ? { fix: { title: `Wrap in { ${only.name}: ... }`, edits: [{ range: v.range, newText: `{ ${only.name}: ${v.text} }` }] } } : undefined);
      return;
    }
    checkBody(v, info.type.messageType, out);
    return;
  }
  if (v.kind === 'message') {
    err(out, v.range, 'unexpected-message', `Field "${f.name}" holds ${info.typeLabel} values, not a message.`);
    return;
  }
  if (v.kind === 'list') {
    err(out, v.range, 'unexpected-list', `Lists cannot be nested; field "${f.name}" takes ${info.typeLabel} values.`);
    return;
  }
  checkScalar(f, info, v, out);
}

// Names people bring from other frameworks (numpy, ONNX, KServe) for Triton's data types.
const TYPE_ALIASES: Record<string, string> = {
  FLOAT: 'FP32', FLOAT32: 'FP32', FLOAT16: 'FP16', HALF: 'FP16', FLOAT64: 'FP64', DOUBLE: 'FP64',
  BYTES: 'STRING', BFLOAT16: 'BF16', INT: 'INT32', LONG: 'INT64', BOOLEAN: 'BOOL',
};

function enumGuess(word: string, names: Iterable<string>): string | undefined {
  const all = [...names];
  const upper = word.toUpperCase();
  const bare = upper.replace(/^TYPE_/, '');
  const alias = TYPE_ALIASES[bare];
  if (alias !== undefined && all.includes(`TYPE_${alias}`)) return `TYPE_${alias}`;
  const suffixed = all.filter((n) => n.endsWith(`_${bare}`));
  if (suffixed.length === 1) return suffixed[0];
  // An *_INVALID value is the proto's "unset", never a useful suggestion.
  return closest(word, all.filter((n) => !n.endsWith('_INVALID')));
}

function checkScalar(f: FieldNode, info: FieldInfo, v: ScalarNode, out: Diagnostic[]): void {
  if (v.value === undefined) return; // the literal itself is broken; the parser said so
  const t = info.type;
  if (t.kind === 'enum') {
    const e = t.enumType;
    if (v.scalarKind === 'identifier' && !v.negative) {
      if (e.values.has(v.text)) return;
      const guess = enumGuess(v.text, e.values.keys()) ?? (e.name === 'DataType' ? nearestDataType(v.text, e.values.keys()) : undefined);
      const extra: Partial<Diagnostic> = { data: { enum: e.fullName, value: v.text, suggestion: guess } };
      if (guess !== undefined) extra.fix = { title: `Change to ${guess}`, edits: [{ range: v.range, newText: guess }] };
      err(out, v.range, 'unknown-enum-value',
        `Unknown enumeration value of "${v.text}" for field "${f.name}".${guess !== undefined ? ` Did you mean ${guess}?` : ` Expected one of ${[...e.values.keys()].filter((n) => !n.endsWith('_INVALID')).join(', ')}.`}`, extra);
      return;
    }
    if (v.scalarKind === 'integer') {
      const n = v.value as bigint;
      if (n >= -(2n ** 31n) && n < 2n ** 31n && e.names.has(Number(n))) return;
      err(out, v.range, 'unknown-enum-value', `Unknown enumeration number ${n} for field "${f.name}"; ${e.name} has ${[...e.names.keys()].map((k) => `${k} (${e.names.get(k)})`).join(', ')}.`);
      return;
    }
    if (v.scalarKind === 'string' && e.values.has(String(v.value))) {
      err(out, v.range, 'quoted-enum', `Enum values are written without quotes: ${String(v.value)}.`, {
        fix: { title: `Remove the quotes`, edits: [{ range: v.range, newText: String(v.value) }] },
      });
      return;
    }
    err(out, v.range, 'wrong-type', `Field "${f.name}" takes a ${e.name} value name, got ${v.text}.`);
    return;
  }
  if (t.kind !== 'scalar') return;
  const s = t.scalar;
  if (s === 'string' || s === 'bytes') {
    if (v.scalarKind === 'string') return;
    err(out, v.range, 'wrong-type', `Field "${f.name}" takes a string; write it in quotes.`, {
      fix: { title: 'Quote the value', edits: [{ range: v.range, newText: JSON.stringify(v.text) }] },
    });
    return;
  }
  if (s === 'bool') {
    if (v.scalarKind === 'identifier' && !v.negative && BOOL_WORDS.has(v.text)) return;
    if (v.scalarKind === 'integer' && (v.value === 0n || v.value === 1n) && !v.negative) return;
    err(out, v.range, 'wrong-type', `Field "${f.name}" takes true or false, got ${v.text}.`);
    return;
  }
  if (s === 'float' || s === 'double') {
    if (v.scalarKind === 'float') return;
    if (v.scalarKind === 'identifier' && FLOAT_WORDS.has(v.text.replace(/^-/, '').toLowerCase())) return;
    if (v.scalarKind === 'integer') {
      const body = v.text.replace(/^-\s*/, '');
      if (!/^0[0-9xX]/.test(body)) return;
      err(out, v.range, 'wrong-type', `Field "${f.name}" takes a decimal number; hex and octal are not accepted for ${s} fields.`);
      return;
    }
    err(out, v.range, 'wrong-type', `Field "${f.name}" takes a number (${s}), got ${v.text}.`);
    return;
  }
  const bounds = INT_RANGES[s];
  if (v.scalarKind !== 'integer' || bounds === undefined) {
    err(out, v.range, 'wrong-type', `Field "${f.name}" takes an integer (${s}), got ${v.text}.`);
    return;
  }
  const n = v.value as bigint;
  if (n < bounds[0] && bounds[0] === 0n) {
    err(out, v.range, 'integer-range', `Field "${f.name}" is ${s}; it cannot be negative.`);
  } else if (n < bounds[0] || n > bounds[1]) {
    err(out, v.range, 'integer-range', `Integer out of range for field "${f.name}" (${s} holds ${bounds[0]} to ${bounds[1]}).`);
  }
}
