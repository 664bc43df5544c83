// Which model a "Run Inference" starts on: a tree node or CodeLens argument, else picks of server →
// model → version with the active editor's model first; and the CodeLens on workspace config.pbtxt.
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { InferenceCommand } from '../../services/commandIds';
import type { PanelTarget } from '../../shared/inferenceProtocol';
import type { ExplorerApi } from '../explorer/registerExplorer';

/** A panel's key in the maps of open panels: one panel per model, version and server. */
export function panelKey(target: PanelTarget): string {
  return JSON.stringify([target.serverId, target.model, target.version ?? '']);
}

export function targetFromArgs(args: readonly unknown[], explorer: ExplorerApi): PanelTarget | undefined {
  const arg = args[0] as { serverId?: unknown; model?: unknown; version?: unknown; kind?: unknown } | undefined;
  if (arg === undefined || arg === null || typeof arg !== 'object' || typeof arg.model !== 'string') return undefined;
  const serverId = typeof arg.serverId === 'string' ? arg.serverId : explorer.activeServerId();
  if (serverId === undefined) throw new Error('no Triton server is configured; add one first');
  return { serverId, model: arg.model, ...(typeof arg.version === 'string' && arg.version !== '' ? { version: arg.version } : {}) };
}

/** The model a config.pbtxt describes: its `name:` field, else its folder's name (as Triton does). */
export function modelNameOfConfig(text: string, path: string): string {
  const m = /^\s*name\s*:\s*"([^"\n]+)"/m.exec(text);
  return m?.[1] ?? basename(dirname(path));
}

function activeEditorModel(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc === undefined || basename(doc.fileName) !== 'config.pbtxt') return undefined;
  return modelNameOfConfig(doc.getText(), doc.fileName);
}

/** `purpose` titles the picks ("Run Inference", "Load Test"). */
export async function pickTarget(explorer: ExplorerApi, purpose = 'Run Inference'): Promise<PanelTarget | undefined> {
  const ids = explorer.catalog.serverIds();
  if (ids.length === 0) throw new Error('no Triton server is configured; add one first (Triton: Add Server)');
  const active = explorer.activeServerId();
  let serverId = ids[0]!;
  if (ids.length > 1) {
    const ordered = [...ids].sort((a, b) => (a === active ? -1 : b === active ? 1 : 0));
    const pick = await vscode.window.showQuickPick(ordered.map((id) => ({ label: id, description: id === active ? 'active' : explorer.catalog.server(id)?.health.state ?? '' })), { title: `${purpose}: server`, placeHolder: 'Server to run on' });
    if (pick === undefined) return undefined;
    serverId = pick.label;
  }
  if (explorer.catalog.server(serverId)?.models === undefined) await explorer.refresh(serverId);
  const state = explorer.catalog.server(serverId);
  const models = [...(state?.models?.values() ?? [])];
  if (models.length === 0) throw new Error(`server '${serverId}' lists no models${state?.health.problem ? ` (${state.health.problem.message})` : ''}`);
  const preferred = activeEditorModel();
  models.sort((a, b) => (a.name === preferred ? -1 : b.name === preferred ? 1 : Number(b.state === 'READY') - Number(a.state === 'READY')));
  const modelPick = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: m.name === preferred ? `${m.state} · open in the editor` : m.state })),
    { title: `${purpose}: model on ${serverId}`, placeHolder: 'Model to run' },
  );
  if (modelPick === undefined) return undefined;
  const entry = models.find((m) => m.name === modelPick.label)!;
  const ready = entry.versions.filter((v) => v.state === 'READY');
  if (ready.length <= 1) return { serverId, model: entry.name };
  const versionPick = await vscode.window.showQuickPick(
    [{ label: 'Server default', description: 'the version policy picks' }, ...ready.map((v) => ({ label: v.version, description: 'READY' }))],
    { title: `${purpose}: version of ${entry.name}` },
  );
  if (versionPick === undefined) return undefined;
  return { serverId, model: entry.name, ...(versionPick.label !== 'Server default' ? { version: versionPick.label } : {}) };
}

/** "▶ Run inference" at the top of a workspace config.pbtxt whose model is on the active server. */
export class RunInferenceCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly explorer: ExplorerApi) {
    this.subscription = explorer.catalog.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (document.uri.scheme !== 'file' || basename(document.fileName) !== 'config.pbtxt') return [];
    const serverId = this.explorer.activeServerId();
    if (serverId === undefined) return [];
    const model = modelNameOfConfig(document.getText(), document.fileName);
    if (this.explorer.catalog.model(serverId, model) === undefined) return [];
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
      title: '▶ Run inference',
      tooltip: `Open the Run Inference panel for '${model}' on ${serverId}`,
      command: InferenceCommand.run,
      arguments: [{ serverId, model }],
    })];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
