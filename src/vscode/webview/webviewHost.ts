// One webview panel's host side: the CSP shell, the resources it may load, typed messages in both
// directions behind the webview's `ready` handshake, and restoring panels after VS Code restarts.
import * as vscode from 'vscode';
import type { TypedMessage } from '../../shared/webviewProtocol';
import { isReadyMessage } from '../../shared/webviewProtocol';
import type { Logger } from '../log';
import { renderWebviewHtml } from './webviewHtml';

/** What one kind of panel is: its view type, its bundle and the guard for what its page may send. */
export interface WebviewPanelKind<FromWebview extends TypedMessage> {
  /** Also the serializer's key; list `onWebviewPanel:<viewType>` in the manifest's activationEvents. */
  viewType: string;
  /** `src/webview-ui/<bundle>/main.ts`, built to `dist/webview/<bundle>.js` and `.css`. */
  bundle: string;
  isFromWebview(message: unknown): message is FromWebview;
  /** Keep the page alive while hidden (costs memory; spares a reload and a state snapshot). */
  retainContextWhenHidden?: boolean;
}

export interface ReadyEvent {
  /** False on the page's first start; true when it started again (after being hidden, or a reload). */
  reload: boolean;
}

// A page that never says ready must not grow the queue without end.
const MAX_QUEUED = 5_000;

export class WebviewHost<ToWebview extends TypedMessage, FromWebview extends TypedMessage> implements vscode.Disposable {
  private ready = false;
  private readies = 0;
  private queue: ToWebview[] = [];
  private disposed = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly receiveEmitter = new vscode.EventEmitter<FromWebview>();
  private readonly readyEmitter = new vscode.EventEmitter<ReadyEvent>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Messages from the page that passed the panel's guard. */
  readonly onDidReceive = this.receiveEmitter.event;
  /** The page listens: send it what it should show (after a reload, a full snapshot). */
  readonly onDidBecomeReady = this.readyEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;

  /** Opens a new panel of this kind. */
  static open<T extends TypedMessage, F extends TypedMessage>(
    kind: WebviewPanelKind<F>,
    title: string,
    extensionUri: vscode.Uri,
    log: Logger,
    column: vscode.ViewColumn = vscode.ViewColumn.Active,
  ): WebviewHost<T, F> {
    const panel = vscode.window.createWebviewPanel(kind.viewType, title, column, {
      enableScripts: true,
      retainContextWhenHidden: kind.retainContextWhenHidden ?? false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    return new WebviewHost<T, F>(panel, kind, extensionUri, log);
  }

  /** Takes over a panel VS Code restored (from a serializer) or created elsewhere. */
  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly kind: WebviewPanelKind<FromWebview>,
    extensionUri: vscode.Uri,
    private readonly log: Logger,
  ) {
    const webview = panel.webview;
    const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    webview.options = { enableScripts: true, localResourceRoots: [root] };
    this.subscriptions.push(
      this.receiveEmitter,
      this.readyEmitter,
      this.disposeEmitter,
      webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidChangeViewState(() => {
        // A hidden page without retained context is destroyed: hold messages until it says ready again.
        if (!panel.visible && !kind.retainContextWhenHidden) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${kind.bundle}.js`)).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(root, `${kind.bundle}.css`)).toString()],
      title: panel.title,
    });
  }

  get isReady(): boolean {
    return this.ready;
  }

  /**
   * Sends a message now, or when the page says ready. Messages held for a page that restarts are
   * dropped at its ready: the panel sends a snapshot from onDidBecomeReady instead.
   */
  post(message: ToWebview): void {
    if (this.disposed) return;
    if (this.ready) {
      void this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.log.warn(`webview ${this.kind.viewType}: message not delivered (${String(e)})`));
      return;
    }
    if (this.queue.length >= MAX_QUEUED) this.queue.shift();
    this.queue.push(message);
  }

  private receive(message: unknown): void {
    if (isReadyMessage(message)) {
      const reload = this.readies > 0;
      this.readies += 1;
      this.ready = true;
      const held = this.queue;
      this.queue = [];
      if (!reload) for (const m of held) this.post(m);
      this.readyEmitter.fire({ reload });
      return;
    }
    if (!this.kind.isFromWebview(message)) {
      const type = typeof message === 'object' && message !== null ? String((message as { type?: unknown }).type) : typeof message;
      this.log.warn(`webview ${this.kind.viewType}: dropped a message that is not in its protocol (type ${type})`);
      return;
    }
    this.receiveEmitter.fire(message);
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    this.queue = [];
    this.disposeEmitter.fire();
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/**
 * Brings panels of one kind back after VS Code restarts. `state` is what the page last passed to
 * setState (unknown: check it before use); the page itself gets the same state back from getState().
 */
export function registerWebviewRestorer(viewType: string, restore: (panel: vscode.WebviewPanel, state: unknown) => void | Promise<void>): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(viewType, {
    deserializeWebviewPanel: async (panel, state: unknown) => {
      await restore(panel, state);
    },
  });
}
