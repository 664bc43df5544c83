// Server-side config errors on config.pbtxt files: "Triton: Validate on Server" (load the buffer as a
// config override) and load-failure reasons from a server's repository index.
import * as vscode from 'vscode';
import type { ParsedDocument } from '../../pbtxt/ast';
import { parse } from '../../pbtxt/parser';
import { isGenericLoadError, serverDiagnostic } from '../../pbtxt/serverReport';
import { createClientFor } from '../../services/clientFactory';
import { ConfigOverrideError, pbtxtToConfigJson } from '../../services/configOverride';
import type { ServerConfig } from '../../services/serverConfig';
import { parseServerSettings } from '../../services/serverConfig';
import { TritonError } from '../../triton/errors';
import type { RepositoryIndexEntry } from '../../triton/types';
import type { Logger } from '../log';
import { VsCodeSecretStore } from '../servers/serverStore';
import { toDiagnostic } from './convert';
import { LANGUAGE_ID, parsedOf, schema } from './documents';

export const VALIDATE_ON_SERVER_COMMAND = 'triton.validateConfigOnServer';
/** Internal command form of reportServerLoadErrors, for callers that hold no module reference. */
export const REPORT_LOAD_ERRORS_COMMAND = 'triton.reportServerLoadErrors';
const LOAD_DEADLINE_MS = 120_000;
const INDEX_DEADLINE_MS = 10_000;
/** Configs bigger than this are not read when placing index errors. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Diagnostics that came from servers, kept apart from the local ones and grouped by server. */
class ServerDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('triton-server');
  /** uri → server name → diagnostics. */
  private readonly byUri = new Map<string, Map<string, vscode.Diagnostic[]>>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    // Once the text changes the server's verdict is about another file: drop it.
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0 && this.byUri.has(e.document.uri.toString())) this.clearUri(e.document.uri);
    });
  }

  set(uri: vscode.Uri, server: string, diagnostics: vscode.Diagnostic[]): void {
    const key = uri.toString();
    const perServer = this.byUri.get(key) ?? new Map<string, vscode.Diagnostic[]>();
    if (diagnostics.length === 0) perServer.delete(server);
    else perServer.set(server, diagnostics);
    if (perServer.size === 0) this.byUri.delete(key);
    else this.byUri.set(key, perServer);
    this.collection.set(uri, [...perServer.values()].flat());
  }

  /** Files this server reported on before. */
  urisOf(server: string): vscode.Uri[] {
    return [...this.byUri.entries()].filter(([, m]) => m.has(server)).map(([k]) => vscode.Uri.parse(k));
  }

  clearUri(uri: vscode.Uri): void {
    this.byUri.delete(uri.toString());
    this.collection.delete(uri);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}

let active: { diagnostics: ServerDiagnostics; log: Logger } | undefined;

/**
 * Puts the load-failure reason of every unavailable model in `entries` (a repository index from
 * server `serverName`) onto the workspace config.pbtxt of that model, and clears what this server
 * reported before for models that are fine now. Safe to call before the language is registered.
 */
export async function reportServerLoadErrors(serverName: string, entries: readonly RepositoryIndexEntry[]): Promise<void> {
  if (active === undefined) return;
  const { diagnostics, log } = active;
  const failing = entries.filter((e) => e.state === 'UNAVAILABLE' && e.reason !== undefined && e.reason.trim() !== '');
  const reported = new Set<string>();
  if (failing.length > 0) {
    const configs = await vscode.workspace.findFiles('**/config.pbtxt', '**/node_modules/**', 5000);
    for (const entry of failing) {
      for (const uri of configs.filter((u) => parentName(u) === entry.name)) {
        const doc = await readParsed(uri);
        if (doc === undefined) continue;
        diagnostics.set(uri, serverName, [toServerDiagnostic(doc, serverName, entry.reason ?? '')]);
        reported.add(uri.toString());
      }
    }
  }
  for (const uri of diagnostics.urisOf(serverName)) if (!reported.has(uri.toString())) diagnostics.set(uri, serverName, []);
  if (reported.size > 0) log.info(`${serverName}: load errors placed on ${reported.size} config file(s)`);
}

function parentName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 2] ?? '';
}

async function readParsed(uri: vscode.Uri): Promise<ParsedDocument | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open !== undefined) return parsedOf(open);
  try {
    if ((await vscode.workspace.fs.stat(uri)).size > MAX_CONFIG_BYTES) return undefined;
    return parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
  } catch {
    return undefined;
  }
}

function toServerDiagnostic(doc: ParsedDocument, server: string, reason: string): vscode.Diagnostic {
  const d = toDiagnostic(serverDiagnostic(doc, server, reason));
  d.source = 'triton server';
  return d;
}

async function pickServer(): Promise<ServerConfig | undefined> {
  const config = vscode.workspace.getConfiguration('triton');
  const { servers } = parseServerSettings(config.get('servers'));
  if (servers.length <= 1) return servers[0];
  const preferred = config.get<string>('activeServer');
  const ordered = [...servers].sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred));
  const pick = await vscode.window.showQuickPick(
    ordered.map((s) => ({ label: s.name, description: s.protocol === 'grpc' && s.grpcUrl !== undefined ? s.grpcUrl : s.httpUrl, server: s })),
    { title: 'Validate on which Triton server?', placeHolder: 'The model is loaded there with this configuration' },
  );
  return pick?.server;
}

