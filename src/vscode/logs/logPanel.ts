// The server log view's host side: one panel per server on the shared webview host, fed by that
// server's log stream (snapshot on ready, batched appends after), and links from a load failure to
// the line of the workspace's config.pbtxt that the message names.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { parse } from '../../pbtxt/parser';
import { mapServerError } from '../../pbtxt/serverError';
import type { ServerLogRegistry, ServerLogStream } from '../../services/serverLogs';
import type { WorkspaceRepository } from '../../services/workspaceRepository';
import type { LogFromWebview, LogToWebview } from '../../shared/logViewProtocol';
import { isLogFromWebview, isLogViewState, LOG_VIEW_TYPE } from '../../shared/logViewProtocol';
import type { Logger } from '../log';
import type { WebviewPanelKind } from '../webview/webviewHost';
import { WebviewHost } from '../webview/webviewHost';

const kind: WebviewPanelKind<LogFromWebview> = { viewType: LOG_VIEW_TYPE, bundle: 'logs', isFromWebview: isLogFromWebview };

export interface LogPanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  readonly logs: ServerLogRegistry;
  readonly workspace: WorkspaceRepository;
  readonly maxLines: () => number;
  /** Called when the page asks how to configure a source. */
  readonly configure: (serverName: string) => void;
  /** Starts the server's configured source if nothing feeds its stream yet (a restored panel). */
  readonly ensureSource: (serverName: string) => void;
}

/** What a test can read back from an open panel. */
export interface LogPanelProbe {
  readonly server: string;
  readonly posted: number;
  readonly lastFocus?: number;
}

class LogPanel {
  private readonly subs: vscode.Disposable[] = [];
  private stream: ServerLogStream;
  private focusTime: number | undefined;
  posted = 0;

  constructor(readonly host: WebviewHost<LogToWebview, LogFromWebview>, readonly server: string, private readonly deps: LogPanelDeps, onDispose: () => void) {
    this.stream = deps.logs.ensure(server);
    const batch = this.stream.onBatch((entries, dropped) => {
      this.posted += entries.length;
      host.post({ type: 'append', entries, dropped });
    });
    const cleared = this.stream.onClear(() => host.post({ type: 'cleared' }));
    this.subs.push(
      { dispose: () => batch.dispose() },
      { dispose: () => cleared.dispose() },
      host.onDidBecomeReady(() => this.sendSnapshot()),
      host.onDidReceive((m) => void this.receive(m)),
      host.onDidDispose(() => {
        for (const s of this.subs.splice(0)) s.dispose();
        onDispose();
      }),
    );
  }

  get lastFocus(): number | undefined {
    return this.focusTime;
  }

  /** Shows the log at a time (an error's): sent now when the page listens, else with the snapshot. */
  focus(timeMs: number | undefined): void {
    this.focusTime = timeMs;
    if (timeMs !== undefined && this.host.isReady) this.host.post({ type: 'focus', timeMs });
  }

  sourceChanged(): void {
    this.host.post({ type: 'source', ...(this.stream.source !== undefined ? { source: this.stream.source } : {}) });
  }

  private sendSnapshot(): void {
    // Entries still in the pipeline go out as an append after this; the snapshot holds the rest.
    const entries = this.stream.history();
    this.posted += entries.length;
    this.host.post({
      type: 'reset', server: this.server, entries, maxLines: this.deps.maxLines(),
      ...(this.stream.source !== undefined ? { source: this.stream.source } : {}),
      ...(this.focusTime !== undefined ? { focusTime: this.focusTime } : {}),
    });
  }

  private async receive(message: LogFromWebview): Promise<void> {
    try {
      switch (message.type) {
        case 'clear':
          this.stream.clear();
          break;
        case 'copy':
          await vscode.env.clipboard.writeText(message.text);
          void vscode.window.setStatusBarMessage(`Copied ${message.text === '' ? 0 : message.text.split('\n').length} log lines`, 3000);
          break;
        case 'configure':
          this.deps.configure(this.server);
          break;
        case 'openConfig':
          await openModelConfig(this.deps.workspace, message.model, message.message, this.host.panel.viewColumn);
          break;
      }
    } catch (error) {
      this.deps.log.warn(`Log view (${this.server}): ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showWarningMessage(error instanceof Error ? error.message : String(error));
    }
  }
}

/** Opens the workspace's config.pbtxt of a model at the place a server message names (or its top). */
export async function openModelConfig(workspace: WorkspaceRepository, model: string, message: string, beside?: vscode.ViewColumn): Promise<vscode.TextEditor> {
  const found = workspace.find(model);
  if (found === undefined) throw new Error(`No folder named '${model}' with a config.pbtxt is open in the workspace, so the failure cannot be shown in its config`);
  const text = await readFile(found.configPath, 'utf8');
  const range = mapServerError(message, parse(text));
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(found.configPath));
  const selection = range !== undefined ? new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character) : new vscode.Range(0, 0, 0, 0);
  // Next to the log rather than over it, so the failure and its line are seen together.
  const viewColumn = beside === undefined ? vscode.ViewColumn.Active : beside === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
  return vscode.window.showTextDocument(doc, { selection, preview: false, viewColumn });
}

export class LogPanels implements vscode.Disposable {
  private readonly panels = new Map<string, LogPanel>();

  constructor(private readonly deps: LogPanelDeps) {}

  /** Adopts a log view VS Code restores after a restart (its serializer is registered at activation). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    if (!isLogViewState(state) || state.server === '') {
      panel.dispose();
      return;
    }
    this.adopt(new WebviewHost<LogToWebview, LogFromWebview>(panel, kind, this.deps.extensionUri, this.deps.log), state.server);
  }

  /** Opens (or reveals) the log of a server, optionally scrolled to a time. */
  open(server: string, focusTime?: number): void {
    let panel = this.panels.get(server);
    if (panel === undefined) {
      const host = WebviewHost.open<LogToWebview, LogFromWebview>(kind, `Triton Log: ${server}`, this.deps.extensionUri, this.deps.log, vscode.ViewColumn.Beside);
      panel = this.adopt(host, server);
    } else panel.host.reveal();
    panel.focus(focusTime);
  }

  sourceChanged(server: string): void {
    this.panels.get(server)?.sourceChanged();
  }

  probe(server: string): LogPanelProbe | undefined {
    const p = this.panels.get(server);
    return p === undefined ? undefined : { server, posted: p.posted, ...(p.lastFocus !== undefined ? { lastFocus: p.lastFocus } : {}) };
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.host.dispose();
    this.panels.clear();
  }

  private adopt(host: WebviewHost<LogToWebview, LogFromWebview>, server: string): LogPanel {
    this.deps.ensureSource(server);
    const panel = new LogPanel(host, server, this.deps, () => {
      if (this.panels.get(server) === panel) this.panels.delete(server);
    });
    this.panels.set(server, panel);
    return panel;
  }
}
