// The active server in the status bar: its name, health and Triton version; a click switches server.
import * as vscode from 'vscode';
import type { ServerState } from '../../services/catalogTypes';
import { iconSafeText, markdownText } from '../../services/markdownText';
import { healthWords } from '../../services/serverReadiness';

/** The tooltip as untrusted Markdown; everything from settings or the server is escaped text. */
export function statusTooltip(state: ServerState): vscode.MarkdownString {
  const h = state.health;
  const address = state.config.protocol === 'grpc' ? state.config.grpcUrl ?? '' : state.config.httpUrl;
  const lines = [
    `**Triton server ${markdownText(state.config.name)}**`,
    `${state.config.protocol.toUpperCase()} ${markdownText(address)}`,
    `Health: ${markdownText(healthWords(state))}`,
    ...(h.problem !== undefined ? [`Problem: ${markdownText(h.problem.message)}`] : []),
    '',
    'Click to switch server',
  ];
  const tooltip = new vscode.MarkdownString(lines.join('  \n'));
  tooltip.isTrusted = false;
  tooltip.supportHtml = false;
  return tooltip;
}

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
    // Only the leading icon is ours; `$(…)` in a server's version or a server name stays literal.
    this.item.text = `${icon} ${iconSafeText(state.config.name)}: ${word}${h.version !== undefined && h.state !== 'unreachable' ? ` · ${iconSafeText(h.version)}` : ''}`;
    this.item.tooltip = statusTooltip(state);
    this.item.backgroundColor = h.state === 'unreachable' ? new vscode.ThemeColor('statusBarItem.errorBackground') : h.state === 'live' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  /** The text shown, for tests. */
  text(): string {
    return this.item.text;
  }

  /** The tooltip's Markdown source, for tests. */
  tooltipMarkdown(): string | undefined {
    const t = this.item.tooltip;
    return t instanceof vscode.MarkdownString ? t.value : t;
  }

  dispose(): void {
    this.item.dispose();
  }
}
