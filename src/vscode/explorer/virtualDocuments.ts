// Read-only documents fetched from a server: `triton-config:` (the effective config as pbtxt, raw or
// normalised against a workspace config.pbtxt) and `triton-info:` (metadata JSON, statistics
// markdown). Each open re-reads the server.
import * as vscode from 'vscode';
import type * as FromJsonModule from '../../pbtxt/fromJson';
import type * as SchemaModule from '../../pbtxt/schema';
import type * as NormalizeModule from '../../services/configNormalize';
import type * as OverrideModule from '../../services/configOverride';
import type { ModelCatalog } from '../../services/modelCatalog';
import { statisticsMarkdown } from '../../services/statisticsReport';
import type { ExplorerContext, ModelTarget } from './explorerContext';
import { reasonOf, showFailure, withCancellableProgress } from './explorerContext';

export const configScheme = 'triton-config';
export const infoScheme = 'triton-info';

/**
 * `config`: the effective config; `normalized` / `workspaceNormalized`: the server's and the
 * workspace's side of a normalised diff (both need the workspace file, carried in the query).
 */
export type InfoKind = 'config' | 'normalized' | 'workspaceNormalized' | 'metadata' | 'statistics';
const kinds: readonly InfoKind[] = ['config', 'normalized', 'workspaceNormalized', 'metadata', 'statistics'];

export interface DocumentAddress {
  readonly kind: InfoKind;
  readonly serverId: string;
  readonly model: string;
  /** The workspace config.pbtxt of a normalised side. */
  readonly workspacePath?: string;
}

/** What the editor tab says: the last path segment. */
function title(a: DocumentAddress): string {
  const name = (s: string): string => s.replace(/[/\\]/g, '_');
  const onServer = `${name(a.model)} (server ${name(a.serverId)})`;
  switch (a.kind) {
    case 'config': return `${onServer} — effective config`;
    case 'normalized': return `${onServer} — effective config, normalised`;
    case 'workspaceNormalized': return `${name(a.model)} (workspace) — config.pbtxt, normalised`;
    case 'metadata': return `${onServer} — metadata.json`;
    case 'statistics': return `${onServer} — statistics.md`;
  }
}

export function documentUri(kind: InfoKind, serverId: string, model: string, workspacePath?: string): vscode.Uri {
  const a: DocumentAddress = { kind, serverId, model, ...(workspacePath !== undefined ? { workspacePath } : {}) };
  const scheme = kind === 'metadata' || kind === 'statistics' ? infoScheme : configScheme;
  return vscode.Uri.from({
    scheme,
    path: `/${encodeURIComponent(serverId)}/${encodeURIComponent(model)}/${kind}/${title(a)}`,
    ...(workspacePath !== undefined ? { query: new URLSearchParams({ path: workspacePath }).toString() } : {}),
  });
}

export function parseDocumentUri(uri: vscode.Uri): DocumentAddress {
  const parts = uri.path.split('/').filter((p) => p !== '');
  const kind = parts[2] as InfoKind;
  if (parts.length !== 4 || !kinds.includes(kind)) throw new Error(`not a Triton document address: ${uri.toString()}`);
  const workspacePath = new URLSearchParams(uri.query).get('path') ?? undefined;
  if ((kind === 'normalized' || kind === 'workspaceNormalized') && workspacePath === undefined) throw new Error(`a normalised config needs its workspace file: ${uri.toString()}`);
  return { kind, serverId: decodeURIComponent(parts[0]!), model: decodeURIComponent(parts[1]!), ...(workspacePath !== undefined ? { workspacePath } : {}) };
}

/* eslint-disable @typescript-eslint/no-require-imports */
// pbtxt rendering needs the proto schema (protobufjs): loaded on the first config shown, not at activation.
function schema(): SchemaModule.Schema {
  return (require('../../pbtxt/schema') as typeof SchemaModule).loadSchema();
}

function renderPbtxt(config: Record<string, unknown>): string {
  return (require('../../pbtxt/fromJson') as typeof FromJsonModule).configJsonToPbtxt(config, schema());
}

