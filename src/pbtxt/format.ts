// Canonical formatting of protobuf text format: 2-space indent, one field per line, comments kept.
import type { Comment, FieldNode, ListNode, MessageNode, ParsedDocument, ScalarNode, TextEdit } from './ast';
import { createPositionMapper, parse } from './parser';

export type FormatResult =
  | { ok: true; text: string; edits: TextEdit[] }
  | { ok: false; reason: string };

const INDENT = '  ';
/** Scalar lists longer than this are written one element per line. */
const MAX_INLINE_WIDTH = 100;

/**
 * Formats `text`, or refuses (ok: false) when it has syntax errors or when the result would not
 * hold exactly the same fields, values and comments — formatting must never lose content.
 */
export function formatDocument(text: string, parsed: ParsedDocument = parse(text)): FormatResult {
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0];
    return {
      ok: false,
      reason: `not formatted: fix the syntax error first (line ${first.range.start.line + 1}: ${first.message})`,
    };
  }
  const out = new Printer(parsed).print();
  const check = parse(out);
  if (check.errors.length > 0 || fingerprint(check) !== fingerprint(parsed)) {
    return { ok: false, reason: 'not formatted: the formatter could not keep this document exactly as written' };
  }
  return { ok: true, text: out, edits: minimalEdits(text, out) };
}

/** Everything that must survive formatting: field names, value texts, comment texts, in order. */
function fingerprint(doc: ParsedDocument): string {
  const parts: string[] = [];
  const visitMessage = (m: MessageNode): void => {
    parts.push('{');
    for (const f of m.fields) {
      parts.push(`F:${f.name}`);
      if (f.value !== undefined) visitValue(f.value);
    }
    parts.push('}');
  };
  const visitValue = (v: ScalarNode | ListNode | MessageNode): void => {
    if (v.kind === 'message') visitMessage(v);
    else if (v.kind === 'list') {
      parts.push('[');
      for (const item of v.items) visitValue(item);
      parts.push(']');
    } else {
      parts.push(`S:${v.scalarKind}:${String(v.value)}`);
    }
  };
  visitMessage(doc.root);
  for (const c of doc.comments) parts.push(`#${cleanComment(c)}`);
  return parts.join('\u0000');
}

function cleanComment(c: Comment): string {
  return c.text.replace(/\s+$/, '');
}

/** One replacement covering only the changed middle part, so the cursor and folding stay put. */
function minimalEdits(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  let start = 0;
  const limit = Math.min(before.length, after.length);
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  const at = createPositionMapper(before);
  return [{ range: { start: at(start), end: at(endBefore) }, newText: after.slice(start, endAfter) }];
}

class Printer {
  private readonly lines: string[] = [];
  private readonly comments: Comment[];
  private nextComment = 0;
  /** End offset of the last thing printed, to tell where blank lines were in the source. */
  private lastEnd = 0;

  constructor(private readonly doc: ParsedDocument) {
    // Comments between the pieces of a multi-line string concatenation are printed with it, verbatim.
    const verbatim = multiLineScalars(doc.root);
    this.comments = doc.comments
      .filter((c) => !verbatim.some((s) => c.range.start.offset > s.range.start.offset && c.range.start.offset < s.range.end.offset))
      .sort((a, b) => a.range.start.offset - b.range.start.offset);
  }

  print(): string {
    this.printFields(this.doc.root.fields, 0, Number.MAX_SAFE_INTEGER);
    this.flushComments(Number.MAX_SAFE_INTEGER, 0, false);
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.length === 0 ? '' : this.lines.join('\n') + '\n';
  }

  /** `limit`: where the enclosing body closes; a comment past it is not a trailing comment of a field. */
  private printFields(fields: readonly FieldNode[], depth: number, limit: number): void {
    fields.forEach((f, i) => {
      this.flushComments(f.range.start.offset, depth, i > 0);
      this.blankLineIfAny(f.range.start.offset, i > 0);
      this.printField(f, depth, fields[i + 1]?.range.start.offset ?? limit);
    });
  }

  private printField(f: FieldNode, depth: number, limit: number): void {
    const pad = INDENT.repeat(depth);
    const v = f.value;
    if (v === undefined) {
      this.emit(`${pad}${f.name}`, f.nameRange.end.offset, limit);
    } else if (v.kind === 'scalar') {
      this.emit(`${pad}${f.name}: ${scalarText(v)}`, v.range.end.offset, limit);
    } else if (v.kind === 'message') {
      this.printMessage(`${pad}${f.name} `, v, depth, '', limit);
    } else {
      // Scalar lists need the colon, message lists read better without; an empty list keeps what was written.
      const colon = v.items.some((x) => x.kind === 'scalar') || (v.items.length === 0 && f.hasColon);
      this.printList(`${pad}${f.name}${colon ? ':' : ''} `, v, depth, '', limit);
    }
  }