function modelNameOf(document: vscode.TextDocument, json: Record<string, unknown>): string | undefined {
  if (typeof json.name === 'string' && json.name !== '') return json.name;
  if (document.uri.scheme === 'untitled') return undefined;
  const parts = document.uri.path.split('/');
  const dir = parts[parts.length - 2];
  return dir === 'configs' ? parts[parts.length - 3] : dir;
}

/** "Triton: Validate on Server": loads the model with the editor's text as its config. */
async function validateOnServer(context: vscode.ExtensionContext, diagnostics: ServerDiagnostics, log: Logger): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined || document.languageId !== LANGUAGE_ID) {
    void vscode.window.showErrorMessage('Open a config.pbtxt in the editor to validate it on a server.');
    return;
  }
  let json: Record<string, unknown>;
  try {
    json = pbtxtToConfigJson(document.getText(), schema());
  } catch (error) {
    if (!(error instanceof ConfigOverrideError)) throw error;
    void vscode.window.showErrorMessage(`Not sent to a server: line ${error.line}, column ${error.column}: ${error.message.replace(/^\d+:\d+: /, '')}`);
    return;
  }
  const model = modelNameOf(document, json);
  if (model === undefined) {
    void vscode.window.showErrorMessage('Add a name: "..." field, or save the file as <model>/config.pbtxt, so the server knows which model to load.');
    return;
  }
  const server = await pickServer();
  if (server === undefined) return;
  const doc = parsedOf(document);
  const version = document.version;
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Loading "${model}" on ${server.name} with this configuration`, cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const listener = token.onCancellationRequested(() => abort.abort());
      const client = await createClientFor(server, new VsCodeSecretStore(context.secrets));
      try {
        await client.loadModel(model, { config: json, signal: abort.signal, deadlineMs: LOAD_DEADLINE_MS });
        return { ok: true as const };
      } catch (error) {
        if (token.isCancellationRequested) return { ok: 'cancelled' as const };
        // The server's own words, without the request prefix the client adds for logs.
        const message = error instanceof TritonError ? (error.serverMessage ?? error.message) : error instanceof Error ? error.message : String(error);
        let reason = message;
        // The load answer is often generic; the repository index holds the specific reason.
        if (isGenericLoadError(message)) {
          try {
            const index = await client.repositoryIndex({ signal: abort.signal, deadlineMs: INDEX_DEADLINE_MS });
            const entry = index.find((e) => e.name === model && e.reason !== undefined && e.reason !== '');
            if (entry?.reason !== undefined) reason = entry.reason;
          } catch (indexError) {
            log.warn(`Reading the repository index of ${server.name} failed: ${String(indexError)}`);
          }
        }
        return { ok: false as const, reason };
      } finally {
        listener.dispose();
        await client.close();
      }
    },
  );
  if (outcome.ok === 'cancelled') return;
  if (outcome.ok) {
    diagnostics.set(document.uri, server.name, []);
    void vscode.window.showInformationMessage(`${server.name} loaded "${model}" with this configuration.`);
    return;
  }
  log.warn(`${server.name} rejected the configuration of "${model}": ${outcome.reason}`);
  if (document.version === version) diagnostics.set(document.uri, server.name, [toServerDiagnostic(doc, server.name, outcome.reason)]);
  // Not awaited: the command finishes when the verdict is on the file, not when the toast closes.
  void vscode.window.showErrorMessage(`${server.name} could not load "${model}": ${outcome.reason}`, 'Show Problems', 'Show Logs').then(async (pick) => {
    if (pick === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
    if (pick === 'Show Logs') log.show();
  });
}

export function registerServerDiagnostics(context: vscode.ExtensionContext, log: Logger): vscode.Disposable[] {
  const diagnostics = new ServerDiagnostics();
  active = { diagnostics, log };
  const command = vscode.commands.registerCommand(VALIDATE_ON_SERVER_COMMAND, async () => {
    try {
      await validateOnServer(context, diagnostics, log);
    } catch (error) {
      log.error('Validate on Server failed', error);
      void vscode.window.showErrorMessage(`Validate on Server failed: ${error instanceof Error ? error.message : String(error)}`, 'Show Logs').then((pick) => {
        if (pick === 'Show Logs') log.show();
      });
    }
  });
  const report = vscode.commands.registerCommand(REPORT_LOAD_ERRORS_COMMAND, async (server: unknown, entries: unknown) => {
    if (typeof server !== 'string' || !Array.isArray(entries)) {
      log.warn(`${REPORT_LOAD_ERRORS_COMMAND} needs (serverName: string, entries: RepositoryIndexEntry[])`);
      return;
    }
    const valid = entries.filter((e): e is RepositoryIndexEntry =>
      e !== null && typeof e === 'object' && typeof (e as RepositoryIndexEntry).name === 'string');
    await reportServerLoadErrors(server, valid);
  });
  return [diagnostics, command, report, { dispose: () => (active = undefined) }];
}
