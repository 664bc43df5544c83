// Conversions from the pbtxt core's plain results to VS Code types.
import * as vscode from 'vscode';
import type { Diagnostic, Range, Severity, TextEdit } from '../../pbtxt/ast';
import type { CompletionItem, CompletionKind } from '../../pbtxt/completion';
import type { OutlineKind, OutlineSymbol } from '../../pbtxt/symbols';

export const DIAGNOSTIC_SOURCE = 'triton';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  return out;
}

export function toTextEdit(e: TextEdit): vscode.TextEdit {
  return new vscode.TextEdit(toRange(e.range), e.newText);
}

const COMPLETION_KIND: Record<CompletionKind, vscode.CompletionItemKind> = {
  field: vscode.CompletionItemKind.Field,
  enumMember: vscode.CompletionItemKind.EnumMember,
  value: vscode.CompletionItemKind.Value,
  snippet: vscode.CompletionItemKind.Snippet,
  model: vscode.CompletionItemKind.Module,
  tensor: vscode.CompletionItemKind.Variable,
  file: vscode.CompletionItemKind.File,
};

/** `cursor`: text after it stays when the user prefers inserting over replacing. */
export function toCompletionItem(c: CompletionItem, cursor: vscode.Position): vscode.CompletionItem {
  const item = new vscode.CompletionItem(c.label, COMPLETION_KIND[c.kind]);
  item.detail = c.detail;
  if (c.documentation !== undefined) item.documentation = new vscode.MarkdownString(c.documentation);
  item.insertText = c.snippet ? new vscode.SnippetString(c.insertText) : c.insertText;
  const replacing = toRange(c.range);
  item.range = replacing.contains(cursor) ? { inserting: new vscode.Range(replacing.start, cursor), replacing } : replacing;
  item.sortText = c.sortText;
  return item;
}

const SYMBOL_KIND: Record<OutlineKind, vscode.SymbolKind> = {
  field: vscode.SymbolKind.Field,
  object: vscode.SymbolKind.Object,
  array: vscode.SymbolKind.Array,
  tensor: vscode.SymbolKind.Variable,
  instanceGroup: vscode.SymbolKind.Class,
  step: vscode.SymbolKind.Function,
  entry: vscode.SymbolKind.Key,
  enumMember: vscode.SymbolKind.EnumMember,
  string: vscode.SymbolKind.String,
  number: vscode.SymbolKind.Number,
  boolean: vscode.SymbolKind.Boolean,
};

export function toDocumentSymbol(s: OutlineSymbol): vscode.DocumentSymbol {
  const out = new vscode.DocumentSymbol(s.name, s.detail, SYMBOL_KIND[s.kind], toRange(s.range), toRange(s.selectionRange));
  out.children = s.children.map(toDocumentSymbol);
  return out;
}
