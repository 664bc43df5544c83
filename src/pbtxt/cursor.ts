// What is being typed at an offset, read from the tokens so it works on half-written text.
import type { Token } from './lexer';
import { tokenize } from './lexer';
import type { FieldInfo, MessageType, Schema } from './schema';

export interface Opener {
  /** Index of the `{`, `<` or `[` token. */
  index: number;
  /** Field the bracket belongs to; undefined for a message written directly inside a list. */
  field: string | undefined;
}

export interface CursorContext {
  text: string;
  tokens: Token[];
  /** Start of the word (or string contents) being replaced, and its end. */
  replaceStart: number;
  replaceEnd: number;
  /** The typed prefix. */
  prefix: string;
  /** Set when the cursor is inside a string literal. */
  inString: { start: number; closed: boolean } | undefined;
  /** Enclosing brackets, outermost first. */
  openers: Opener[];
  /** Field names from the root to the message holding the cursor (`?` for an unnamed block). */
  path: string[];
  /** The message type holding the cursor; undefined below unknown or scalar fields. */
  messageType: MessageType | undefined;
  /** `value`: after `field:` or inside `field: [`; `field`: where a field name goes. */
  position: { kind: 'field' } | { kind: 'value'; field: string; info: FieldInfo | undefined; inList: boolean } | { kind: 'none' };
}

const OPEN = new Set(['{', '<', '[']);
const CLOSE = new Set(['}', '>', ']']);

function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

export function cursorContext(text: string, schema: Schema, offset: number): CursorContext {
  const lexed = tokenize(text);
  const tokens = lexed.tokens.filter((t) => t.kind !== 'eof');
  const inComment = lexed.comments.some((c) => c.start < offset && offset <= c.end);
  let replaceStart = offset;
  let replaceEnd = offset;
  let inString: CursorContext['inString'];
  const str = tokens.find((t) => t.kind === 'string' && t.start < offset && (offset < t.end || (t.error !== undefined && offset <= t.end)));
  if (str !== undefined) {
    const closed = str.error === undefined;
    inString = { start: str.start, closed };
    replaceStart = str.start + 1;
    replaceEnd = closed ? str.end - 1 : Math.max(offset, str.end);
  } else {
    while (replaceStart > 0 && isWordChar(text.charCodeAt(replaceStart - 1))) replaceStart--;
    while (replaceEnd < text.length && isWordChar(text.charCodeAt(replaceEnd))) replaceEnd++;
  }
  const anchor = inString?.start ?? replaceStart;
  let last = -1;
  for (let i = 0; i < tokens.length && tokens[i].end <= anchor; i++) last = i;

  const openers = enclosingOpeners(tokens, last);
  const fullPath = fieldsPath(tokens, openers);
  const messageType = walk(schema, fullPath);

  const ctx: CursorContext = {
    text, tokens, replaceStart, replaceEnd, prefix: text.slice(replaceStart, offset), inString, openers, path: fullPath, messageType,
    position: { kind: 'field' },
  };
  if (inComment) {
    ctx.position = { kind: 'none' };
    return ctx;
  }
  const prev = tokens[last];
  const innermost = openers[openers.length - 1];
  if (innermost !== undefined && isPunct(tokens[innermost.index], '[')) {
    const field = innermost.field;
    ctx.position = field !== undefined && (isPunct(prev, '[') || isPunct(prev, ','))
      ? { kind: 'value', field, info: messageType?.fields.get(field), inList: true }
      : { kind: 'none' };
    return ctx;
  }
  if (isPunct(prev, ':') && tokens[last - 1]?.kind === 'ident') {
    const field = tokens[last - 1].text;
    ctx.position = { kind: 'value', field, info: messageType?.fields.get(field), inList: false };
  } else if (inString !== undefined || prev?.kind === 'int' || prev?.kind === 'float' || isPunct(prev, '-')) {
    ctx.position = { kind: 'none' };
  }
  return ctx;
}

/** The unclosed brackets around token `last`, outermost first, each with the field it opens. */
function enclosingOpeners(tokens: readonly Token[], last: number): Opener[] {
  const found: Opener[] = [];
  let depth = 0;
  for (let i = last; i >= 0; i--) {
    const t = tokens[i];
    if (t.kind !== 'punct') continue;
    if (CLOSE.has(t.text)) depth++;
    else if (OPEN.has(t.text)) {
      if (depth > 0) depth--;
      else found.push({ index: i, field: fieldBefore(tokens, i) });
    }
  }
  return found.reverse();
}

function fieldBefore(tokens: readonly Token[], index: number): string | undefined {
  let p = index - 1;
  if (isPunct(tokens[p], ':')) p--;
  const t = tokens[p];
  return t?.kind === 'ident' ? t.text : undefined;
}

/** Field names from the root to the innermost enclosing message (a list's field counts once). */
function fieldsPath(tokens: readonly Token[], openers: readonly Opener[]): string[] {
  const path: string[] = [];
  openers.forEach((o, i) => {
    const isList = isPunct(tokens[o.index], '[');
    if (isList) {
      if (o.field !== undefined) path.push(o.field);
    } else if (o.field !== undefined) {
      path.push(o.field);
    } else if (i === 0 || !isPunct(tokens[openers[i - 1].index], '[')) {
      path.push('?');
    }
  });
  // The innermost list's field only describes the values typed in it, not a message to enter.
  const innermost = openers[openers.length - 1];
  if (innermost !== undefined && isPunct(tokens[innermost.index], '[') && innermost.field !== undefined) path.pop();
  return path;
}

function walk(schema: Schema, path: readonly string[]): MessageType | undefined {
  let t: MessageType | undefined = schema.root;
  for (const name of path) {
    const f: FieldInfo | undefined = t?.fields.get(name);
    t = f?.type.kind === 'message' ? f.type.messageType : undefined;
  }
  return t;
}

/** Names of the fields already written directly inside the bracket at `openerIndex` (or the root). */
export function fieldsPresent(tokens: readonly Token[], openerIndex: number | undefined, skipIndex?: number): Set<string> {
  const names = new Set<string>();
  let depth = 0;
  for (let i = (openerIndex ?? -1) + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && OPEN.has(t.text)) depth++;
    else if (t.kind === 'punct' && CLOSE.has(t.text)) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && t.kind === 'ident' && i !== skipIndex && !isPunct(tokens[i - 1], ':')) {
      const next = tokens[i + 1];
      if (next !== undefined && next.kind === 'punct' && (next.text === ':' || OPEN.has(next.text))) names.add(t.text);
    }
  }
  return names;
}

/** The string value of `name: "..."` written directly inside the bracket at `openerIndex`. */
export function stringFieldIn(tokens: readonly Token[], openerIndex: number, name: string): string | undefined {
  let depth = 0;
  for (let i = openerIndex + 1; i < tokens.length - 2; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && OPEN.has(t.text)) depth++;
    else if (t.kind === 'punct' && CLOSE.has(t.text)) {
      if (depth === 0) return undefined;
      depth--;
    } else if (depth === 0 && t.kind === 'ident' && t.text === name && isPunct(tokens[i + 1], ':') && tokens[i + 2].kind === 'string') {
      return tokens[i + 2].str;
    }
  }
  return undefined;
}
