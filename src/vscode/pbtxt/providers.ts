// Thin adapters from the pbtxt core (completion, hover, formatting, outline, quick fixes) to VS Code.
import * as vscode from 'vscode';
import { complete } from '../../pbtxt/completion';
import { foldingRanges } from '../../pbtxt/folding';
import { formatDocument } from '../../pbtxt/format';
import { hoverAt } from '../../pbtxt/hover';
import { quickFixesFor } from '../../pbtxt/quickFixes';
import { documentSymbols } from '../../pbtxt/symbols';
import type { Logger } from '../log';
import { DIAGNOSTIC_SOURCE, toCompletionItem, toDocumentSymbol, toRange, toTextEdit } from './convert';
import type { PbtxtDiagnostics } from './diagnostics';
import { isModelConfig, parsedOf, schema } from './documents';
import { repositoryEnvironment } from './repositoryModels';

export const COMPLETION_TRIGGERS = [':', '"'];

export function completionProvider(log: Logger): vscode.CompletionItemProvider {
  return {
    async provideCompletionItems(document, position, token): Promise<vscode.CompletionItem[]> {
      if (!isModelConfig(document)) return [];
      try {
        const env = await repositoryEnvironment(document, token);
        if (token.isCancellationRequested) return [];
        return complete(document.getText(), schema(), document.offsetAt(position), env).map((c) => toCompletionItem(c, position));
      } catch (error) {
        log.error('pbtxt completion failed', error);
        return [];
      }
    },
  };
}

export function hoverProvider(log: Logger): vscode.HoverProvider {
  return {
    async provideHover(document, position, token): Promise<vscode.Hover | undefined> {
      if (!isModelConfig(document)) return undefined;
      try {
        const env = await repositoryEnvironment(document, token);
        if (token.isCancellationRequested) return undefined;
        const found = hoverAt(parsedOf(document), schema(), document.offsetAt(position), env);
        return found === undefined ? undefined : new vscode.Hover(new vscode.MarkdownString(found.contents), toRange(found.range));
      } catch (error) {
        log.error('pbtxt hover failed', error);
        return undefined;
      }
    },
  };
}

export function formattingProvider(log: Logger): vscode.DocumentFormattingEditProvider {
  return {
    provideDocumentFormattingEdits(document): vscode.TextEdit[] {
      const result = formatDocument(document.getText(), parsedOf(document));
      if (!result.ok) {
        // Format-on-save runs this often: say why in the status bar, not in a dialog.
        log.info(`${vscode.workspace.asRelativePath(document.uri)}: ${result.reason}`);
        vscode.window.setStatusBarMessage(`$(warning) pbtxt ${result.reason}`, 5000);
        return [];
      }
      return result.edits.map(toTextEdit);
    },
  };
}

export function symbolProvider(): vscode.DocumentSymbolProvider {
  return {
    provideDocumentSymbols(document): vscode.DocumentSymbol[] {
      return documentSymbols(parsedOf(document)).map(toDocumentSymbol);
    },
  };
}

export function codeActionProvider(diagnostics: PbtxtDiagnostics): vscode.CodeActionProvider {
  return {
    provideCodeActions(document, _range, context): vscode.CodeAction[] {
      const result = diagnostics.resultFor(document.uri);
      if (result === undefined || result.version !== document.version) return [];
      const doc = parsedOf(document);
      const actions: vscode.CodeAction[] = [];
      for (const shown of context.diagnostics) {
        if (shown.source !== DIAGNOSTIC_SOURCE) continue;
        const match = result.items.find((i) => i.shown.message === shown.message && i.shown.range.isEqual(shown.range));
        if (match === undefined) continue;
        quickFixesFor(doc, match.core).forEach((fix, index) => {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [shown];
          action.isPreferred = index === 0 && match.core.fix !== undefined;
          const edit = new vscode.WorkspaceEdit();
          for (const e of fix.edits) edit.replace(document.uri, toRange(e.range), e.newText);
          action.edit = edit;
          actions.push(action);
        });
      }
      return actions;
    },
  };
}

export function foldingProvider(): vscode.FoldingRangeProvider {
  return {
    provideFoldingRanges(document): vscode.FoldingRange[] {
      return foldingRanges(parsedOf(document)).map((r) => new vscode.FoldingRange(
        r.startLine, r.endLine,
        r.kind === 'comment' ? vscode.FoldingRangeKind.Comment : r.kind === 'region' ? vscode.FoldingRangeKind.Region : undefined,
      ));
    },
  };
}
