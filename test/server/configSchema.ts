// ModelConfig schema from proto/model_config.proto: typed reading of text format and JSON, Triton's JSON rendering.
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { protoDir } from '../../src/util/protoDir';
import { parseTextFormat, TextFormatError } from './textFormat';
import type { TextMessage, TextScalar, TextValue } from './textFormat';

/** A config as plain JSON: proto field names, enums by name, every number as a JS number. */
export type ConfigObject = Record<string, unknown>;

let cachedRoot: protobuf.Root | undefined;

export function modelConfigRoot(): protobuf.Root {
  if (!cachedRoot) {
    const root = new protobuf.Root();
    root.loadSync(join(protoDir(__dirname), 'model_config.proto'), { keepCase: true });
    root.resolveAll();
    cachedRoot = root;
  }
  return cachedRoot;
}

export function modelConfigType(): protobuf.Type {
  return modelConfigRoot().lookupType('inference.ModelConfig');
}

const INT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
const UNSIGNED = new Set(['uint32', 'uint64', 'fixed32', 'fixed64']);
const WIDE = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

// Triton prints these 64-bit fields as JSON numbers; every other 64-bit field stays a string.
const NUMERIC_64: ReadonlySet<string> = new Set([
  'ModelInput.dims', 'ModelOutput.dims', 'ModelTensorReshape.shape', 'ModelVersionPolicy.Specific.versions',
  'ModelDynamicBatching.max_queue_delay_microseconds', 'ModelDynamicBatching.priority_levels',
  'ModelDynamicBatching.default_priority_level', 'ModelQueuePolicy.default_timeout_microseconds',
  'ModelSequenceBatching.max_sequence_idle_microseconds', 'ModelSequenceBatching.StrategyDirect.max_queue_delay_microseconds',
  'ModelSequenceBatching.StrategyOldest.max_queue_delay_microseconds', 'ModelSequenceBatching.State.dims',
  'ModelSequenceBatching.InitialState.dims', 'ModelEnsembling.Step.model_version', 'ModelWarmup.Input.dims',
]);

function shortName(type: protobuf.Type): string {
  return type.fullName.replace(/^\.inference\./, '');
}

function intRange(type: string): [bigint, bigint] {
  if (type === 'int32' || type === 'sint32' || type === 'sfixed32') return [-(2n ** 31n), 2n ** 31n - 1n];
  if (UNSIGNED.has(type)) return [0n, type.endsWith('32') ? 2n ** 32n - 1n : 2n ** 64n - 1n];
  return [-(2n ** 63n), 2n ** 63n - 1n];
}

// ---------------------------------------------------------------- text format

function textInt(s: TextScalar, fieldType: string): number {
  const t = s.token;
  if (t.kind !== 'number' || /[.eEfF]/.test(t.text.replace(/^0[xX][0-9a-fA-F]+$/, ''))) {
    throw new TextFormatError(t.line, t.column, `Expected integer, got: ${t.text}`);
  }
  if (s.negative && UNSIGNED.has(fieldType)) throw new TextFormatError(t.line, t.column, 'Expected integer, got: -');
  let v: bigint;
  if (/^0[xX]/.test(t.text)) v = BigInt(t.text);
  else if (/^0[0-7]+$/.test(t.text)) v = BigInt('0o' + t.text.slice(1));
  else if (/^0[0-9]+$/.test(t.text)) throw new TextFormatError(t.line, t.column, `Expected integer, got: ${t.text}`);
  else v = BigInt(t.text);
  if (s.negative) v = -v;
  const [lo, hi] = intRange(fieldType);
  if (v < lo || v > hi) throw new TextFormatError(t.line, t.column, `Integer out of range (${t.text})`);
  return Number(v);
}

function textScalar(value: TextValue, field: protobuf.Field, fieldName: string): unknown {
  if (value.kind === 'message') {
    throw new TextFormatError(value.line, value.column, `Expected value for field "${fieldName}", got: {`);
  }
  const t = value.token;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (t.kind === 'ident' && !value.negative) {
      if (resolved.values[t.text] === undefined) {
        throw new TextFormatError(t.line, t.column, `Unknown enumeration value of "${t.text}" for field "${fieldName}".`);
      }
      return t.text;
    }
    const n = textInt(value, 'int32');
    const name = resolved.valuesById[n];
    if (name === undefined) throw new TextFormatError(t.line, t.column, `Unknown enumeration value of "${n}" for field "${fieldName}".`);
    return name;
  }
  if (INT_TYPES.has(field.type)) return textInt(value, field.type);
  if (field.type === 'float' || field.type === 'double') {
    if (t.kind === 'ident') {
      const low = t.text.toLowerCase();
      if (low === 'inf' || low === 'infinity') return value.negative ? -Infinity : Infinity;
      if (low === 'nan') return NaN;
      throw new TextFormatError(t.line, t.column, `Expected double, got: ${t.text}`);
    }
    if (t.kind !== 'number' || /^0[xX]/.test(t.text) || /^0[0-9]/.test(t.text)) throw new TextFormatError(t.line, t.column, `Expected double, got: ${t.text}`);
    const n = Number(t.text.replace(/[fF]$/, ''));
    return value.negative ? -n : n;
  }
  if (field.type === 'bool') {
    const text = t.text;
    if (!value.negative && (text === 'true' || text === 'True' || text === 't' || text === '1')) return true;
    if (!value.negative && (text === 'false' || text === 'False' || text === 'f' || text === '0')) return false;
    throw new TextFormatError(t.line, t.column, `Invalid value for boolean field "${fieldName}". Value: "${text}".`);
  }
  if (field.type === 'string' || field.type === 'bytes') {
    if (t.kind !== 'string') throw new TextFormatError(t.line, t.column, `Expected string, got: ${t.text}`);
    return t.text;
  }
  throw new TextFormatError(t.line, t.column, `Unsupported field type ${field.type}`);
}

