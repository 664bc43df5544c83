// Error-tolerant parser for config.pbtxt: always yields a tree with ranges, plus syntax errors.
import type {
  Comment, FieldNode, ListNode, MessageNode, ParsedDocument, Position, Range, ScalarNode, SyntaxDiagnostic,
} from './ast';
import type { Token } from './lexer';
import { Lexer } from './lexer';
import { TextRange, createPositionMapper, endOf } from './positions';

export { createPositionMapper, endOf, startOf } from './positions';

/** Same limit as protobuf's default recursion limit for text format. */
export const MAX_NESTING = 100;

export function parse(text: string): ParsedDocument {
  return new Parser(text).run();
}

function describe(tok: Token): string {
  if (tok.kind === 'eof') return 'end of file';
  return `"${tok.text.length > 40 ? tok.text.slice(0, 40) + '…' : tok.text}"`;
}

class Parser {
  private readonly lexer: Lexer;
  /** Lookahead (at most two tokens); tokens die young instead of living for the whole parse. */
  private readonly ahead: Token[] = [];
  private readonly errors: SyntaxDiagnostic[] = [];
  private readonly positionAt: (offset: number) => Position;
  /** End offset of the last consumed token. */
  private lastEnd = 0;
  /** Fields an unclosed block handed back, waiting for the enclosing block to take them. */
  private orphans: FieldNode[] = [];

  constructor(private readonly text: string) {
    this.lexer = new Lexer(text);
    this.positionAt = createPositionMapper(text);
  }

  run(): ParsedDocument {
    const root: MessageNode = { kind: 'message', range: this.range(0, this.text.length), fields: [], closed: true };
    this.parseBody(root, undefined, 0, undefined);
    const comments: Comment[] = this.lexer.comments.map((c) => ({
      range: this.range(c.start, c.end),
      text: this.text.slice(c.start + 1, c.end),
    }));
    return { text: this.text, root, errors: this.errors, comments, positionAt: this.positionAt };
  }

  private range(start: number, end: number): Range {
    return new TextRange(this.positionAt, start, end);
  }

  private error(start: number, end: number, message: string, code = 'syntax'): void {
    this.errors.push({ range: this.range(start, end), severity: 'error', message, code });
  }

  private peek(k = 0): Token {
    while (this.ahead.length <= k) this.ahead.push(this.lexer.next());
    return this.ahead[k];
  }

  private next(): Token {
    const t = this.peek();
    this.ahead.shift();
    if (t.kind !== 'eof') this.lastEnd = t.end;
    return t;
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p && t.error === undefined;
  }

