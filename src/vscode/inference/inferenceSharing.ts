// History and sharing on the extension side: the request history kept in workspaceState, request
// files saved and opened in the workspace ("Triton: Open Inference Request…"), exports and saved
// outputs written beside a file the user picks. The Run Inference panel calls these and registers
// how an opened request is shown.
import * as vscode from 'vscode';
import { buildExportBundle, EXPORT_EXTENSIONS } from '../../inference/exports/exportBundle';
import type { ExportBundle, ExportKind, ExportTarget } from '../../inference/exports/exportBundle';
import type { ExportFile, ResolvedTensor } from '../../inference/exports/resolvedRequest';
import { RequestHistory } from '../../inference/history';
import type { KeyValueStore } from '../../inference/history';
import { outputToJson, outputToNpy } from '../../inference/outputs/save';
import type { RequestDraft } from '../../inference/requestDraft';
import { parseRequestFile, pathsOutside, requestFileText } from '../../inference/requestFile';
import { InferenceCommand } from '../../services/commandIds';
import type { OutputTensor } from '../../triton/types';
import type { Logger } from '../log';

export type DraftOpener = (draft: RequestDraft, file: vscode.Uri) => unknown;

export interface InferenceSharing {
  readonly history: RequestHistory;
  /** How an opened request file is shown (the panel registers itself); without one the file opens as text. */
  setDraftOpener(open: DraftOpener): vscode.Disposable;
  /** Asks where to save and writes the request as `.json`; undefined when cancelled. */
  saveRequest(draft: RequestDraft): Promise<vscode.Uri | undefined>;
  /** Reads and validates a request file (asking which one when `file` is absent); undefined when cancelled. */
  openRequestFile(file?: vscode.Uri): Promise<{ draft: RequestDraft; uri: vscode.Uri } | undefined>;
  /** Asks for a file name and writes the export and the files beside it; undefined when cancelled. */
  exportRequest(kind: ExportKind, draft: RequestDraft, inputs: readonly ResolvedTensor[], target: ExportTarget): Promise<{ uri: vscode.Uri; bundle: ExportBundle } | undefined>;
  /** Asks where and saves one output as `.npy` or `.json`; undefined when cancelled. */
  saveOutput(tensor: OutputTensor, format: 'npy' | 'json'): Promise<vscode.Uri | undefined>;
}

/** The commands this module handles (the Run Inference feature adds its own to them). */
export type SharingCommandId = typeof InferenceCommand.openRequest | typeof InferenceCommand.clearHistory;

/** workspaceState has the shape the history wants; this keeps the pure module free of vscode. */
export function mementoStore(memento: vscode.Memento): KeyValueStore {
  return { get: <T>(key: string) => memento.get<T>(key), update: (key, value) => memento.update(key, value) };
}

