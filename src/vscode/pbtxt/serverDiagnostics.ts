// Server-side config errors on config.pbtxt files, kept apart from local ones: load-failure reasons
// from a server's repository index, and what "Validate on Server" found.
import * as vscode from 'vscode';
import type { ParsedDocument } from '../../pbtxt/ast';
import { parse } from '../../pbtxt/parser';
import { isLoadFailure, serverDiagnostic } from '../../pbtxt/serverReport';
import type { RepositoryIndexEntry } from '../../triton/types';
import type { Logger } from '../log';
import { toDiagnostic } from './convert';
import { parsedOf } from './documents';

/** Internal command form of reportServerLoadErrors, for callers that hold no module reference. */
export const REPORT_LOAD_ERRORS_COMMAND = 'triton.reportServerLoadErrors';
/** Configs bigger than this are not read when placing index errors. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Diagnostics that came from servers, kept apart from the local ones and grouped by server. */
export class ServerDiagnostics implements vscode.Disposable {
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
    // Polling repeats the same verdict every few seconds: leave Problems alone when nothing changed.
    if (sameDiagnostics(perServer.get(server) ?? [], diagnostics)) return;
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

function sameDiagnostics(a: readonly vscode.Diagnostic[], b: readonly vscode.Diagnostic[]): boolean {
  return a.length === b.length && a.every((d, i) => d.message === b[i].message && d.range.isEqual(b[i].range));
}

/**
 * Workspace config.pbtxt files, listed at most every CONFIG_LIST_TTL_MS while models keep failing;
 * sooner (but not more than every CONFIG_RELIST_MS) when a failing model has no folder in the list,
 * since that folder may have been created after the last listing.
 */
const CONFIG_LIST_TTL_MS = 30_000;
const CONFIG_RELIST_MS = 2_000;
let configList: { at: number; uris: vscode.Uri[] } | undefined;

async function workspaceConfigs(names: readonly string[]): Promise<vscode.Uri[]> {
  const age = configList === undefined ? Infinity : Date.now() - configList.at;
  const missing = configList !== undefined && names.some((n) => !configList!.uris.some((u) => parentName(u) === n));
  if (age > CONFIG_LIST_TTL_MS || (missing && age > CONFIG_RELIST_MS)) {
    configList = { at: Date.now(), uris: await vscode.workspace.findFiles('**/config.pbtxt', '**/node_modules/**', 5000) };
  }
  return configList!.uris;
}

let active: { diagnostics: ServerDiagnostics; log: Logger } | undefined;

/**
 * Puts the load-failure reason of every model in `entries` that failed to load (a repository index from
 * server `serverName`) onto the workspace config.pbtxt of that model, and clears what this server
 * reported before for models that are fine now. Safe to call before the language is registered.
 */
export async function reportServerLoadErrors(serverName: string, entries: readonly RepositoryIndexEntry[]): Promise<void> {
  if (active === undefined) return;
  const { diagnostics, log } = active;
  const failing = entries.filter(isLoadFailure);
  const reported = new Set<string>();
  if (failing.length > 0) {
    const configs = await workspaceConfigs(failing.map((e) => e.name));
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

export function toServerDiagnostic(doc: ParsedDocument, server: string, reason: string): vscode.Diagnostic {
  const d = toDiagnostic(serverDiagnostic(doc, server, reason));
  d.source = 'triton server';
  return d;
}

/** Registers the server diagnostics store and the command form of reportServerLoadErrors. */
export function registerServerDiagnostics(diagnostics: ServerDiagnostics, log: Logger): vscode.Disposable[] {
  active = { diagnostics, log };
  const report = vscode.commands.registerCommand(REPORT_LOAD_ERRORS_COMMAND, async (server: unknown, entries: unknown) => {
    if (typeof server !== 'string' || !Array.isArray(entries)) {
      log.warn(`${REPORT_LOAD_ERRORS_COMMAND} needs (serverName: string, entries: RepositoryIndexEntry[])`);
      return;
    }
    const valid = entries.filter((e): e is RepositoryIndexEntry =>
      e !== null && typeof e === 'object' && typeof (e as RepositoryIndexEntry).name === 'string');
    await reportServerLoadErrors(server, valid);
  });
  // A model folder created or removed makes the cached listing stale at once.
  const watcher = vscode.workspace.createFileSystemWatcher('**/config.pbtxt', false, true, false);
  const forget = (): void => {
    configList = undefined;
  };
  const dispose = (): void => {
    active = undefined;
    configList = undefined;
  };
  return [diagnostics, report, watcher, watcher.onDidCreate(forget), watcher.onDidDelete(forget), { dispose }];
}
