// Renders a model configuration in protobuf JSON form (as Triton's /config returns it) as config.pbtxt text.
import type { FieldInfo, FieldType, MessageType, ScalarType, Schema } from './schema';
import { toSnake } from './suggest';

export interface RenderOptions {
  /** Leave out scalars equal to their proto3 default ("" / 0 / false / the first enum value). */
  omitDefaults?: boolean;
}

/** Quotes a string for text format; non-ASCII characters stay as they are (the file is UTF-8). */
export function quotePbtxt(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\' + c.toString(8).padStart(3, '0');
    else out += ch;
  }
  return out + '"';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SHOWN_CHARS = 80;

/** A value as it arrived, short and on one line, for a comment. */
function shown(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  s = s.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return s.length > SHOWN_CHARS ? `${s.slice(0, SHOWN_CHARS)}…` : s;
}

function article(label: string): string {
  return /^[aeio]/i.test(label) ? `an ${label}` : `a ${label}`;
}

function expected(info: FieldInfo): string {
  if (info.map) return article(info.typeLabel);
  return info.repeated ? `a list of ${info.typeLabel}` : article(info.typeLabel);
}

const INT_RANGES: Partial<Record<ScalarType, readonly [bigint, bigint]>> = (() => {
  const signed = (bits: bigint): readonly [bigint, bigint] => [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
  const unsigned = (bits: bigint): readonly [bigint, bigint] => [0n, (1n << bits) - 1n];
  return {
    int32: signed(32n), sint32: signed(32n), sfixed32: signed(32n), uint32: unsigned(32n), fixed32: unsigned(32n),
    int64: signed(64n), sint64: signed(64n), sfixed64: signed(64n), uint64: unsigned(64n), fixed64: unsigned(64n),
  };
})();

const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Text-format literal of a scalar or enum value, or undefined when the JSON value is not one (proto3 JSON rules). */
function scalarText(type: FieldType, v: unknown): string | undefined {
  if (type.kind === 'enum') {
    if (typeof v === 'number' && Number.isSafeInteger(v)) return type.enumType.names.get(v) ?? String(v);
    return typeof v === 'string' && type.enumType.values.has(v) ? v : undefined;
  }
  if (type.kind !== 'scalar') return undefined;
  switch (type.scalar) {
    case 'string':
    case 'bytes':
      return typeof v === 'string' ? quotePbtxt(v) : undefined;
    case 'bool':
      return v === true || v === 'true' ? 'true' : v === false || v === 'false' ? 'false' : undefined;
    case 'float':
    case 'double': {
      if (v === 'NaN') return 'nan';
      if (v === 'Infinity') return 'inf';
      if (v === '-Infinity') return '-inf';
      const n = typeof v === 'number' ? v : typeof v === 'string' && DECIMAL.test(v) ? Number(v) : NaN;
      return Number.isFinite(n) ? String(n) : undefined;
    }
    default: {
      let n: bigint;
      if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
      else if (typeof v === 'string' && /^-?\d{1,40}$/.test(v)) n = BigInt(v);
      else return undefined;
      const range = INT_RANGES[type.scalar];
      return range === undefined || (n >= range[0] && n <= range[1]) ? n.toString() : undefined;
    }
  }
}

class Renderer {
  private readonly lines: string[] = [];

  constructor(private readonly options: RenderOptions) {}

  text(): string {
    return this.lines.length === 0 ? '' : this.lines.join('\n') + '\n';
  }

  /**
   * Fields in the order model_config.proto declares them, as Triton prints them, so the text does
   * not depend on the JSON's key order (protobufjs, for one, puts repeated fields first).
   */
  message(obj: Record<string, unknown>, type: MessageType, depth: number): void {
    const pad = '  '.repeat(depth);
    const byField = new Map<FieldInfo, unknown[]>();
    const unknown: string[] = [];
    for (const [rawKey, value] of Object.entries(obj)) {
      const info = type.fields.get(rawKey) ?? type.fields.get(toSnake(rawKey));
      if (info === undefined) unknown.push(rawKey);
      else byField.set(info, [...(byField.get(info) ?? []), value]);
    }
    for (const info of type.fields.values()) {
      for (const value of byField.get(info) ?? []) this.field(info, value, depth);
    }
    for (const rawKey of unknown) this.lines.push(`${pad}# field ${shown(rawKey)} is not in ${type.name}; left out`);
  }

  // The document claims to show what the server sent: a value that cannot be written as the schema's
  // type is named in a comment rather than coerced to something the server never said.
  private wrongType(info: FieldInfo, value: unknown, pad: string): void {
    this.lines.push(`${pad}# field "${info.name}" has a value that is not ${expected(info)}: ${shown(value)}; left out`);
  }

  private field(info: FieldInfo, value: unknown, depth: number): void {
    const pad = '  '.repeat(depth);
    // proto3 JSON: null stands for the field's default.
    if (value === null || value === undefined) return;
    if (info.map && info.type.kind === 'message') {
      if (!isRecord(value)) return this.wrongType(info, value, pad);
      const entry = info.type.messageType;
      const keyInfo = entry.fields.get('key');
      const valueInfo = entry.fields.get('value');
      if (keyInfo === undefined || valueInfo === undefined) return;
      for (const [k, v] of Object.entries(value)) {
        const key = scalarText(keyInfo.type, k);
        if (key === undefined) {
          this.lines.push(`${pad}# field "${info.name}" has a key that is not ${article(keyInfo.typeLabel)}: ${shown(k)}; left out`);
          continue;
        }
        this.lines.push(`${pad}${info.name} {`);
        this.lines.push(`${pad}  key: ${key}`);
        this.field(valueInfo, v, depth + 1);
        this.lines.push(`${pad}}`);
      }
      return;
    }
    if (info.repeated) {
      if (!Array.isArray(value)) return this.wrongType(info, value, pad);
      if (value.length === 0) return;
      if (info.type.kind === 'message') this.messageList(info, info.type.messageType, value, depth);
      else {
        const items = value.map((v) => scalarText(info.type, v));
        if (items.some((t) => t === undefined)) return this.wrongType(info, value, pad);
        this.lines.push(`${pad}${info.name}: [ ${items.join(', ')} ]`);
      }
      return;
    }
    if (info.type.kind === 'message') {
      if (!isRecord(value)) return this.wrongType(info, value, pad);
      if (Object.keys(value).length === 0) {
        this.lines.push(`${pad}${info.name} { }`);
        return;
      }
      this.lines.push(`${pad}${info.name} {`);
      this.message(value, info.type.messageType, depth + 1);
      this.lines.push(`${pad}}`);
      return;
    }
    const text = scalarText(info.type, value);
    if (text === undefined) return this.wrongType(info, value, pad);
    if (this.options.omitDefaults === true && isDefault(info, value)) return;
    this.lines.push(`${pad}${info.name}: ${text}`);
  }

  private messageList(info: FieldInfo, type: MessageType, items: readonly unknown[], depth: number): void {
    const pad = '  '.repeat(depth);
    this.lines.push(`${pad}${info.name} [`);
    const valid = items.filter(isRecord);
    let written = 0;
    items.forEach((item, i) => {
      if (!isRecord(item)) {
        this.lines.push(`${pad}  # ${info.name}[${i}] is not ${article(type.name)}: ${shown(item)}; left out`);
        return;
      }
      this.lines.push(`${pad}  {`);
      this.message(item, type, depth + 2);
      written++;
      this.lines.push(`${pad}  }${written < valid.length ? ',' : ''}`);
    });
    this.lines.push(`${pad}]`);
  }
}

function isDefault(info: FieldInfo, v: unknown): boolean {
  if (info.type.kind === 'enum') return v === 0 || v === info.type.enumType.names.get(0);
  return v === '' || v === 0 || v === '0' || v === false;
}

/** Renders `json` (an object, or a JSON string) of type inference.ModelConfig as config.pbtxt text. */
export function configJsonToPbtxt(json: unknown, schema: Schema, options: RenderOptions = {}): string {
  const obj: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (!isRecord(obj)) throw new Error('a model configuration must be a JSON object');
  const r = new Renderer(options);
  r.message(obj, schema.root, 0);
  return r.text();
}
