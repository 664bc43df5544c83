// Registers the config.pbtxt language features: diagnostics, completion, hover, formatting, outline,
// folding, file links, shape hints, quick fixes and server-side validation. Nothing heavy loads up front.
import * as vscode from 'vscode';
import type { Logger } from '../log';
import { PbtxtDiagnostics } from './diagnostics';
import { SELECTOR } from './documents';
import {
  COMPLETION_TRIGGERS, codeActionProvider, completionProvider, documentLinkProvider, foldingProvider, formattingProvider, hoverProvider,
  inlayHintsProvider, symbolProvider,
} from './providers';
import { registerServerDiagnostics, ServerDiagnostics } from './serverDiagnostics';
import { registerValidateOnServer } from './validateOnServer';

export function registerPbtxtLanguage(context: vscode.ExtensionContext, log: Logger): void {
  const diagnostics = new PbtxtDiagnostics(log);
  const serverDiagnostics = new ServerDiagnostics();
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCompletionItemProvider(SELECTOR, completionProvider(log), ...COMPLETION_TRIGGERS),
    vscode.languages.registerHoverProvider(SELECTOR, hoverProvider(log)),
    vscode.languages.registerDocumentFormattingEditProvider(SELECTOR, formattingProvider(log)),
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, symbolProvider(), { label: 'Triton config' }),
    vscode.languages.registerFoldingRangeProvider(SELECTOR, foldingProvider()),
    vscode.languages.registerDocumentLinkProvider(SELECTOR, documentLinkProvider(log)),
    vscode.languages.registerInlayHintsProvider(SELECTOR, inlayHintsProvider()),
    vscode.languages.registerCodeActionsProvider(SELECTOR, codeActionProvider(diagnostics), {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    ...registerServerDiagnostics(serverDiagnostics, log),
    registerValidateOnServer(context, serverDiagnostics, log),
  );
}
