// Read-only documents fetched from a server: `triton-config:` (the effective config as pbtxt) and
// `triton-info:` (metadata JSON, statistics markdown). Each open re-reads the server.
import * as vscode from 'vscode';
import type * as FromJsonModule from '../../pbtxt/fromJson';
import type * as SchemaModule from '../../pbtxt/schema';
import type { ModelCatalog } from '../../services/modelCatalog';
import { statisticsMarkdown } from '../../services/statisticsReport';
import { reasonOf } from './explorerContext';

export const configScheme = 'triton-config';
export const infoScheme = 'triton-info';

export type InfoKind = 'config.pbtxt' | 'metadata.json' | 'statistics.md';

export function documentUri(kind: InfoKind, serverId: string, model: string): vscode.Uri {
  const scheme = kind === 'config.pbtxt' ? configScheme : infoScheme;
  // The file name gives the editor its language; the server and model are path segments.
  return vscode.Uri.from({ scheme, path: `/${encodeURIComponent(serverId)}/${encodeURIComponent(model)}/${kind}` });
}

function parseUri(uri: vscode.Uri): { serverId: string; model: string; kind: string } {
  const parts = uri.path.split('/').filter((p) => p !== '');
  if (parts.length !== 3) throw new Error(`not a Triton document address: ${uri.toString()}`);
  return { serverId: decodeURIComponent(parts[0]!), model: decodeURIComponent(parts[1]!), kind: parts[2]! };
}

/** pbtxt rendering needs the proto schema (protobufjs): loaded on the first config shown, not at activation. */
function renderPbtxt(config: Record<string, unknown>): string {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { configJsonToPbtxt } = require('../../pbtxt/fromJson') as typeof FromJsonModule;
  const { loadSchema } = require('../../pbtxt/schema') as typeof SchemaModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return configJsonToPbtxt(config, loadSchema());
}

export class ServerDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly catalog: ModelCatalog) {}

  /** Makes an already open document read the server again. */
  reload(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  private readonly primed = new Map<string, string>();

  /** Reads a document's text from the server; throws with the server's reason. Primes the next open. */
  async fetch(uri: vscode.Uri, signal?: AbortSignal): Promise<string> {
    const { serverId, model, kind } = parseUri(uri);
    let text: string;
    switch (kind) {
      case 'config.pbtxt': {
        const config = await this.catalog.config(serverId, model, signal);
        text = `# Effective configuration of '${model}' as server '${serverId}' reports it (read-only).\n${renderPbtxt(config)}`;
        break;
      }
      case 'metadata.json':
        text = `${JSON.stringify(await this.catalog.metadata(serverId, model), null, 2)}\n`;
        break;
      case 'statistics.md':
        text = statisticsMarkdown(model, serverId, await this.catalog.statistics(serverId, model, signal));
        break;
      default:
        throw new Error(`unknown Triton document '${kind}'`);
    }
    this.primed.set(uri.toString(), text);
    return text;
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const key = uri.toString();
    const primed = this.primed.get(key);
    if (primed !== undefined) {
      this.primed.delete(key);
      return primed;
    }
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      const text = await this.fetch(uri, controller.signal);
      this.primed.delete(key);
      return text;
    } catch (error) {
      // The document says why it is empty rather than failing to open.
      const { serverId, model, kind } = parseUri(uri);
      const comment = kind === 'statistics.md' ? '> ' : kind === 'metadata.json' ? '// ' : '# ';
      return `${comment}Could not read ${kind} of '${model}' from server '${serverId}': ${reasonOf(error)}\n`;
    } finally {
      sub.dispose();
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
