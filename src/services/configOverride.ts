// config.pbtxt text → ModelConfig protobuf-JSON, for the `config` override of a load request.
// Uses the pbtxt core's parser and the schema read from proto/model_config.proto.
import type { FieldNode, MessageNode, ScalarNode, ValueNode } from '../pbtxt/ast';
import { parse } from '../pbtxt/parser';
import type * as SchemaModule from '../pbtxt/schema';
import type { FieldInfo, MessageType, Schema } from '../pbtxt/schema';

/** The schema module pulls in protobufjs; it loads on the first conversion, not at activation. */
function defaultSchema(): Schema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../pbtxt/schema') as typeof SchemaModule).loadSchema();
}

export class ConfigOverrideError extends Error {
  override readonly name = 'ConfigOverrideError';
  /** 1-based, as editors show them. */
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${line}:${column}: ${message}`);
  }
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const int64Types = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Throws ConfigOverrideError (with the line and column) on syntax errors or unknown fields. */
export function pbtxtToConfigJson(text: string, schema: Schema = defaultSchema()): Record<string, Json> {
  const doc = parse(text);
  const first = doc.errors.find((e) => e.severity === 'error');
  if (first !== undefined) throw new ConfigOverrideError(first.message, first.range.start.line + 1, first.range.start.character + 1);
  return convertMessage(doc.root, schema.root);
}

function fail(node: { range: { start: { line: number; character: number } } }, message: string): never {
  throw new ConfigOverrideError(message, node.range.start.line + 1, node.range.start.character + 1);
}

function convertMessage(node: MessageNode, type: MessageType): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const field of node.fields) {
    const info = type.fields.get(field.name);
    if (info === undefined) fail(field, `'${field.name}' is not a field of ${type.name}`);
    if (field.value === undefined) fail(field, `'${field.name}' has no value`);
    const values = field.value.kind === 'list' ? field.value.items : [field.value];
    if (info.map) {
      const target = (out[info.name] ??= {}) as Record<string, Json>;
      for (const v of values) addMapEntry(field, v, info, target);
      continue;
    }
    const converted = values.map((v) => convertValue(field, v, info));
    if (info.repeated) {
      const list = (out[info.name] ??= []) as Json[];
      list.push(...converted);
    } else {
      if (field.value.kind === 'list') fail(field, `'${field.name}' takes one value, not a list`);
      // Text format lets a singular message appear twice and merges them; scalars: last one wins.
      const prev = out[info.name];
      const next = converted[0]!;
      out[info.name] = isObject(prev) && isObject(next) ? { ...prev, ...next } : next;
    }
  }
  return out;
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return v !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v);
}

function addMapEntry(field: FieldNode, value: ScalarNode | MessageNode | ValueNode, info: FieldInfo, target: Record<string, Json>): void {
  if (value.kind !== 'message' || info.type.kind !== 'message') fail(field, `'${field.name}' entries are written { key: ... value: ... }`);
  const entryType = info.type.messageType;
  const entry = convertMessage(value, entryType);
  const key = entry.key;
  if (key === undefined) fail(value, `a '${field.name}' entry needs a key`);
  const valueField = entryType.fields.get('value');
  target[String(key)] = entry.value ?? (valueField?.type.kind === 'message' ? {} : defaultScalar(valueField));
}

function defaultScalar(info: FieldInfo | undefined): Json {
  if (info === undefined || info.type.kind !== 'scalar') return '';
  if (info.type.scalar === 'string' || info.type.scalar === 'bytes') return '';
  return info.type.scalar === 'bool' ? false : 0;
}

function convertValue(field: FieldNode, value: ScalarNode | MessageNode | ValueNode, info: FieldInfo): Json {
  const t = info.type;
  if (t.kind === 'message') {
    if (value.kind !== 'message') fail(value, `'${field.name}' is a ${t.messageType.name} message: write ${field.name} { ... }`);
    return convertMessage(value, t.messageType);
  }
  if (value.kind !== 'scalar') fail(value, `'${field.name}' takes a ${info.typeLabel} value`);
  if (t.kind === 'enum') {
    if (value.scalarKind === 'identifier' && typeof value.value === 'string' && t.enumType.values.has(value.value)) return value.value;
    if (value.scalarKind === 'integer' && typeof value.value === 'bigint' && t.enumType.names.has(Number(value.value))) return t.enumType.names.get(Number(value.value))!;
    fail(value, `'${value.text}' is not a ${t.enumType.name} value`);
  }
  switch (t.scalar) {
    case 'string':
    case 'bytes':
      if (value.scalarKind !== 'string' || typeof value.value !== 'string') fail(value, `'${field.name}' takes a quoted string`);
      return value.value;
    case 'bool':
      if (value.scalarKind === 'identifier' && (value.value === 'true' || value.value === 'True' || value.value === 't')) return true;
      if (value.scalarKind === 'identifier' && (value.value === 'false' || value.value === 'False' || value.value === 'f')) return false;
      if (value.scalarKind === 'integer' && (value.value === 0n || value.value === 1n)) return value.value === 1n;
      fail(value, `'${field.name}' takes true or false`);
    // falls through: fail() never returns
    case 'float':
    case 'double':
      if (typeof value.value === 'number') return value.value;
      if (typeof value.value === 'bigint') return Number(value.value);
      if (value.scalarKind === 'identifier' && /^-?(inf|infinity|nan)$/i.test(value.text)) return value.text.toLowerCase().includes('nan') ? 'NaN' : value.text.startsWith('-') ? '-Infinity' : 'Infinity';
      fail(value, `'${field.name}' takes a number`);
    // falls through: fail() never returns
    default: {
      if (value.scalarKind !== 'integer' || typeof value.value !== 'bigint') fail(value, `'${field.name}' takes an integer`);
      // 64-bit values beyond 2^53 go as strings, which protobuf JSON accepts exactly.
      const big = value.value;
      if (int64Types.has(t.scalar) && (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER))) return big.toString();
      return Number(big);
    }
  }
}
