// RapidJSON-like JSON for the wire: NaN/Infinity literals, exact 64-bit integers (bigint), RapidJSON error texts.

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

export class JsonParseError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(`${detail} at ${offset}`);
  }
}

const MAX_DEPTH = 128;

/** Parses one JSON value; integers outside the safe range come back as bigint. Trailing bytes are ignored like RapidJSON's stop-when-done mode only when `allowTrailing`. */
export function parseJson(text: string, allowTrailing = false): JsonValue {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) throw new JsonParseError('Nesting too deep.', i);
    ws();
    const c = text[i];
    // RapidJSON: an empty document at the top level; a value cut off inside an object or array is invalid.
    if (c === undefined) throw new JsonParseError(depth === 0 ? 'The document is empty.' : 'Invalid value.', i);
    if (c === '{') {
      i++;
      const obj: { [key: string]: JsonValue } = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new JsonParseError('Missing a name for object member.', i);
        const key = str();
        ws();
        if (text[i] !== ':') throw new JsonParseError('Missing a colon after a name of object member.', i);
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        throw new JsonParseError('Missing a comma or \'}\' after an object member.', i);
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        throw new JsonParseError('Missing a comma or \']\' after an array element.', i);
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    if (text.startsWith('NaN', i)) {
      i += 3;
      return NaN;
    }
    if (text.startsWith('Infinity', i)) {
      i += 8;
      return Infinity;
    }
    if (text.startsWith('-Infinity', i)) {
      i += 9;
      return -Infinity;
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-') throw new JsonParseError('Invalid value.', i);
    i += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new JsonParseError('Missing a closing quotation mark in string.', start);
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && map[e] !== undefined) {
          out += map[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          throw new JsonParseError('Invalid escape character in string.', i);
        }
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw new JsonParseError('Invalid encoding in string.', i);
      out += c;
      i++;
    }
  };
  const v = value(0);
  ws();
  if (!allowTrailing && i < text.length) throw new JsonParseError('The document root must not be followed by other values.', i);
  return v;
}

/** Serializes compactly; bigint as exact digits; non-finite numbers as NaN/Infinity literals like RapidJSON. */
export function stringifyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return JSON.stringify(v);
  }
  if (typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stringifyJson).join(',')}]`;
  if (typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${stringifyJson(x)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return 'null';
}
