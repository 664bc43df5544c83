// Problems for pbtxt documents: revalidated on open, on save and ~200 ms after the last edit; a newer
// edit cancels the pending or running pass so stale results never land.
import * as vscode from 'vscode';
import type { Diagnostic } from '../../pbtxt/ast';
import { createCachingConfigFs } from '../../pbtxt/cachingConfigFs';
import type * as ValidateModule from '../../pbtxt/validate';
import type { Logger } from '../log';
import { toDiagnostic } from './convert';
import { isModelConfig, LANGUAGE_ID, parsedOf, schema } from './documents';

export const DEBOUNCE_MS = 200;

interface Pending {
  timer: ReturnType<typeof setTimeout> | undefined;
  cancel: vscode.CancellationTokenSource | undefined;
}

/** What a pass found, kept for quick fixes (which need the core's diagnostics, not VS Code's). */
export interface ValidationResult {
  version: number;
  items: { core: Diagnostic; shown: vscode.Diagnostic }[];
}

export class PbtxtDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('triton-pbtxt');
  private readonly pending = new Map<string, Pending>();
  private readonly results = new Map<string, ValidationResult>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Model files are read once per change on disk, not once per keystroke. */
  private readonly fs = createCachingConfigFs();
  /** Fires after a pass has published diagnostics for a document. */
  readonly onDidValidate = this.changed.event;

  constructor(private readonly log: Logger, private readonly delayMs = DEBOUNCE_MS) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, this.delayMs);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('triton.config.autoCompleteConfig')) return;
        for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
      this.collection,
      this.changed,
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  resultFor(uri: vscode.Uri): ValidationResult | undefined {
    return this.results.get(uri.toString());
  }

  schedule(document: vscode.TextDocument, delay: number): void {
    if (document.languageId !== LANGUAGE_ID) return;
    const key = document.uri.toString();
    const state = this.pending.get(key) ?? { timer: undefined, cancel: undefined };
    this.pending.set(key, state);
    if (state.timer !== undefined) clearTimeout(state.timer);
    // dispose() alone does not cancel: cancel first so a running pass drops its result.
    state.cancel?.cancel();
    state.cancel?.dispose();
    const cancel = new vscode.CancellationTokenSource();
    state.cancel = cancel;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.run(document, cancel.token).catch((error: unknown) => this.log.error(`Validating ${document.uri.fsPath} failed`, error));
    }, delay);
  }

  private async run(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<void> {
    if (token.isCancellationRequested || document.isClosed) return;
    const version = document.version;
    const doc = parsedOf(document);
    let found: Diagnostic[];
    if (!isModelConfig(document)) {
      found = doc.errors;
    } else {
      const local = document.uri.scheme === 'file';
      // Required here, not imported: the validator pulls in protobufjs, which activation can do without.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { validate } = require('../../pbtxt/validate') as typeof ValidateModule;
      found = await validate(doc.text, {
        document: doc,
        schema: schema(),
        autoCompleteConfig: vscode.workspace.getConfiguration('triton', document.uri).get<boolean>('config.autoCompleteConfig', true),
        ...(local ? { filePath: document.uri.fsPath, fs: this.fs } : {}),
      });
    }
    if (token.isCancellationRequested || document.isClosed || document.version !== version) return;
    const items = found.map((core) => ({ core, shown: toDiagnostic(core) }));
    this.results.set(document.uri.toString(), { version, items });
    this.collection.set(document.uri, items.map((i) => i.shown));
    this.changed.fire(document.uri);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const state = this.pending.get(key);
    if (state !== undefined) {
      if (state.timer !== undefined) clearTimeout(state.timer);
      state.cancel?.cancel();
      state.cancel?.dispose();
      this.pending.delete(key);
    }
    this.results.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const state of this.pending.values()) {
      if (state.timer !== undefined) clearTimeout(state.timer);
      state.cancel?.cancel();
      state.cancel?.dispose();
    }
    this.pending.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}