function textMessage(msg: TextMessage, type: protobuf.Type): ConfigObject {
  const out: ConfigObject = {};
  const oneofSeen = new Map<string, string>();
  for (const f of msg.fields) {
    const field = type.fields[f.name];
    if (!field) throw new TextFormatError(f.line, f.column, `Message type "${type.fullName.slice(1)}" has no field named "${f.name}".`);
    const mapField = field as unknown as protobuf.MapField;
    if (field.map) {
      const map = (out[f.name] as Record<string, unknown> | undefined) ?? {};
      for (const v of f.values) {
        if (v.kind !== 'message') throw new TextFormatError(f.line, f.column, `Expected "{", found ${v.token.text}.`);
        let key: unknown = mapField.keyType === 'string' ? '' : 0;
        let val: unknown = field.resolvedType instanceof protobuf.Type ? {} : field.resolvedType instanceof protobuf.Enum ? Object.keys(field.resolvedType.values)[0] : defaultScalar(field.type);
        for (const entry of v.fields) {
          if (entry.name === 'key') {
            const keyField = new protobuf.Field('key', 1, mapField.keyType);
            key = textScalar(entry.values[0]!, keyField, 'key');
          } else if (entry.name === 'value') {
            const ev = entry.values[0]!;
            val = field.resolvedType instanceof protobuf.Type ? expectMessage(ev, field.resolvedType, 'value') : textScalar(ev, field, 'value');
          } else {
            throw new TextFormatError(entry.line, entry.column, `Message type "${type.fullName.slice(1)}.${f.name}Entry" has no field named "${entry.name}".`);
          }
        }
        map[String(key)] = val;
      }
      out[f.name] = map;
      continue;
    }
    if (field.partOf) {
      const other = oneofSeen.get(field.partOf.name);
      if (other !== undefined && other !== f.name) {
        throw new TextFormatError(f.line, f.column, `Field "${f.name}" is specified along with field "${other}", another member of oneof "${field.partOf.name}".`);
      }
      oneofSeen.set(field.partOf.name, f.name);
    }
    if (field.repeated) {
      const arr = (out[f.name] as unknown[] | undefined) ?? [];
      for (const v of f.values) arr.push(field.resolvedType instanceof protobuf.Type ? expectMessage(v, field.resolvedType, f.name) : textScalar(v, field, f.name));
      out[f.name] = arr;
      continue;
    }
    if (f.list) throw new TextFormatError(f.line, f.column, `Field "${f.name}" is not repeated; list syntax is not allowed.`);
    const v = f.values[0]!;
    const value = field.resolvedType instanceof protobuf.Type ? expectMessage(v, field.resolvedType, f.name) : textScalar(v, field, f.name);
    const prior = out[f.name];
    const priorSet = prior !== undefined && (field.resolvedType instanceof protobuf.Type || !isDefaultScalar(prior, field));
    if (priorSet) throw new TextFormatError(f.line, f.column, `Non-repeated field "${f.name}" is specified multiple times.`);
    out[f.name] = value;
  }
  return out;
}

function expectMessage(v: TextValue, type: protobuf.Type, name: string): ConfigObject {
  if (v.kind !== 'message') throw new TextFormatError(v.token.line, v.token.column, `Expected "{" for field "${name}", found ${v.token.text}.`);
  return textMessage(v, type);
}

function defaultScalar(type: string): unknown {
  if (type === 'bool') return false;
  if (type === 'string' || type === 'bytes') return '';
  return 0;
}

function isDefaultScalar(v: unknown, field: protobuf.Field): boolean {
  if (field.resolvedType instanceof protobuf.Enum) return field.resolvedType.values[v as string] === 0;
  return v === defaultScalar(field.type);
}

/** Parses config.pbtxt text into a ConfigObject; throws TextFormatError with line:column. */
export function parseConfigText(source: string): ConfigObject {
  return textMessage(parseTextFormat(source), modelConfigType());
}

