// Tokenizer for the protobuf text format as Triton's C++ TextFormat parser reads it.

export type TokenKind = 'ident' | 'int' | 'float' | 'string' | 'punct' | 'placeholder' | 'eof';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Source text of the token. */
  text: string;
  /** Decoded string contents (strings only). */
  str?: string;
  /** Set when the token is malformed; the parser reports it and goes on. */
  error?: string;
}

export interface LexResult {
  tokens: Token[];
  comments: { start: number; end: number }[];
}

const PUNCT = new Set(['{', '}', '<', '>', '[', ']', ':', ',', ';', '-']);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Pulls tokens one at a time, so a parse does not keep every token alive at once. */
export class Lexer {
  readonly comments: { start: number; end: number }[] = [];
  private i = 0;

  constructor(private readonly text: string) {}

  next(): Token {
    const text = this.text;
    const n = text.length;
    let i = this.i;
    for (;;) {
      if (i >= n) {
        this.i = n;
        return { kind: 'eof', start: n, end: n, text: '' };
      }
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
        i++;
        continue;
      }
      if (c === 35 /* # */) {
        const start = i;
        const nl = text.indexOf('\n', i);
        i = nl === -1 ? n : nl;
        this.comments.push({ start, end: i });
        continue;
      }
      const tok = this.token(i, c);
      this.i = tok.end;
      return tok;
    }
  }

  private token(start: number, c: number): Token {
    const text = this.text;
    const n = text.length;
    let i = start;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      return { kind: 'ident', start, end: i, text: text.slice(start, i) };
    }
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) return lexNumber(text, start);
    if (c === 34 || c === 39) return lexString(text, start);
    const hole = placeholderAt(text, i);
    if (hole > i) {
      const raw = text.slice(i, hole);
      return { kind: 'placeholder', start, end: hole, text: raw, error: `Unfilled template placeholder ${raw}: replace it with a real value; Triton reads this file literally.` };
    }
    if (c === 47 /* / */ && (text[i + 1] === '/' || text[i + 1] === '*')) {
      // A C-style comment is a common slip; report it once and skip the line instead of cascading.
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      return { kind: 'punct', start, end: i, text: text.slice(start, i), error: 'Comments in config.pbtxt start with "#"; "//" and "/*" are not comments.' };
    }
    const ch = text[i];
    if (PUNCT.has(ch)) return { kind: 'punct', start, end: i + 1, text: ch };
    if (c === 0xfeff) {
      return { kind: 'punct', start, end: i + 1, text: '\ufeff', error: 'The file starts with a byte order mark (BOM), which Triton\'s parser rejects; save it as UTF-8 without BOM.' };
    }
    // Anything else is a stray character; keep it as a token so the parser can point at it.
    const cp = text.codePointAt(i) ?? c;
    const width = cp > 0xffff ? 2 : 1;
    const bad = text.slice(i, i + width);
    return { kind: 'punct', start, end: i + width, text: bad, error: `Unexpected character '${bad}'` };
  }
}

export function tokenize(text: string): LexResult {
  const lexer = new Lexer(text);
  const tokens: Token[] = [];
  for (let t = lexer.next(); ; t = lexer.next()) {
    tokens.push(t);
    if (t.kind === 'eof') break;
  }
  return { tokens, comments: lexer.comments };
}

/** End of a `${name}` or `{{ name }}` template hole starting at `i` on the same line, or `i` when there is none. */
function placeholderAt(text: string, i: number): number {
  const open = text.startsWith('${', i) ? 2 : text.startsWith('{{', i) ? 2 : 0;
  if (open === 0) return i;
  const close = text[i] === '$' ? '}' : '}}';
  const limit = Math.min(text.length, i + 256);
  for (let j = i + open; j < limit; j++) {
    if (text[j] === '\n' || text[j] === '{') return i;
    if (text.startsWith(close, j)) return j + close.length;
  }
  return i;
}

function lexNumber(text: string, start: number): Token {
  const n = text.length;
  let i = start;
  let kind: TokenKind = 'int';
  let error: string | undefined;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    const digits = i;
    while (i < n && isHex(text.charCodeAt(i))) i++;
    if (i === digits) error = '"0x" must be followed by hex digits';
  } else {
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (text[i] === '.') {
      kind = 'float';
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      let j = i + 1;
      if (text[j] === '+' || text[j] === '-') j++;
      if (j < n && isDigit(text.charCodeAt(j))) {
        kind = 'float';
        i = j;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
    }
    if (text[i] === 'f' || text[i] === 'F') {
      kind = 'float';
      i++;
    }
    if (kind === 'int' && text[start] === '0' && i - start > 1) {
      for (let k = start + 1; k < i; k++) {
        if (text.charCodeAt(k) > 55) {
          error = `Numbers starting with 0 are octal; "${text.slice(start, i)}" has a digit above 7`;
          break;
        }
      }
    }
  }
  if (i < n && (isIdentPart(text.charCodeAt(i)) || text[i] === '.')) {
    while (i < n && (isIdentPart(text.charCodeAt(i)) || text[i] === '.')) i++;
    error = `Need space between number and identifier in "${text.slice(start, i)}"`;
  }
  const tok: Token = { kind, start, end: i, text: text.slice(start, i) };
  if (error !== undefined) tok.error = error;
  return tok;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', r: '\r', t: '\t', v: '\v', f: '\f', a: '\x07', b: '\b', '\\': '\\', "'": "'", '"': '"', '?': '?',
};

function lexString(text: string, start: number): Token {
  const quote = text[start];
  const q = quote.charCodeAt(0);
  const n = text.length;
  // Most literals have no escapes: one slice instead of building the value character by character.
  for (let j = start + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === q) return { kind: 'string', start, end: j + 1, text: text.slice(start, j + 1), str: text.slice(start + 1, j) };
    if (c === 92 /* \\ */ || c === 10) break;
  }
  let i = start + 1;
  let out = '';
  let error: string | undefined;
  for (;;) {
    if (i >= n || text[i] === '\n') {
      error = 'String literal is not closed on this line';
      break;
    }
    const ch = text[i];
    if (ch === quote) {
      i++;
      break;
    }
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined || e === '\n') {
      error = 'String literal is not closed on this line';
      i++;
      break;
    }
    if (SIMPLE_ESCAPES[e] !== undefined) {
      out += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e >= '0' && e <= '7') {
      let j = i + 1;
      while (j < i + 4 && j < n && text[j] >= '0' && text[j] <= '7') j++;
      out += String.fromCharCode(parseInt(text.slice(i + 1, j), 8) & 0xff);
      i = j;
    } else if (e === 'x' || e === 'X') {
      let j = i + 2;
      while (j < i + 4 && j < n && isHex(text.charCodeAt(j))) j++;
      if (j === i + 2) {
        error ??= 'Expected hex digits after "\\x"';
      } else {
        out += String.fromCharCode(parseInt(text.slice(i + 2, j), 16));
      }
      i = j;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + len);
      const cp = /^[0-9a-fA-F]+$/.test(hex) && hex.length === len ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(cp) || cp > 0x10ffff) {
        error ??= `Invalid "\\${e}" escape`;
        i += 2;
      } else {
        out += String.fromCodePoint(cp);
        i += 2 + len;
      }
    } else {
      error ??= `Invalid escape sequence "\\${e}" in string literal`;
      out += e;
      i += 2;
    }
  }
  const tok: Token = { kind: 'string', start, end: i, text: text.slice(start, i), str: out };
  if (error !== undefined) tok.error = error;
  return tok;
}