function workspaceFolderUri(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** `defaultUri` for a save dialog: the name in the first workspace folder, when there is one. */
function inWorkspace(name: string): { defaultUri?: vscode.Uri } {
  const folder = workspaceFolderUri();
  return folder ? { defaultUri: vscode.Uri.joinPath(folder, name.replace(/[^A-Za-z0-9_.-]+/g, '_')) } : {};
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Writes files beside `main`, asking before any of them overwrites an existing file. */
async function writeBeside(main: vscode.Uri, files: readonly ExportFile[]): Promise<boolean> {
  const folder = vscode.Uri.joinPath(main, '..');
  const targets = files.map((f) => ({ uri: vscode.Uri.joinPath(folder, f.name), bytes: f.bytes }));
  const existing: string[] = [];
  for (const t of targets) if (t.uri.toString() !== main.toString() && (await exists(t.uri))) existing.push(vscode.workspace.asRelativePath(t.uri));
  if (existing.length > 0) {
    const pick = await vscode.window.showWarningMessage(`These files already exist and will be replaced: ${existing.join(', ')}`, { modal: true }, 'Replace');
    if (pick !== 'Replace') return false;
  }
  for (const t of targets) await vscode.workspace.fs.writeFile(t.uri, t.bytes);
  return true;
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** The sharing service and the handlers of its two commands (registered at activation, see registerInference). */
export function createInferenceSharing(context: vscode.ExtensionContext, log: Logger): { sharing: InferenceSharing; commands: Record<SharingCommandId, (...args: unknown[]) => Promise<unknown>> } {
  const history = new RequestHistory(mementoStore(context.workspaceState));
  let opener: DraftOpener | undefined;

  const openRequestFile = async (file?: vscode.Uri): Promise<{ draft: RequestDraft; uri: vscode.Uri } | undefined> => {
    const uri = file ?? (await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Open Request',
      filters: { 'Inference request': ['json'] },
      ...(workspaceFolderUri() ? { defaultUri: workspaceFolderUri()! } : {}),
    }))?.[0];
    if (!uri) return undefined;
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const draft = parseRequestFile(text, uri.fsPath);
    // A request from a cloned repository could point at any file on this machine: say so before using it.
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const outside = pathsOutside(draft, roots);
    if (outside.length > 0) {
      const pick = await vscode.window.showWarningMessage(
        `${baseName(uri)} reads files outside the workspace: ${outside.slice(0, 5).join(', ')}${outside.length > 5 ? ` and ${outside.length - 5} more` : ''}. Open it anyway?`,
        { modal: true },
        'Open',
      );
      if (pick !== 'Open') return undefined;
    }
    log.info(`Opened inference request ${uri.fsPath} for model '${draft.model}'`);
    return { draft, uri };
  };

  const sharing: InferenceSharing = {
    history,
    setDraftOpener(open) {
      opener = open;
      return new vscode.Disposable(() => {
        if (opener === open) opener = undefined;
      });
    },
    async saveRequest(draft) {
      const uri = await vscode.window.showSaveDialog({
        saveLabel: 'Save Request',
        filters: { 'Inference request': ['json'] },
        ...inWorkspace(`${draft.model}.request.json`),
      });
      if (!uri) return undefined;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(requestFileText(draft, uri.fsPath)));
      log.info(`Saved inference request for '${draft.model}' to ${uri.fsPath}`);
      return uri;
    },
    openRequestFile,
    async exportRequest(kind, draft, inputs, target) {
      const suggested = `${draft.model}${kind === 'perf_analyzer' ? '.input-data' : ''}${EXPORT_EXTENSIONS[kind]}`;
      const picked = await vscode.window.showSaveDialog({
        saveLabel: 'Export',
        filters: kind === 'python' ? { Python: ['py'] } : kind === 'curl' ? { 'Shell script': ['sh'] } : { 'perf_analyzer input data': ['json'] },
        ...inWorkspace(suggested),
      });
      if (!picked) return undefined;
      const bundle = buildExportBundle(kind, draft, inputs, target, baseName(picked));
      const main = vscode.Uri.joinPath(picked, '..', bundle.main.name);
      if (!(await writeBeside(main, [bundle.main, ...bundle.files]))) return undefined;
      log.info(`Exported the request for '${draft.model}' as ${kind} to ${main.fsPath} (+${bundle.files.length} file(s))`);
      return { uri: main, bundle };
    },
    async saveOutput(tensor, format) {
      const uri = await vscode.window.showSaveDialog({
        saveLabel: `Save as .${format}`,
        filters: format === 'npy' ? { 'NumPy array': ['npy'] } : { JSON: ['json'] },
        ...inWorkspace(`${tensor.name}.${format}`),
      });
      if (!uri) return undefined;
      const bytes = format === 'npy' ? outputToNpy(tensor) : new TextEncoder().encode(outputToJson(tensor));
      await vscode.workspace.fs.writeFile(uri, bytes);
      log.info(`Saved output '${tensor.name}' (${bytes.length} bytes) to ${uri.fsPath}`);
      return uri;
    },
  };

  const commands: Record<SharingCommandId, (...args: unknown[]) => Promise<unknown>> = {
    [InferenceCommand.openRequest]: async (file?: unknown) => {
      try {
        const opened = await openRequestFile(file instanceof vscode.Uri ? file : undefined);
        if (!opened) return undefined;
        if (opener) await opener(opened.draft, opened.uri);
        else void vscode.window.showInformationMessage(`The request for model '${opened.draft.model}' is valid (${opened.draft.inputs.length} input(s)).`);
        return opened.draft;
      } catch (error) {
        log.error('Opening an inference request failed', error);
        void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
        return undefined;
      }
    },
    [InferenceCommand.clearHistory]: async () => {
      const count = history.list().length;
      if (count === 0) {
        void vscode.window.showInformationMessage('The inference history is already empty.');
        return;
      }
      const pick = await vscode.window.showWarningMessage(`Delete all ${count} requests from this workspace's inference history?`, { modal: true }, 'Delete');
      if (pick === 'Delete') await history.clear();
    },
  };
  return { sharing, commands };
}
