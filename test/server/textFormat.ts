// Strict protobuf text-format reader: tokens and an untyped field tree, errors as line:column.

export type TokenKind = 'ident' | 'number' | 'string' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Raw text for ident/number/punct; decoded bytes (latin1 string of UTF-8) for strings. */
  text: string;
  line: number;
  column: number;
}

export interface TextScalar {
  kind: 'scalar';
  token: Token;
  /** A leading '-' token was present. */
  negative: boolean;
}

export interface TextMessage {
  kind: 'message';
  fields: TextField[];
  line: number;
  column: number;
}

export type TextValue = TextScalar | TextMessage;

export interface TextField {
  name: string;
  line: number;
  column: number;
  /** More than one value only for list syntax `name: [a, b]`. */
  values: TextValue[];
  /** Written with list syntax (so a singular field is an error even with one element). */
  list: boolean;
}

export class TextFormatError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${line}:${column}: ${detail}`);
    this.name = 'TextFormatError';
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', v: '\v', f: '\f', a: '\x07', b: '\b', '\\': '\\', "'": "'", '"': '"', '?': '?' };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (): number => i - lineStart + 1;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\v' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const start = col();
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j]!)) j++;
      tokens.push({ kind: 'ident', text: source.slice(i, j), line, column: start });
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9A-Fa-f]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?)/.exec(source.slice(i));
      const text = m![0];
      const after = source[i + text.length] ?? '';
      if (/[A-Za-z0-9_.]/.test(after)) throw new TextFormatError(line, start, `Invalid number "${text}${after}"`);
      tokens.push({ kind: 'number', text, line, column: start });
      i += text.length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const bytes: number[] = [];
      let j = i + 1;
      for (;;) {
        if (j >= source.length || source[j] === '\n') throw new TextFormatError(line, start, 'Unexpected end of string.');
        const c = source[j]!;
        if (c === ch) break;
        if (c !== '\\') {
          for (const b of Buffer.from(String.fromCodePoint(source.codePointAt(j)!), 'utf8')) bytes.push(b);
          j += source.codePointAt(j)! > 0xffff ? 2 : 1;
          continue;
        }
        const e = source[j + 1] ?? '';
        if (SIMPLE_ESCAPES[e] !== undefined) {
          bytes.push(SIMPLE_ESCAPES[e]!.charCodeAt(0));
          j += 2;
        } else if (/[0-7]/.test(e)) {
          const m = /^[0-7]{1,3}/.exec(source.slice(j + 1))![0];
          bytes.push(parseInt(m, 8) & 0xff);
          j += 1 + m.length;
        } else if (e === 'x' && /[0-9A-Fa-f]/.test(source[j + 2] ?? '')) {
          const m = /^[0-9A-Fa-f]{1,2}/.exec(source.slice(j + 2))![0];
          bytes.push(parseInt(m, 16));
          j += 2 + m.length;
        } else if ((e === 'u' || e === 'U') && /^[0-9A-Fa-f]+/.test(source.slice(j + 2))) {
          const len = e === 'u' ? 4 : 8;
          const hex = source.slice(j + 2, j + 2 + len);
          if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) throw new TextFormatError(line, col(), `Invalid escape sequence in string literal.`);
          for (const b of Buffer.from(String.fromCodePoint(parseInt(hex, 16)), 'utf8')) bytes.push(b);
          j += 2 + len;
        } else {
          throw new TextFormatError(line, j - lineStart + 1, 'Invalid escape sequence in string literal.');
        }
      }
      const text = Buffer.from(bytes).toString('utf8');
      const prev = tokens[tokens.length - 1];
      // Adjacent literals concatenate, as in C++.
      if (prev && prev.kind === 'string') prev.text += text;
      else tokens.push({ kind: 'string', text, line, column: start });
      i = j + 1;
      continue;
    }
    if ('{}[]<>:,;-'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, line, column: start });
      i++;
      continue;
    }
    throw new TextFormatError(line, start, `Invalid character "${ch}"`);
  }
  return tokens;
}

/** Parses a whole text-format document into the untyped field tree of its top-level message. */
export function parseTextFormat(source: string): TextMessage {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const endPos = (): [number, number] => {
    const last = tokens[tokens.length - 1];
    return last ? [last.line, last.column + last.text.length] : [1, 1];
  };
  const fail = (t: Token | undefined, detail: string): never => {
    const [l, c] = t ? [t.line, t.column] : endPos();
    throw new TextFormatError(l, c, detail);
  };
  const describe = (t: Token | undefined): string => (t ? (t.kind === 'string' ? `"${t.text}"` : t.text) : 'end of input');
  const isPunct = (t: Token | undefined, p: string): boolean => t !== undefined && t.kind === 'punct' && t.text === p;

  function parseScalar(): TextScalar {
    let negative = false;
    if (isPunct(peek(), '-')) {
      negative = true;
      pos++;
    }
    const t = peek();
    if (!t || t.kind === 'punct') return fail(t, `Expected value, got: ${describe(t)}`);
    if (negative && t.kind === 'string') return fail(t, `Expected number, got: ${describe(t)}`);
    pos++;
    return { kind: 'scalar', token: t, negative };
  }

  function parseMessageBody(close: string, open: Token | undefined): TextMessage {
    const msg: TextMessage = { kind: 'message', fields: [], line: open?.line ?? 1, column: open?.column ?? 1 };
    for (;;) {
      const t = peek();
      if (close === '' && t === undefined) return msg;
      if (close !== '' && isPunct(t, close)) {
        pos++;
        return msg;
      }
      if (t === undefined) return fail(t, `Expected "${close}".`);
      if (t.kind !== 'ident') return fail(t, `Expected identifier, got: ${describe(t)}`);
      pos++;
      msg.fields.push(parseFieldRest(t));
      if (isPunct(peek(), ',') || isPunct(peek(), ';')) pos++;
    }
  }

  function parseMessageValue(): TextMessage {
    const open = peek();
    if (isPunct(open, '{')) {
      pos++;
      return parseMessageBody('}', open);
    }
    if (isPunct(open, '<')) {
      pos++;
      return parseMessageBody('>', open);
    }
    return fail(open, `Expected "{", found ${describe(open)}.`);
  }

  function parseFieldRest(nameTok: Token): TextField {
    const field: TextField = { name: nameTok.text, line: nameTok.line, column: nameTok.column, values: [], list: false };
    let colon = false;
    if (isPunct(peek(), ':')) {
      colon = true;
      pos++;
    }
    const t = peek();
    if (isPunct(t, '[')) {
      pos++;
      field.list = true;
      if (isPunct(peek(), ']')) {
        pos++;
        return field;
      }
      for (;;) {
        const v = peek();
        field.values.push(isPunct(v, '{') || isPunct(v, '<') ? parseMessageValue() : requireColon(colon, nameTok, parseScalar));
        if (isPunct(peek(), ',')) {
          pos++;
          continue;
        }
        if (isPunct(peek(), ']')) {
          pos++;
          return field;
        }
        return fail(peek(), `Expected "]", found ${describe(peek())}.`);
      }
    }
    if (isPunct(t, '{') || isPunct(t, '<')) {
      field.values.push(parseMessageValue());
      return field;
    }
    if (!colon) return fail(t, `Expected ":", found ${describe(t)}.`);
    field.values.push(parseScalar());
    return field;
  }

  function requireColon(colon: boolean, nameTok: Token, parse: () => TextScalar): TextScalar {
    if (!colon) fail(nameTok, `Expected ":", found "[".`);
    return parse();
  }

  return parseMessageBody('', undefined);
}
