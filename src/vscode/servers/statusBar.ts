// The active server in the status bar: its name, health and Triton version; a click switches server.
import * as vscode from 'vscode';
import type { ServerState } from '../../services/catalogTypes';

export class ServerStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('triton.activeServer', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Triton Server';
    this.item.command = 'triton.switchServer';
  }

  update(state: ServerState | undefined): void {
    if (state === undefined) {
      this.item.text = '$(server) Triton: no server';
      this.item.tooltip = 'No Triton server configured. Click to add or pick one.';
      this.item.backgroundColor = undefined;
      this.item.show();
      return;
    }
    const h = state.health;
    const icon = h.state === 'ready' ? '$(pass-filled)' : h.state === 'live' ? '$(warning)' : h.state === 'unreachable' ? '$(debug-disconnect)' : '$(sync~spin)';
    const word = h.state === 'unknown' ? 'connecting' : h.state;
    this.item.text = `${icon} ${state.config.name}: ${word}${h.version !== undefined && h.state !== 'unreachable' ? ` · ${h.version}` : ''}`;
    this.item.tooltip = new vscode.MarkdownString(
      [`**Triton server ${state.config.name}**`, `${state.config.protocol.toUpperCase()} ${state.config.protocol === 'grpc' ? state.config.grpcUrl ?? '' : state.config.httpUrl}`, `Health: ${word}`, ...(h.problem !== undefined ? [`Problem: ${h.problem.message}`] : []), '', 'Click to switch server'].join('  \n'),
    );
    this.item.backgroundColor = h.state === 'unreachable' ? new vscode.ThemeColor('statusBarItem.errorBackground') : h.state === 'live' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  /** The text shown, for tests. */
  text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
