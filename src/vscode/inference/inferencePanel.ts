// One run-inference panel: a model on a server. Builds the form from the server's metadata and
// config, keeps the draft and the last results host-side, runs requests and answers the page.
import * as vscode from 'vscode';
import { InputError } from '../../inference/inputs/inputError';
import { initialDraft } from '../../inference/inputs/modelForm';
import type { ModelForm } from '../../inference/inputs/modelForm';
import { resolveDraft } from '../../inference/inputs/resolveDraft';
import type { InputReaders } from '../../inference/inputs/resolveDraft';
import type { RequestDraft } from '../../inference/requestDraft';
import type { FromInferencePage, PanelTarget, RunSummary, ToInferencePage } from '../../shared/inferenceProtocol';
import type { InferResult } from '../../triton/types';
import type { Logger } from '../log';
import type { ExportKind, ExportTarget } from '../../inference/exports/exportBundle';
import { historySummary } from '../../inference/history';
import { compareSummaries } from '../../inference/outputs/compare';
import type { ComparisonView } from '../../shared/outputViews';
import type { InferenceSharing } from './inferenceSharing';
import type { WebviewHost } from '../webview/webviewHost';
import { imageItems, loadImageBatch } from './imageInputs';
import { readInputFile, readNpyInput } from './inputFiles';
import { errorView, runInference } from './runInference';
import { LoadTestCommand } from '../../services/commandIds';
import type { RegionLedger } from '../../services/sharedMemory/regionLedger';
import { outputShapesFor } from '../../services/sharedMemory/shmInference';
import type { RunClient } from './runInference';

export interface PanelServices {
  readonly log: Logger;
  /** Metadata and config of the panel's model, from the server. */
  loadModel(target: PanelTarget, signal: AbortSignal): Promise<{ form: ModelForm; serverName: string; grpcAvailable: boolean; defaultProtocol: 'http' | 'grpc' }>;
  client(serverId: string, protocol: 'http' | 'grpc'): Promise<RunClient>;
  /** History, request files and exports, when the extension has them. */
  sharing?: InferenceSharing;
  /** Addresses and non-secret headers an export writes. */
  exportTarget(serverId: string): ExportTarget;
  /** Where regions made for runs through shared memory are recorded while they exist. */
  sharedMemoryLedger?: RegionLedger;
}

/** Readers of the files a draft names, relative paths from the first workspace folder (the load test uses them too). */
export function workspaceReaders(): InputReaders {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return {
    ...(folder?.scheme === 'file' ? { baseDir: folder.fsPath } : {}),
    readFile: readInputFile,
    readNpy: readNpyInput,
    loadImages: (request) => loadImageBatch(request),
  };
}

export class InferencePanel {
  private form: ModelForm | undefined;
  private draft: RequestDraft | undefined;
  private serverName = '';
  private grpcAvailable = false;
  private runId = 0;
  private running: AbortController | undefined;
  private lastResult: InferResult | undefined;
  private lastResultRun = 0;
  private formError: ToInferencePage | undefined;
  private lastSummary: RunSummary | undefined;
  /** Everything posted about the current run, replayed when the page starts again. */
  private replay: ToInferencePage[] = [];
  private readonly listeners = new Set<(message: ToInferencePage) => void>();
  private markLoaded: (ok: boolean) => void = () => undefined;
  /** Settles once the form was read from the server (true) or could not be (false). */
  readonly loaded = new Promise<boolean>((resolve) => { this.markLoaded = resolve; });

  constructor(readonly target: PanelTarget, readonly host: WebviewHost<ToInferencePage, FromInferencePage>, private readonly services: PanelServices, restored?: RequestDraft) {
    this.draft = restored;
    // The form is read while the page starts (the host holds messages until the page is ready);
    // a page that starts again gets everything anew.
    host.onDidBecomeReady(({ reload }) => {
      if (reload) this.sendSnapshot();
    });
    void this.load();
    host.onDidReceive((message) => void this.handle(message).catch((error: unknown) => this.services.log.error(`Run inference panel: ${message.type} failed`, error)));
    host.onDidDispose(() => this.running?.abort());
  }

