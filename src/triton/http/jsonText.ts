// JSON text as Triton speaks it: rapidjson-style string escaping out; NaN/Infinity and exact 64-bit integers in.
import { TritonError } from '../errors';

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const HEX = '0123456789ABCDEF';

/**
 * A JSON string literal escaped the way python-rapidjson does by default (ensure_ascii): control
 * characters and everything above U+007F as \uXXXX with upper-case hex, so the text is pure ASCII
 * and its length equals its byte length — the same bytes the official Python client sends.
 */
export function jsonString(value: string): string {
  if (PLAIN.test(value)) return `"${value}"`;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x80) out += value[i];
    else if (c === 0x08) out += '\\b';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0d) out += '\\r';
    else out += `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
  }
  return `${out}"`;
}

/** JSON text of a scalar parameter value (numbers as JS prints them; bigints exact). */
export function jsonScalar(value: string | number | boolean | bigint): string {
  switch (typeof value) {
    case 'string': return jsonString(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    default:
      // Triton's rapidjson reader accepts these literals; plain JSON has no spelling for them.
      if (Number.isNaN(value)) return 'NaN';
      if (value === Infinity) return 'Infinity';
      if (value === -Infinity) return '-Infinity';
      return String(value);
  }
}

/**
 * Compact JSON text of plain data, escaped like jsonString (the Python client's request bodies),
 * with bigints written exactly. Undefined members are left out, as JSON.stringify does.
 */
export function toJsonText(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': case 'boolean': case 'bigint': return jsonScalar(value);
    case 'number': return jsonScalar(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJsonText(v))).join(',')}]`;
      const parts: string[] = [];
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) parts.push(`${jsonString(key)}:${toJsonText(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TritonError('invalid-argument', `cannot send a ${typeof value} as JSON`);
  }
}

// An integer literal of 16+ digits standing alone as a value may be beyond 2^53.
const LONG_INTEGER = /[:[,]\s*-?\d{16,}\s*[,\]}]/;

/**
 * Parses a JSON answer. Fast path: JSON.parse. Falls back to an exact parser when the text holds
 * NaN/Infinity literals (which Triton writes for non-finite floats) or integers that JSON.parse
 * would round (those become bigint).
 */
export function parseJsonAnswer(text: string, where?: string): unknown {
  if (!LONG_INTEGER.test(text)) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      // Fall through to the tolerant parser, which also gives a positioned error message.
      return new ExactJsonParser(text, where).parseDocument();
    }
    // JSON.parse itself copes with any depth, but every recursive reader after it (error messages,
    // JSON.stringify, tree views) would overflow the stack. Valid JSON nested d deep is at least 2d
    // characters long, so short answers (the infer hot path) skip the scan.
    if (text.length > 2 * MAX_DEPTH && typeof doc === 'object' && doc !== null && nestedDeeperThan(doc, MAX_DEPTH)) {
      throw tooDeep(undefined, where);
    }
    return doc;
  }
  return new ExactJsonParser(text, where).parseDocument();
}

/** Deepest nesting of arrays and objects accepted in an answer (the exact parser's limit too). */
const MAX_DEPTH = 512;

function tooDeep(offset: number | undefined, where: string | undefined): TritonError {
  const at = offset === undefined ? '' : ` (at offset ${offset})`;
  return new TritonError('protocol', `invalid JSON from the server: arrays or objects nested more than ${MAX_DEPTH} deep${at}`, { request: where });
}

/**
 * Whether `value` holds arrays or objects more than `levelsLeft` levels deep. Walks the parsed value
 * rather than the text: scalars cost one type check each, and the recursion stops at the limit.
 */
function nestedDeeperThan(value: object, levelsLeft: number): boolean {
  if (levelsLeft === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (typeof item === 'object' && item !== null && nestedDeeperThan(item, levelsLeft - 1)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'object' && item !== null && nestedDeeperThan(item, levelsLeft - 1)) return true;
  }
  return false;
}