function normalizedPair(server: Record<string, unknown>, workspaceText: string, model: string): NormalizeModule.NormalizedPair {
  const s = schema();
  const workspace = (require('../../services/configOverride') as typeof OverrideModule).pbtxtToConfigJson(workspaceText, s);
  return (require('../../services/configNormalize') as typeof NormalizeModule).normalizeConfigPair(server, workspace, model, s);
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** The header lets the pbtxt language treat the text as a model config whatever the tab is called. */
const configHeader = '# proto-message: inference.ModelConfig\n';
const normalizedHeader = `${configHeader}# Normalised for comparison: what Triton fills in at load is completed on both sides and defaults are left out.\n`;

/** The workspace config.pbtxt as the user sees it: the open editor's buffer when there is one (saved or not). */
export async function workspaceConfigText(configPath: string): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === configPath);
  if (open !== undefined) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(configPath)));
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
    const a = parseDocumentUri(uri);
    const { serverId, model } = a;
    let text: string;
    switch (a.kind) {
      case 'config': {
        const config = await this.catalog.config(serverId, model, signal);
        text = `${configHeader}# Effective configuration of '${model}' as server '${serverId}' reports it (read-only).\n${renderPbtxt(config)}`;
        break;
      }
      case 'normalized':
      case 'workspaceNormalized': {
        // Both sides come from one reading, primed together, so a diff never mixes two answers.
        const [config, local] = await Promise.all([this.catalog.config(serverId, model, signal), workspaceConfigText(a.workspacePath!)]);
        const pair = normalizedPair(config, local, model);
        const server = `${normalizedHeader}${pair.server}`;
        const workspace = `${normalizedHeader}${pair.workspace}`;
        this.primed.set(documentUri('normalized', serverId, model, a.workspacePath).toString(), server);
        this.primed.set(documentUri('workspaceNormalized', serverId, model, a.workspacePath).toString(), workspace);
        return a.kind === 'normalized' ? server : workspace;
      }
      case 'metadata':
        text = `${JSON.stringify(await this.catalog.metadata(serverId, model), null, 2)}\n`;
        break;
      case 'statistics':
        text = statisticsMarkdown(model, serverId, await this.catalog.statistics(serverId, model, signal));
        break;
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
      let a: DocumentAddress;
      try {
        a = parseDocumentUri(uri);
      } catch (e) {
        return `# ${reasonOf(e)}\n`;
      }
      const comment = a.kind === 'statistics' ? '> ' : a.kind === 'metadata' ? '// ' : '# ';
      return `${comment}Could not read the ${a.kind} document of '${a.model}' from server '${a.serverId}': ${reasonOf(error)}\n`;
    } finally {
      sub.dispose();
    }
  }

  /** Keeps open normalised diffs current while their workspace file is edited (unsaved text included). */
  followWorkspaceEdits(onError: (error: unknown) => void): vscode.Disposable {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme !== 'file' || e.contentChanges.length === 0) return;
      const path = e.document.uri.fsPath;
      const open = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === configScheme && !d.isClosed && new URLSearchParams(d.uri.query).get('path') === path);
      const serverSide = open.find((d) => parseDocumentUri(d.uri).kind === 'normalized');
      if (serverSide === undefined) return;
      clearTimeout(timers.get(path));
      timers.set(path, setTimeout(() => {
        timers.delete(path);
        const a = parseDocumentUri(serverSide.uri);
        this.fetch(serverSide.uri).then(() => {
          this.reload(serverSide.uri);
          this.reload(documentUri('workspaceNormalized', a.serverId, a.model, a.workspacePath));
        }, onError);
      }, 400));
    });
    return { dispose: () => { sub.dispose(); for (const t of timers.values()) clearTimeout(t); } };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Reads a server document (the progress can be cancelled) and primes it; false when reading failed. */
export async function readDocument(ctx: ExplorerContext, docs: ServerDocumentProvider, uri: vscode.Uri, what: string, target: ModelTarget): Promise<boolean> {
  try {
    await withCancellableProgress(`Reading ${what} of '${target.model}' from ${target.serverId}`, (signal) => docs.fetch(uri, signal));
  } catch (error) {
    await showFailure(ctx, `Reading ${what} of '${target.model}' from ${target.serverId} failed`, error);
    return false;
  }
  docs.reload(uri);
  return true;
}

/** Opens a config document as pbtxt: its tab title has no file extension to tell the language by. */
export async function openConfigDocument(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return doc.languageId === 'pbtxt' ? doc : vscode.languages.setTextDocumentLanguage(doc, 'pbtxt');
}
