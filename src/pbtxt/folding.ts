// Folding ranges from the syntax tree: every block or list spanning lines, runs of comment lines, and
// `# region` / `# endregion` marker pairs.
import type { ListNode, MessageNode, ParsedDocument } from './ast';

export interface FoldingRange {
  /** 0-based lines; the end line holds the closing bracket, which stays visible. */
  startLine: number;
  endLine: number;
  kind: 'block' | 'comment' | 'region';
}

export function foldingRanges(doc: ParsedDocument): FoldingRange[] {
  const out: FoldingRange[] = [];
  const visit = (node: MessageNode | ListNode): void => {
    const start = node.range.start.line;
    // An unclosed block folds to its last line; a closed one keeps its closing bracket visible.
    const closed = node.kind === 'list' ? node.closed : node.closed || node === doc.root;
    const end = node.range.end.line - (closed ? 1 : 0);
    if (node !== doc.root && end > start) out.push({ startLine: start, endLine: end, kind: 'block' });
    const children = node.kind === 'list' ? node.items : node.fields.map((f) => f.value);
    for (const child of children) if (child !== undefined && child.kind !== 'scalar') visit(child);
  };
  visit(doc.root);
  let run: { start: number; end: number } | undefined;
  const flush = (): void => {
    if (run !== undefined && run.end > run.start) out.push({ startLine: run.start, endLine: run.end, kind: 'comment' });
    run = undefined;
  };
  for (const c of doc.comments) {
    const line = c.range.start.line;
    // Only comments that start their line, so a trailing comment does not join the run below it.
    const own = doc.text.slice(doc.text.lastIndexOf('\n', c.range.start.offset - 1) + 1, c.range.start.offset).trim() === '';
    if (!own) {
      flush();
      continue;
    }
    if (run !== undefined && line === run.end + 1) run.end = line;
    else {
      flush();
      run = { start: line, end: line };
    }
  }
  flush();
  const open: number[] = [];
  for (const c of doc.comments) {
    if (/^\s*region\b/.test(c.text)) open.push(c.range.start.line);
    else if (/^\s*endregion\b/.test(c.text)) {
      const start = open.pop();
      if (start !== undefined && c.range.start.line > start) out.push({ startLine: start, endLine: c.range.start.line, kind: 'region' });
    }
  }
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}