class ExactJsonParser {
  private at = 0;

  constructor(private readonly text: string, private readonly where?: string) {}

  parseDocument(): unknown {
    this.skipSpace();
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.at !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private fail(what: string): never {
    const excerpt = this.text.slice(Math.max(0, this.at - 20), this.at + 20).replace(/\s+/g, ' ');
    throw new TritonError('protocol', `invalid JSON from the server: ${what} at offset ${this.at} (near "${excerpt}")`, { request: this.where });
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.at++;
      else break;
    }
  }

  private parseValue(depth: number): unknown {
    const c = this.text[this.at];
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH) throw tooDeep(this.at, this.where);
    switch (c) {
      case '{': return this.parseObject(depth);
      case '[': return this.parseArray(depth);
      case '"': return this.parseString();
      case 't': return this.literal('true', true);
      case 'f': return this.literal('false', false);
      case 'n': return this.literal('null', null);
      case 'N': return this.literal('NaN', NaN);
      case 'I': return this.literal('Infinity', Infinity);
      case undefined: return this.fail('unexpected end of text');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
        return this.fail(`unexpected character '${c}'`);
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) this.fail(`expected '${word}'`);
    this.at += word.length;
    return value;
  }

  private parseObject(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === '}') { this.at++; return out; }
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail('expected a member name');
      const key = this.parseString();
      this.skipSpace();
      if (this.text[this.at] !== ':') this.fail("expected ':'");
      this.at++;
      this.skipSpace();
      const value = this.parseValue(depth + 1);
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === '}') return out;
      if (c !== ',') { this.at--; this.fail("expected ',' or '}'"); }
    }
  }

  private parseArray(depth: number): unknown[] {
    const out: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === ']') { this.at++; return out; }
    for (;;) {
      this.skipSpace();
      out.push(this.parseValue(depth + 1));
      this.skipSpace();
      const c = this.text[this.at++];
      if (c === ']') return out;
      if (c !== ',') { this.at--; this.fail("expected ',' or ']'"); }
    }
  }

  private parseString(): string {
    const t = this.text;
    const start = ++this.at;
    // Fast scan for strings without escapes.
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c === 0x22) { this.at++; return t.slice(start, this.at - 1); }
      if (c === 0x5c) break;
      this.at++;
    }
    let out = t.slice(start, this.at);
    while (this.at < t.length) {
      const c = t[this.at++];
      if (c === '"') return out;
      if (c !== '\\') { out += c; continue; }
      const e = t[this.at++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = t.slice(this.at, this.at + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.at += 4;
          break;
        }
        default: this.at--; this.fail('bad escape');
      }
    }
    return this.fail('unterminated string');
  }

  private parseNumber(): number | bigint {
    const t = this.text;
    const start = this.at;
    if (t[this.at] === '-') {
      this.at++;
      if (t.startsWith('Infinity', this.at)) { this.at += 8; return -Infinity; }
    }
    const digitsStart = this.at;
    while (this.at < t.length && t[this.at]! >= '0' && t[this.at]! <= '9') this.at++;
    if (this.at === digitsStart) this.fail('expected digits');
    let integer = true;
    if (t[this.at] === '.') {
      integer = false;
      this.at++;
      const fracStart = this.at;
      while (this.at < t.length && t[this.at]! >= '0' && t[this.at]! <= '9') this.at++;
      if (this.at === fracStart) this.fail('expected digits after the decimal point');
    }
    if (t[this.at] === 'e' || t[this.at] === 'E') {
      integer = false;
      this.at++;
      if (t[this.at] === '+' || t[this.at] === '-') this.at++;
      const expStart = this.at;
      while (this.at < t.length && t[this.at]! >= '0' && t[this.at]! <= '9') this.at++;
      if (this.at === expStart) this.fail('expected exponent digits');
    }
    const literal = t.slice(start, this.at);
    const value = Number(literal);
    if (integer && !Number.isSafeInteger(value)) return BigInt(literal);
    return value;
  }
}
