// "Triton: Validate on Server": loads the model on a chosen server with the editor's text as its
// config override, and puts the server's verdict on the file where it names a line or field.
import * as vscode from 'vscode';
import { isGenericLoadError } from '../../pbtxt/serverReport';
import { createClientFor } from '../../services/clientFactory';
import { LogsCommand } from '../../services/commandIds';
import type * as ConfigOverrideModule from '../../services/configOverride';
import type { ServerConfig } from '../../services/serverConfig';
import { parseServerSettings } from '../../services/serverConfig';
import { TritonError } from '../../triton/errors';
import type { Logger } from '../log';
import { VsCodeSecretStore } from '../servers/serverStore';
import { LANGUAGE_ID, parsedOf, schema } from './documents';
import type { ServerDiagnostics } from './serverDiagnostics';
import { toServerDiagnostic } from './serverDiagnostics';

export const VALIDATE_ON_SERVER_COMMAND = 'triton.validateConfigOnServer';
const LOAD_DEADLINE_MS = 120_000;
const INDEX_DEADLINE_MS = 10_000;

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

async function validateOnServer(context: vscode.ExtensionContext, diagnostics: ServerDiagnostics, log: Logger): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  // When the server was asked: its log is opened there if the load fails.
  const requestedAt = Date.now();
  if (document === undefined || document.languageId !== LANGUAGE_ID) {
    void vscode.window.showErrorMessage('Open a config.pbtxt in the editor to validate it on a server.');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ConfigOverrideError, pbtxtToConfigJson } = require('../../services/configOverride') as typeof ConfigOverrideModule;
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
    if (pick === 'Show Logs') await vscode.commands.executeCommand(LogsCommand.showLogsForError, { serverId: server.name, timeMs: requestedAt });
  });
}

export function registerValidateOnServer(context: vscode.ExtensionContext, diagnostics: ServerDiagnostics, log: Logger): vscode.Disposable {
  return vscode.commands.registerCommand(VALIDATE_ON_SERVER_COMMAND, async () => {
    try {
      await validateOnServer(context, diagnostics, log);
    } catch (error) {
      log.error('Validate on Server failed', error);
      void vscode.window.showErrorMessage(`Validate on Server failed: ${error instanceof Error ? error.message : String(error)}`, 'Show Logs').then((pick) => {
        if (pick === 'Show Logs') log.show();
      });
    }
  });
}
