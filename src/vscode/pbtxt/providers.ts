// Thin adapters from the pbtxt core (completion, hover, formatting, outline, folding, links, inlay hints,
// quick fixes) to VS Code.
import * as vscode from 'vscode';
import { complete } from '../../pbtxt/completion';
import { fileReferences } from '../../pbtxt/fileReferences';
import { foldingRanges } from '../../pbtxt/folding';
import { formatDocument } from '../../pbtxt/format';
import { hoverAt } from '../../pbtxt/hover';
import { quickFixesFor } from '../../pbtxt/quickFixes';
import { shapeHints } from '../../pbtxt/shapeHints';
import { documentSymbols } from '../../pbtxt/symbols';
import type { Logger } from '../log';
import { DIAGNOSTIC_SOURCE, toCompletionItem, toDocumentSymbol, toRange, toTextEdit } from './convert';
import type { PbtxtDiagnostics } from './diagnostics';
import { isModelConfig, parsedOf, schema } from './documents';
import { highestVersion, modelDirOf, repositoryEnvironment } from './repositoryModels';

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

/** Ctrl+click on a label file, model file or data file opens it, when it exists where Triton looks. */
export function documentLinkProvider(log: Logger): vscode.DocumentLinkProvider {
  return {
    async provideDocumentLinks(document, token): Promise<vscode.DocumentLink[]> {
      if (!isModelConfig(document) || document.uri.scheme === 'untitled') return [];
      try {
        const refs = fileReferences(parsedOf(document).root, schema());
        if (refs.length === 0) return [];
        const modelDir = modelDirOf(document.uri);
        const version = refs.some((r) => r.place === 'version') ? await highestVersion(modelDir) : undefined;
        const folders: Record<string, string | undefined> = { model: '', version, warmup: 'warmup', initialState: 'initial_state' };
        const links: vscode.DocumentLink[] = [];
        for (const ref of refs) {
          const folder = folders[ref.place];
          if (folder === undefined || token.isCancellationRequested) continue;
          const target = vscode.Uri.joinPath(modelDir, folder, ref.name);
          try {
            if ((await vscode.workspace.fs.stat(target)).type !== vscode.FileType.File) continue;
          } catch {
            continue;
          }
          const link = new vscode.DocumentLink(toRange(ref.range), target);
          link.tooltip = `Open ${vscode.workspace.asRelativePath(target)}`;
          links.push(link);
        }
        return links;
      } catch (error) {
        log.error('pbtxt document links failed', error);
        return [];
      }
    },
  };
}

/** After `dims` of a batching model: the shape clients send, batch dimension included. */
export function inlayHintsProvider(): vscode.InlayHintsProvider {
  return {
    provideInlayHints(document, range): vscode.InlayHint[] {
      if (!isModelConfig(document)) return [];
      return shapeHints(parsedOf(document))
        .map((h) => {
          const hint = new vscode.InlayHint(new vscode.Position(h.position.line, h.position.character), h.label);
          hint.tooltip = h.tooltip;
          hint.paddingLeft = true;
          return hint;
        })
        .filter((h) => range.contains(h.position));
    },
  };
}