  /** `prefix{` … `}suffix`; an empty message with no comments inside stays on one line. */
  private printMessage(prefix: string, m: MessageNode, depth: number, suffix: string, limit: number): void {
    const pad = INDENT.repeat(depth);
    const close = m.range.end.offset - 1;
    if (m.fields.length === 0 && !this.hasCommentBefore(close)) {
      this.emit(`${prefix}{ }${suffix}`, m.range.end.offset, limit);
      return;
    }
    this.emit(`${prefix}{`, m.range.start.offset + 1, m.fields[0]?.range.start.offset ?? close);
    this.printFields(m.fields, depth + 1, close);
    this.flushComments(close, depth + 1, m.fields.length > 0);
    this.emit(`${pad}}${suffix}`, m.range.end.offset, limit);
  }

  private printList(prefix: string, list: ListNode, depth: number, suffix: string, limit: number): void {
    const pad = INDENT.repeat(depth);
    const close = list.range.end.offset - 1;
    const scalarsOnly = list.items.every((x) => x.kind === 'scalar');
    if (list.items.length === 0 && !this.hasCommentBefore(close)) {
      this.emit(`${prefix}[ ]${suffix}`, list.range.end.offset, limit);
      return;
    }
    if (scalarsOnly && !this.hasCommentBefore(close)) {
      const inline = `${prefix}[ ${list.items.map((x) => scalarText(x as ScalarNode)).join(', ')} ]${suffix}`;
      if (inline.length <= MAX_INLINE_WIDTH && !inline.includes('\n')) {
        this.emit(inline, list.range.end.offset, limit);
        return;
      }
    }
    this.emit(`${prefix}[`, list.range.start.offset + 1, list.items[0]?.range.start.offset ?? close);
    const inner = INDENT.repeat(depth + 1);
    list.items.forEach((item, i) => {
      const comma = i < list.items.length - 1 ? ',' : '';
      this.flushComments(item.range.start.offset, depth + 1, i > 0);
      this.blankLineIfAny(item.range.start.offset, i > 0);
      const next = list.items[i + 1]?.range.start.offset ?? close;
      if (item.kind === 'message') this.printMessage(inner, item, depth + 1, comma, next);
      else this.emit(`${inner}${scalarText(item)}${comma}`, item.range.end.offset, next);
    });
    this.flushComments(close, depth + 1, list.items.length > 0);
    this.emit(`${pad}]${suffix}`, list.range.end.offset, limit);
  }

  /**
   * Adds a line; a comment that followed `sourceEnd` on the same source line (and before `limit`,
   * the next thing printed on a later line) stays at its end.
   */
  private emit(line: string, sourceEnd: number, limit = Number.MAX_SAFE_INTEGER): void {
    this.lines.push(line);
    this.lastEnd = sourceEnd;
    const c = this.comments[this.nextComment];
    if (c === undefined || c.range.start.offset < sourceEnd || c.range.start.offset > limit) return;
    if (this.doc.positionAt(sourceEnd).line === c.range.start.line) {
      this.lines[this.lines.length - 1] += `  #${cleanComment(c)}`;
      this.nextComment++;
      this.lastEnd = c.range.end.offset;
    }
  }

  private hasCommentBefore(offset: number): boolean {
    const c = this.comments[this.nextComment];
    return c !== undefined && c.range.start.offset < offset;
  }

  /** Prints, each on its own line, the comments that come before `offset`. */
  private flushComments(offset: number, depth: number, keepBlankLines: boolean): void {
    const pad = INDENT.repeat(depth);
    for (;;) {
      const c = this.comments[this.nextComment];
      if (c === undefined || c.range.start.offset >= offset) return;
      this.blankLineIfAny(c.range.start.offset, keepBlankLines || this.lines.length > 0);
      this.lines.push(`${pad}#${cleanComment(c)}`);
      this.nextComment++;
      this.lastEnd = c.range.end.offset;
      keepBlankLines = true;
    }
  }

  /** Keeps one blank line where the source had at least one, so grouping survives. */
  private blankLineIfAny(offset: number, allowed: boolean): void {
    if (!allowed || this.lines.length === 0 || this.lines[this.lines.length - 1] === '') return;
    const gap = this.doc.text.slice(this.lastEnd, offset);
    if (/\n[ \t\r,;]*\n/.test(gap)) this.lines.push('');
  }
}

/** The scalar as written, with `- 5` tightened to `-5`; multi-line string concatenations stay verbatim. */
function scalarText(s: ScalarNode): string {
  if (s.negative && s.text.startsWith('-')) return `-${s.text.slice(1).trimStart()}`;
  return s.text;
}

function multiLineScalars(root: MessageNode): ScalarNode[] {
  const found: ScalarNode[] = [];
  const visit = (v: ScalarNode | ListNode | MessageNode): void => {
    if (v.kind === 'scalar') {
      if (v.range.start.line !== v.range.end.line) found.push(v);
    } else if (v.kind === 'list') {
      v.items.forEach(visit);
    } else {
      for (const f of v.fields) if (f.value !== undefined) visit(f.value);
    }
  };
  visit(root);
  return found;
}