  /** Every message the panel posts (tests and the bench watch the page's traffic through it). */
  onDidPost(listener: (message: ToInferencePage) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  private post(message: ToInferencePage): void {
    this.host.post(message);
    for (const l of this.listeners) l(message);
  }

  currentDraft(): RequestDraft | undefined {
    return this.draft;
  }

  currentForm(): ModelForm | undefined {
    return this.form;
  }

  private sendSnapshot(): void {
    if (this.formError !== undefined) this.post(this.formError);
    if (this.form === undefined || this.draft === undefined) return;
    this.post({ type: 'init', target: this.target, serverName: this.serverName, grpcAvailable: this.grpcAvailable, form: this.form, draft: this.draft });
    for (const m of this.replay) this.post(m);
    this.postHistory();
  }

  async load(): Promise<void> {
    this.formError = undefined;
    try {
      const loaded = await this.services.loadModel(this.target, AbortSignal.timeout(20_000));
      this.form = loaded.form;
      this.serverName = loaded.serverName;
      this.grpcAvailable = loaded.grpcAvailable;
      const fresh = initialDraft(loaded.form, loaded.grpcAvailable ? loaded.defaultProtocol : 'http');
      if (this.target.version !== undefined) fresh.modelVersion = this.target.version;
      // A restored draft is kept when it still names this model; the server may have changed it.
      this.draft = this.draft !== undefined && this.draft.model === loaded.form.model ? this.draft : fresh;
      if (!this.grpcAvailable && this.draft.protocol === 'grpc') this.draft = { ...this.draft, protocol: 'http' };
      this.sendSnapshot();
      this.markLoaded(true);
    } catch (error) {
      this.services.log.error(`Reading '${this.target.model}' from ${this.target.serverId} failed`, error);
      this.formError = { type: 'formError', target: this.target, error: errorView(error) };
      this.post(this.formError);
      this.markLoaded(false);
    }
  }

  private readers(): InputReaders {
    return workspaceReaders();
  }

  /** Runs the draft; resolves when the run is over (every response and the summary posted). */
  async run(draft: RequestDraft): Promise<RunSummary | undefined> {
    if (this.form === undefined) return undefined;
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    this.draft = draft;
    const runId = ++this.runId;
    this.replay = [];
    const record = (m: ToInferencePage): void => {
      if (runId !== this.runId) return;
      this.replay.push(m);
      this.post(m);
    };
    const requests = draft.mode.kind === 'concurrent' ? draft.mode.count : 1;
    record({ type: 'runStarted', runId, mode: draft.mode.kind, requests });
    let summary: RunSummary;
    try {
      const resolved = await resolveDraft(draft, this.form, this.readers());
      const client = await this.services.client(this.target.serverId, draft.protocol);
      const shm = draft.sharedMemory !== undefined && (draft.sharedMemory.inputs || draft.sharedMemory.outputs)
        ? { plan: draft.sharedMemory, outputShapes: outputShapesFor(this.form, resolved.inputs), serverId: this.target.serverId, ...(this.services.sharedMemoryLedger ? { ledger: this.services.sharedMemoryLedger } : {}) }
        : undefined;
      summary = await runInference(client, resolved, draft.mode, controller.signal, {
        response: (view) => record({ type: 'response', runId, response: view }),
        error: (view) => record({ type: 'runError', runId, error: view }),
        result: (result) => {
          // Only the first of a batch of responses is kept: enough to save an output, bounded in memory.
          if (this.lastResultRun !== runId) this.lastResult = result;
          this.lastResultRun = runId;
        },
      }, shm);
    } catch (error) {
      if (!(error instanceof InputError)) this.services.log.error(`Run inference on '${this.target.model}' failed`, error);
      record({ type: 'runError', runId, error: errorView(error) });
      summary = { requests: 0, failed: 1, wallMs: 0 };
    }
    if (this.running === controller) this.running = undefined;
    this.lastSummary = summary;
    record({ type: 'runFinished', runId, summary });
    await this.remember(draft, summary, runId);
    return summary;
  }

  /** Adds the run to the workspace's history and shows the model's recent entries. */
  private async remember(draft: RequestDraft, summary: RunSummary, runId: number): Promise<void> {
    const sharing = this.services.sharing;
    if (sharing === undefined || summary.requests === 0) return;
    const firstError = this.replay.find((m) => m.type === 'runError');
    try {
      await sharing.history.add({
        draft,
        server: { name: this.serverName, url: this.services.exportTarget(this.target.serverId).httpUrl },
        ...(summary.latency ? { latencyMs: summary.latency.p50 } : {}),
        ...(this.lastResult && this.lastResultRun === runId ? { result: historySummary(this.lastResult) } : {}),
        ...(firstError?.type === 'runError' ? { error: firstError.error.serverMessage ?? firstError.error.message } : {}),
      });
    } catch (error) {
      this.services.log.warn(`Keeping the request in the history failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.postHistory();
  }

  private postHistory(): void {
    const history = this.services.sharing?.history;
    if (history === undefined) return;
    // Every model's recent runs: a result can be compared with the same input on another model or version.
    const entries = history.list().slice(0, 20).map((e) => ({
      id: e.id, timestamp: e.timestamp, model: e.model, ...(e.modelVersion ? { modelVersion: e.modelVersion } : {}),
      canLoad: e.draft !== undefined && e.model === this.target.model, canCompare: e.result !== undefined,
      ...(e.latencyMs !== undefined ? { latencyMs: e.latencyMs } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.draft ? { protocol: e.draft.protocol, mode: e.draft.mode.kind } : {}),
    }));
    this.post({ type: 'history', entries });
  }

  /** The last run (its full result) against a history entry's kept summary. */
  private compareWith(id: string): void {
    const entry = this.services.sharing?.history.get(id);
    const label = entry ? `${entry.model}${entry.modelVersion ? ` v${entry.modelVersion}` : ''} at ${new Date(entry.timestamp).toLocaleTimeString()}` : id;
    if (entry?.result === undefined) return this.post({ type: 'comparison', label, error: 'this history entry kept no result to compare' });
    if (this.lastResult === undefined) return this.post({ type: 'comparison', label, error: 'run the model first: the last run is compared with the entry' });
    const comparison: ComparisonView = compareSummaries(historySummary(this.lastResult), entry.result);
    this.post({ type: 'comparison', label, comparison });
  }

  /** Shows a draft (from a request file or the history) in the form, ready to run. */
  async applyDraft(draft: RequestDraft): Promise<void> {
    if (!(await this.loaded)) return;
    this.draft = { ...draft, model: this.target.model };
    this.sendSnapshot();
  }

  private async exportRequest(kind: ExportKind, draft: RequestDraft): Promise<void> {
    const sharing = this.services.sharing;
    if (sharing === undefined || this.form === undefined) return;
    try {
      const resolved = await resolveDraft(draft, this.form, this.readers());
      const target: ExportTarget = {
        ...this.services.exportTarget(this.target.serverId),
        batched: this.form.maxBatchSize > 0,
        binaryOutputs: this.form.outputs.some((o) => o.datatype === 'FP16' || o.datatype === 'BF16'),
      };
      const inputs = resolved.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: i.shape, data: i.data! }));
      const done = await sharing.exportRequest(kind, draft, inputs, target);
      if (done) this.post({ type: 'saved', message: `Exported as ${kind} to ${done.uri.fsPath}${done.bundle.files.length ? ` (+${done.bundle.files.length} file(s) beside it)` : ''}` });
    } catch (error) {
      this.post({ type: 'runError', runId: this.runId, error: errorView(error) });
    }
  }

  /** Acts on a message of the page (tests call it directly to act as the page). */
  async handle(message: FromInferencePage): Promise<void> {
    switch (message.type) {
      case 'draftChanged': this.draft = message.draft; return;
      case 'run': await this.run(message.draft); return;
      case 'stop': this.running?.abort(); return;
      case 'retryForm': await this.load(); return;
      case 'pickFiles': await this.pickFiles(message.input, message.purpose, message.draft); return;
      case 'droppedFiles': await this.dropped(message.input, message.uris, message.draft); return;
      case 'previewImages': await this.previewImages(message.input, message.draft); return;
      case 'saveOutput': await this.saveOutput(message.output, message.format); return;
      case 'openRaw': await this.openRaw(); return;
      case 'saveRequest': {
        const uri = await this.services.sharing?.saveRequest(message.draft);
        if (uri) this.post({ type: 'saved', message: `Saved the request to ${uri.fsPath}` });
        return;
      }
      case 'exportRequest': await this.exportRequest(message.kind, message.draft); return;
      case 'loadTest':
        // The load test sends this request; its panel is its own (it reads the model again).
        this.draft = message.draft;
        await vscode.commands.executeCommand(LoadTestCommand.loadTestModel, { ...this.target, draft: message.draft });
        return;
      case 'compareHistory': this.compareWith(message.id); return;
      case 'loadHistory': {
        const history = this.services.sharing?.history;
        if (history !== undefined) await this.applyDraft(history.draftFor(message.id));
        return;
      }
    }
  }

  private async setPaths(input: string, draft: RequestDraft, paths: string[], purpose: 'image' | 'bytesFiles' | 'npy'): Promise<void> {
    const entry = draft.inputs.find((i) => i.name === input);
    if (entry === undefined || paths.length === 0) return;
    if (purpose === 'image') entry.source = { kind: 'image', paths, scaling: entry.source.kind === 'image' ? entry.source.scaling : 'NONE' };
    else if (purpose === 'npy') entry.source = { kind: 'npy', path: paths[0]! };
    else entry.source = { kind: 'files', paths };
    this.draft = draft;
    this.post({ type: 'setInput', input, draft });
    if (purpose === 'image') {
      this.post({ type: 'images', input, items: await imageItems(paths).catch(() => []) });
      await this.previewImages(input, draft);
    }
  }

  private async pickFiles(input: string, purpose: 'image' | 'bytesFiles' | 'npy', draft: RequestDraft): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: purpose !== 'npy',
      canSelectFolders: purpose === 'image',
      canSelectFiles: true,
      title: purpose === 'image' ? `Images for '${input}'` : purpose === 'npy' ? `.npy file for '${input}'` : `One file per element of '${input}'`,
      ...(purpose === 'npy' ? { filters: { 'NumPy arrays': ['npy'] } } : purpose === 'image' ? { filters: { Images: ['png', 'jpg', 'jpeg', 'bmp', 'gif', 'webp'], 'All files': ['*'] } } : {}),
    });
    if (picked === undefined) return;
    await this.setPaths(input, draft, picked.filter((u) => u.scheme === 'file').map((u) => u.fsPath), purpose);
  }

  /** Drops bring `file:` URIs (text/uri-list); anything else is refused with a word why. */
  private async dropped(input: string, uris: string[], draft: RequestDraft): Promise<void> {
    const paths: string[] = [];
    for (const text of uris) {
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(text.trim(), true);
      } catch {
        continue;
      }
      if (uri.scheme === 'file' || uri.scheme === 'vscode-remote') paths.push(uri.fsPath);
    }
    if (paths.length === 0) {
      void vscode.window.showWarningMessage(`Nothing usable was dropped on '${input}': drop files from the Explorer, or use the Choose button.`);
      return;
    }
    const entry = draft.inputs.find((i) => i.name === input);
    const purpose = entry?.source.kind === 'files' ? 'bytesFiles' : entry?.source.kind === 'npy' ? 'npy' : 'image';
    await this.setPaths(input, draft, paths, purpose);
  }

  private async previewImages(input: string, draft: RequestDraft): Promise<void> {
    const entry = draft.inputs.find((i) => i.name === input);
    const spec = this.form?.inputs.find((i) => i.name === input);
    if (entry?.source.kind !== 'image' || spec?.image === undefined || entry.source.paths.length === 0) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    try {
      const batched = (this.form?.maxBatchSize ?? 0) > 0;
      const batch = await loadImageBatch({
        paths: entry.source.paths.map((p) => (folder?.scheme === 'file' && !p.startsWith('/') ? vscode.Uri.joinPath(folder, p).fsPath : p)),
        ...spec.image, scaling: entry.source.scaling, datatype: entry.datatype, batch: batched ? entry.shape[0] ?? 1 : 1, batched,
      });
      this.post({ type: 'sentPreview', input, preview: batch.preview });
    } catch (error) {
      this.post({ type: 'sentPreview', input, error: errorView(error instanceof InputError ? error : new InputError(input, error instanceof Error ? error.message : String(error))) });
    }
  }

  private async saveOutput(name: string, format: 'npy' | 'json'): Promise<void> {
    const tensor = this.lastResult?.outputs.find((o) => o.name === name);
    if (tensor === undefined) {
      void vscode.window.showWarningMessage(`No values of output '${name}' to save: run the model first.`);
      return;
    }
    const sharing = this.services.sharing;
    if (sharing === undefined) return;
    const uri = await sharing.saveOutput(tensor, format);
    if (uri) this.post({ type: 'saved', message: `Saved '${name}' to ${uri.fsPath}` });
  }

  private async openRaw(): Promise<void> {
    const raw = this.lastSummary?.raw;
    if (raw === undefined) return;
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: `# Request\n${raw.request}\n\n# Response\n${raw.response}\n` });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }
}