// ---------------------------------------------------------------- JSON (load override)

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function jsonScalar(v: unknown, field: protobuf.Field, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof v === 'number' && resolved.valuesById[v] !== undefined) return resolved.valuesById[v];
    if (typeof v === 'string') {
      const hit = Object.keys(resolved.values).find((k) => k.toLowerCase() === v.toLowerCase());
      if (hit) return hit;
    }
    throw new Error(`${path}: invalid value ${JSON.stringify(v)} for enum type: ${resolved.fullName.slice(1)}`);
  }
  if (INT_TYPES.has(field.type)) {
    const n = typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new Error(`${path}: invalid value ${JSON.stringify(v)} for type ${field.type.toUpperCase()}`);
    const [lo, hi] = intRange(field.type);
    if (BigInt(n) < lo || BigInt(n) > hi) throw new Error(`${path}: value out of range: ${n}`);
    return n;
  }
  if (field.type === 'float' || field.type === 'double') {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    throw new Error(`${path}: invalid value ${JSON.stringify(v)} for type ${field.type.toUpperCase()}`);
  }
  if (field.type === 'bool') {
    if (typeof v !== 'boolean') throw new Error(`${path}: invalid value ${JSON.stringify(v)} for type TYPE_BOOL`);
    return v;
  }
  if (typeof v !== 'string') throw new Error(`${path}: invalid value ${JSON.stringify(v)} for type TYPE_STRING`);
  return v;
}

function jsonMessage(obj: unknown, type: protobuf.Type, path: string): ConfigObject {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${path || 'config'}: expected an object`);
  const out: ConfigObject = {};
  const byName = new Map<string, protobuf.Field>();
  for (const f of type.fieldsArray) {
    byName.set(f.name, f);
    byName.set(camel(f.name), f);
  }
  const oneofSeen = new Map<string, string>();
  for (const [key, v] of Object.entries(obj as Record<string, unknown>)) {
    const field = byName.get(key);
    const where = path ? `${path}.${key}` : key;
    if (!field) throw new Error(`${where}: Cannot find field.`);
    if (v === null) continue;
    if (out[field.name] !== undefined) throw new Error(`${where}: duplicate field`);
    if (field.partOf) {
      const other = oneofSeen.get(field.partOf.name);
      if (other !== undefined) throw new Error(`${where}: oneof field '${field.partOf.name}' is already set`);
      oneofSeen.set(field.partOf.name, field.name);
    }
    const convert = (x: unknown, p: string): unknown =>
      field.resolvedType instanceof protobuf.Type ? jsonMessage(x, field.resolvedType, p) : jsonScalar(x, field, p);
    if (field.map) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where}: expected an object`);
      const m: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) m[k] = convert(x, `${where}[${k}]`);
      out[field.name] = m;
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw new Error(`${where}: expected an array`);
      out[field.name] = v.map((x, i) => convert(x, `${where}[${i}]`));
    } else {
      out[field.name] = convert(v, where);
    }
  }
  return out;
}

/** Parses a load request's JSON `config` override; throws with protobuf-like messages. */
export function parseConfigJson(text: string): ConfigObject {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`Invalid config override: ${(err as Error).message}`);
  }
  try {
    return jsonMessage(raw, modelConfigType(), '');
  } catch (err) {
    throw new Error(`Invalid config override: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------- Triton JSON rendering

function renderScalar(v: unknown, field: protobuf.Field, owner: protobuf.Type): unknown {
  if (WIDE.has(field.type) && !NUMERIC_64.has(`${shortName(owner)}.${field.name}`)) return String(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return v;
}

function renderMessage(obj: ConfigObject, type: protobuf.Type): ConfigObject {
  const out: ConfigObject = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    const msgType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const one = (x: unknown): unknown => (msgType ? renderMessage(x as ConfigObject, msgType) : renderScalar(x, field, type));
    if (field.map) {
      const m: Record<string, unknown> = {};
      for (const [k, x] of Object.entries((v as Record<string, unknown> | undefined) ?? {})) m[k] = one(x);
      out[field.name] = m;
    } else if (field.repeated) {
      out[field.name] = ((v as unknown[] | undefined) ?? []).map(one);
    } else if (msgType || field.partOf) {
      if (v !== undefined) out[field.name] = one(v);
    } else if (v !== undefined) {
      out[field.name] = one(v);
    } else if (field.resolvedType instanceof protobuf.Enum) {
      out[field.name] = field.resolvedType.valuesById[0];
    } else {
      out[field.name] = renderScalar(defaultScalar(field.type), field, type);
    }
  }
  return out;
}

/** The /config body: snake_case, every scalar printed, unset messages omitted, Triton's int64 choices. */
export function renderConfigJson(config: ConfigObject): ConfigObject {
  return renderMessage(config, modelConfigType());
}