  private parseBody(body: MessageNode, closer: '}' | '>' | undefined, depth: number, openTok: Token | undefined): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        if (closer !== undefined && openTok !== undefined) {
          this.error(openTok.start, openTok.end, `Expected "${closer}" to close this "${openTok.text}", reached end of file`);
          this.hoistOutdented(body, openTok);
        }
        body.closed = closer === undefined;
        return;
      }
      if (this.isPunct(t, '}') || this.isPunct(t, '>')) {
        this.next();
        if (closer === undefined) {
          this.error(t.start, t.end, `Unexpected ${describe(t)}: no message is open here`);
          continue;
        }
        if (t.text !== closer) this.error(t.start, t.end, `Expected "${closer}", found ${describe(t)}`);
        body.closed = true;
        return;
      }
      if (t.kind === 'ident') {
        body.fields.push(this.parseField(depth));
        if (this.orphans.length > 0) {
          for (const f of this.orphans) body.fields.push(f);
          this.orphans = [];
        }
        continue;
      }
      this.next();
      this.error(t.start, t.end, t.error ?? `Expected a field name, found ${describe(t)}`, t.kind === 'placeholder' ? 'template-placeholder' : 'syntax');
    }
  }

  /**
   * A block left open while typing swallows everything after it. Fields that start a line at or left of
   * the indentation of the line that opened the block are given back to the enclosing block, so one
   * missing "}" does not turn every later top-level field into an unknown field of the open block.
   */
  private hoistOutdented(body: MessageNode, openTok: Token): void {
    const openLine = this.positionAt(openTok.start).line;
    const lineStart = openTok.start - this.positionAt(openTok.start).character;
    let indent = 0;
    while (this.text[lineStart + indent] === ' ' || this.text[lineStart + indent] === '\t') indent++;
    const split = body.fields.findIndex((f) => {
      const p = f.nameRange.start;
      return p.line > openLine && p.character <= indent && this.text.slice(p.offset - p.character, p.offset).trim() === '';
    });
    if (split !== -1) this.orphans = body.fields.splice(split);
  }

  private parseField(depth: number): FieldNode {
    const nameTok = this.next();
    const nameRange = this.range(nameTok.start, nameTok.end);
    const field: FieldNode = { kind: 'field', name: nameTok.text, nameRange, range: nameRange, hasColon: false, value: undefined };
    let colonTok: Token | undefined;
    if (this.isPunct(this.peek(), ':')) {
      colonTok = this.next();
      field.hasColon = true;
    }
    const t = this.peek();
    if (this.isPunct(t, '{') || this.isPunct(t, '<')) {
      field.value = this.parseMessage(depth + 1);
    } else if (this.isPunct(t, '[')) {
      field.value = this.parseList(depth + 1, field.hasColon);
    } else if (this.isScalarStart(t) && this.scalarBelongsHere(nameTok, colonTok, t)) {
      if (!field.hasColon) this.error(nameTok.start, nameTok.end, `Expected ":" after field name "${nameTok.text}"`);
      field.value = this.parseScalar();
    } else {
      const at = colonTok ?? nameTok;
      this.error(at.start, at.end, field.hasColon
        ? `Expected a value for field "${nameTok.text}", found ${describe(t)}`
        : `Expected ":" or "{" after field name "${nameTok.text}", found ${describe(t)}`);
    }
    if (field.value !== undefined) field.range = this.range(nameTok.start, endOf(field.value.range));
    const sep = this.peek();
    if (this.isPunct(sep, ',') || this.isPunct(sep, ';')) this.next();
    return field;
  }

  /** Decides whether a scalar-looking token is this field's value or the start of the next field. */
  private scalarBelongsHere(nameTok: Token, colonTok: Token | undefined, t: Token): boolean {
    if (t.kind !== 'ident') return true;
    const after = this.peek(1);
    const startsField = this.isPunct(after, ':') || this.isPunct(after, '{') || this.isPunct(after, '<') || this.isPunct(after, '[');
    if (!startsField) return true;
    // `name:\nplatform: "x"` — the identifier on a new line begins the next field.
    const anchor = colonTok ?? nameTok;
    return this.positionAt(anchor.end).line === this.positionAt(t.start).line;
  }

  private isScalarStart(t: Token): boolean {
    return t.kind === 'string' || t.kind === 'int' || t.kind === 'float' || t.kind === 'ident' || t.kind === 'placeholder' || this.isPunct(t, '-');
  }

  private parseMessage(depth: number): MessageNode {
    const open = this.next();
    const closer = open.text === '{' ? '}' : '>';
    const openRange = this.range(open.start, open.end);
    const node: MessageNode = { kind: 'message', range: openRange, fields: [], open: open.text as '{' | '<', closed: false };
    if (depth > MAX_NESTING) {
      this.error(open.start, open.end, `Messages are nested more than ${MAX_NESTING} levels deep`);
      this.skipBalanced();
    } else {
      this.parseBody(node, closer, depth, open);
    }
    const kept = node.fields.at(-1);
    const end = this.orphans.length > 0 ? (kept === undefined ? open.end : endOf(kept.range)) : this.lastEnd;
    node.range = this.range(open.start, Math.max(open.end, end));
    return node;
  }

  /** Skips to the bracket that closes the one just consumed, without recursion. */
  private skipBalanced(): void {
    let level = 1;
    while (level > 0) {
      const t = this.next();
      if (t.kind === 'eof') return;
      if (t.kind !== 'punct' || t.error !== undefined) continue;
      if (t.text === '{' || t.text === '<' || t.text === '[') level++;
      else if (t.text === '}' || t.text === '>' || t.text === ']') level--;
    }
  }

  private parseList(depth: number, hasColon: boolean): ListNode {
    const open = this.next();
    const node: ListNode = { kind: 'list', range: this.range(open.start, open.end), items: [], closed: false };
    const finish = (): ListNode => {
      const kept = node.items.at(-1);
      const end = this.orphans.length > 0 ? (kept === undefined ? open.end : endOf(kept.range)) : this.lastEnd;
      node.range = this.range(open.start, Math.max(open.end, end));
      return node;
    };
    if (depth > MAX_NESTING) {
      this.error(open.start, open.end, `Lists are nested more than ${MAX_NESTING} levels deep`);
      this.skipBalanced();
      return finish();
    }
    if (this.isPunct(this.peek(), ']')) {
      this.next();
      node.closed = true;
      return finish();
    }
    for (;;) {
      const t = this.peek();
      if (this.isPunct(t, '{') || this.isPunct(t, '<')) {
        node.items.push(this.parseMessage(depth + 1));
      } else if (this.isScalarStart(t) && !(t.kind === 'ident' && this.isPunct(this.peek(1), ':'))) {
        if (!hasColon && node.items.length === 0) this.error(t.start, t.end, 'Expected ":" before a list of scalar values');
        node.items.push(this.parseScalar());
      } else if (this.isPunct(t, ']')) {
        this.error(t.start, t.end, 'Expected a value, found "]" (a list may not end with a comma)');
        this.next();
        node.closed = true;
        return finish();
      } else {
        this.error(open.start, open.end, `Expected "]" to close this "[", found ${describe(t)}`);
        return finish();
      }
      const sep = this.peek();
      if (this.isPunct(sep, ',')) {
        this.next();
        continue;
      }
      if (this.isPunct(sep, ']')) {
        this.next();
        node.closed = true;
        return finish();
      }
      if (this.isPunct(sep, ';')) {
        this.error(sep.start, sep.end, 'List elements are separated by ",", not ";"');
        this.next();
        continue;
      }
      if (this.isScalarStart(sep) && !(sep.kind === 'ident' && this.isPunct(this.peek(1), ':'))) {
        this.error(sep.start, sep.end, `Expected "," or "]", found ${describe(sep)}`);
        continue;
      }
      if (this.isPunct(sep, '{') || this.isPunct(sep, '<')) {
        this.error(sep.start, sep.end, `Expected "," or "]", found ${describe(sep)}`);
        continue;
      }
      this.error(open.start, open.end, `Expected "]" to close this "[", found ${describe(sep)}`);
      return finish();
    }
  }

  private parseScalar(): ScalarNode {
    let t = this.next();
    const start = t.start;
    let negative = false;
    if (this.isPunct(t, '-')) {
      negative = true;
      const n = this.peek();
      if (n.kind !== 'int' && n.kind !== 'float' && n.kind !== 'ident') {
        this.error(t.start, t.end, `Expected a number after "-", found ${describe(n)}`);
        return { kind: 'scalar', range: this.range(t.start, t.end), scalarKind: 'integer', text: '-', value: undefined, negative };
      }
      t = this.next();
    }
    if (t.kind === 'string') {
      let value = t.str ?? '';
      let end = t.end;
      let bad = t.error;
      while (this.peek().kind === 'string') {
        const more = this.next();
        value += more.str ?? '';
        end = more.end;
        bad ??= more.error;
      }
      if (bad !== undefined) this.error(start, end, bad);
      return { kind: 'scalar', range: this.range(start, end), scalarKind: 'string', text: this.text.slice(start, end), value: bad === undefined ? value : undefined, negative: false };
    }
    const node: ScalarNode = {
      kind: 'scalar', range: this.range(start, t.end), text: this.text.slice(start, t.end), negative,
      scalarKind: t.kind === 'int' ? 'integer' : t.kind === 'float' ? 'float' : t.kind === 'placeholder' ? 'placeholder' : 'identifier', value: undefined,
    };
    if (t.error !== undefined) {
      this.error(t.start, t.end, t.error, t.kind === 'placeholder' ? 'template-placeholder' : 'syntax');
      return node;
    }
    if (t.kind === 'int') {
      const body = t.text;
      const big = body.length > 1 && body[0] === '0' && body[1] !== 'x' && body[1] !== 'X' ? BigInt('0o' + body.slice(1)) : BigInt(body);
      node.value = negative ? -big : big;
    } else if (t.kind === 'float') {
      const v = Number(t.text.replace(/[fF]$/, ''));
      node.value = negative ? -v : v;
    } else {
      node.value = t.text;
    }
    return node;
  }
}
