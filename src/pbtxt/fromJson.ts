// Renders a model configuration in protobuf JSON form (as Triton's /config returns it) as config.pbtxt text.
import type { FieldInfo, MessageType, Schema } from './schema';
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
    for (const rawKey of unknown) this.lines.push(`${pad}# field "${rawKey}" is not in ${type.name}; left out`);
  }

  private field(info: FieldInfo, value: unknown, depth: number): void {
    const pad = '  '.repeat(depth);
    if (value === null || value === undefined) return;
    if (info.map && info.type.kind === 'message') {
      if (!isRecord(value)) return;
      const entry = info.type.messageType;
      const keyInfo = entry.fields.get('key');
      const valueInfo = entry.fields.get('value');
      if (keyInfo === undefined || valueInfo === undefined) return;
      for (const [k, v] of Object.entries(value)) {
        this.lines.push(`${pad}${info.name} {`);
        this.lines.push(`${pad}  key: ${this.scalar(keyInfo, k)}`);
        this.field(valueInfo, v, depth + 1);
        this.lines.push(`${pad}}`);
      }
      return;
    }
    if (info.repeated) {
      if (!Array.isArray(value) || value.length === 0) return;
      if (info.type.kind === 'message') {
        const t = info.type.messageType;
        this.lines.push(`${pad}${info.name} [`);
        value.forEach((item, i) => {
          this.lines.push(`${pad}  {`);
          if (isRecord(item)) this.message(item, t, depth + 2);
          this.lines.push(`${pad}  }${i < value.length - 1 ? ',' : ''}`);
        });
        this.lines.push(`${pad}]`);
      } else {
        this.lines.push(`${pad}${info.name}: [ ${value.map((v) => this.scalar(info, v)).join(', ')} ]`);
      }
      return;
    }
    if (info.type.kind === 'message') {
      if (!isRecord(value)) return;
      if (Object.keys(value).length === 0) {
        this.lines.push(`${pad}${info.name} { }`);
        return;
      }
      this.lines.push(`${pad}${info.name} {`);
      this.message(value, info.type.messageType, depth + 1);
      this.lines.push(`${pad}}`);
      return;
    }
    if (this.options.omitDefaults === true && isDefault(info, value)) return;
    this.lines.push(`${pad}${info.name}: ${this.scalar(info, value)}`);
  }

  private scalar(info: FieldInfo, v: unknown): string {
    const t = info.type;
    if (t.kind === 'enum') {
      if (typeof v === 'number') return t.enumType.names.get(v) ?? String(v);
      const s = String(v);
      const exact = t.enumType.values.has(s) ? s : [...t.enumType.values.keys()].find((k) => k.toLowerCase() === s.toLowerCase());
      return exact ?? quotePbtxt(s);
    }
    if (t.kind !== 'scalar') return quotePbtxt(String(v));
    switch (t.scalar) {
      case 'string':
      case 'bytes':
        return quotePbtxt(String(v));
      case 'bool':
        return v === true || v === 'true' ? 'true' : 'false';
      case 'float':
      case 'double': {
        const n = typeof v === 'number' ? v : Number(v);
        if (Number.isNaN(n)) return 'nan';
        if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
        return String(n);
      }
      default: {
        const s = typeof v === 'string' ? v.trim() : String(v);
        return /^-?\d+$/.test(s) ? s : '0';
      }
    }
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
