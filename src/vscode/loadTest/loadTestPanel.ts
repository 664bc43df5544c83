// One load-test panel: a model on a server, with a request as the payload (the Run Inference panel's,
// or the model's initial one). Runs the engine with live samples, keeps the last run for saving and
// comparing, and exports the matching perf_analyzer command.
import * as vscode from 'vscode';
import { initialDraft } from '../../inference/inputs/modelForm';
import type { ModelForm } from '../../inference/inputs/modelForm';
import { resolveDraft } from '../../inference/inputs/resolveDraft';
import type { RequestDraft } from '../../inference/requestDraft';
import type { PerfAnalyzerExport } from '../../inference/exports/perfAnalyzerExport';
import type { ResolvedTensor } from '../../inference/exports/resolvedRequest';
import { LoadTestRefused, runLoadTest } from '../../services/loadTest';
import type { LoadTestResult } from '../../services/loadTest';
import { loadRequestFromDraft, loadTestPerfAnalyzerExport } from '../../services/loadTestExport';
import { SAVED_LOAD_TEST_VERSION } from '../../services/loadTestRuns';
import type { SavedLoadTest } from '../../services/loadTestRuns';
import type { PanelTarget } from '../../shared/inferenceProtocol';
import type { FromLoadTestPage, LoadTestSettings, ToLoadTestPage } from '../../shared/loadTestProtocol';
import type { TritonClient } from '../../triton/clientTypes';
import { workspaceReaders } from '../inference/inferencePanel';
import { errorView } from '../inference/runInference';
import type { Logger } from '../log';
import type { WebviewHost } from '../webview/webviewHost';
import { askInputDataFile, askRunFile, askSavedRun, compareWithRunFile, writePerfAnalyzerFiles, writeRun } from './loadTestFiles';
import { defaultSettings, LOAD_TEST_PAGE_LIMITS, planFromSettings } from '../../services/loadTestSettings';

export interface LoadTestServices {
  readonly log: Logger;
  loadModel(target: PanelTarget, signal: AbortSignal): Promise<{ form: ModelForm; serverName: string; grpcAvailable: boolean; defaultProtocol: 'http' | 'grpc' }>;
  /** A client of its own for one run; the panel closes it when the run ends. */
  client(serverId: string, protocol: 'http' | 'grpc'): Promise<TritonClient>;
  /** Base HTTP URL and gRPC host:port of the server, for the perf_analyzer command. */
  addresses(serverId: string): { httpUrl: string; grpcUrl?: string };
}

/** Where the payload came from. */
export interface Payload {
  draft?: RequestDraft;
  /** In words, for the panel: whose request it is. */
  source: string;
}

/** What a panel restored after a restart brings back: its settings and its last run. */
export interface RestoredLoadTest {
  settings?: LoadTestSettings;
  lastRun?: SavedLoadTest;
}

const MAX_REPLAYED_SAMPLES = 1200;

const INITIAL_PAYLOAD = "the model's initial request (inputs filled with their defaults): no Run Inference request was given — press Load test… in the Run Inference panel to send yours";

export class LoadTestPanel {
  private form: ModelForm | undefined;
  private draft: RequestDraft | undefined;
  private payloadSource: string;
  private serverName = '';
  private grpcAvailable = false;
  private settings: LoadTestSettings | undefined;
  private runId = 0;
  private running: AbortController | undefined;
  private last: SavedLoadTest | undefined;
  private loadError: string | undefined;
  /** What the page was sent about the current run, replayed when it starts again. */
  private replay: ToLoadTestPage[] = [];
  private readonly listeners = new Set<(message: ToLoadTestPage) => void>();
  private markLoaded: (ok: boolean) => void = () => undefined;
  readonly loaded = new Promise<boolean>((resolve) => { this.markLoaded = resolve; });

  constructor(readonly target: PanelTarget, readonly host: WebviewHost<ToLoadTestPage, FromLoadTestPage>, private readonly services: LoadTestServices, payload: Payload, restored?: RestoredLoadTest) {
    this.draft = payload.draft;
    this.payloadSource = payload.draft === undefined ? INITIAL_PAYLOAD : payload.source;
    this.settings = restored?.settings;
    const lastRun = restored?.lastRun;
    if (lastRun !== undefined) {
      // The run the panel showed before a restart: shown again (as run 0) and kept for Save and Compare.
      this.last = lastRun;
      const { result, ...run } = lastRun;
      const settings = { ...(this.settings ?? defaultSettings(lastRun.protocol)), mode: lastRun.plan.mode };
      this.replay = [{ type: 'started', runId: 0, settings }, { type: 'finished', runId: 0, result, run }];
    }
    host.onDidBecomeReady(({ reload }) => {
      if (reload) this.sendSnapshot();
    });
    host.onDidReceive((message) => void this.handle(message).catch((error: unknown) => this.services.log.error(`Load test panel: ${message.type} failed`, error)));
    host.onDidDispose(() => this.running?.abort());
    void this.load();
  }

  /** Every message the panel posts (tests watch the page's traffic through it). */
  onDidPost(listener: (message: ToLoadTestPage) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  private post(message: ToLoadTestPage): void {
    this.host.post(message);
    for (const l of this.listeners) l(message);
  }

  get payload(): { draft: RequestDraft | undefined; source: string } {
    return { draft: this.draft, source: this.payloadSource };
  }

  get lastRun(): SavedLoadTest | undefined {
    return this.last;
  }

  /** A new payload (from the Run Inference panel) for the next run. */
  async setPayload(payload: Payload): Promise<void> {
    if (!(await this.loaded) || payload.draft === undefined) return;
    this.draft = { ...payload.draft, model: this.target.model };
    this.payloadSource = payload.source;
    this.sendSnapshot();
  }

  private sendSnapshot(): void {
    if (this.loadError !== undefined) this.post({ type: 'loadError', message: this.loadError });
    if (this.form === undefined || this.draft === undefined) return;
    this.post({
      type: 'init', target: this.target, serverName: this.serverName, grpcAvailable: this.grpcAvailable, payload: this.payloadSource,
      sequence: this.form.sequence, decoupled: this.form.decoupled, settings: this.settings ?? defaultSettings(this.draft.protocol), limits: LOAD_TEST_PAGE_LIMITS,
    });
    for (const m of this.replay) this.post(m);
  }

  private async load(): Promise<void> {
    try {
      const loaded = await this.services.loadModel(this.target, AbortSignal.timeout(20_000));
      this.form = loaded.form;
      this.serverName = loaded.serverName;
      this.grpcAvailable = loaded.grpcAvailable;
      if (this.draft === undefined || this.draft.model !== loaded.form.model) {
        this.draft = initialDraft(loaded.form, loaded.grpcAvailable ? loaded.defaultProtocol : 'http');
        if (this.target.version !== undefined) this.draft.modelVersion = this.target.version;
        this.payloadSource = INITIAL_PAYLOAD;
      }
      if (!this.grpcAvailable && this.draft.protocol === 'grpc') this.draft = { ...this.draft, protocol: 'http' };
      if (this.settings !== undefined && !this.grpcAvailable) this.settings = { ...this.settings, protocol: 'http' };
      this.sendSnapshot();
      this.markLoaded(true);
    } catch (error) {
      this.services.log.error(`Reading '${this.target.model}' from ${this.target.serverId} failed`, error);
      this.loadError = `Reading '${this.target.model}' from ${this.target.serverId} failed: ${errorView(error).message}`;
      this.post({ type: 'loadError', message: this.loadError });
      this.markLoaded(false);
    }
  }

  /** The payload's tensors, resolved as Run Inference would send them, over the settings' protocol. */
  private async resolvedPayload(protocol: 'http' | 'grpc'): Promise<{ draft: RequestDraft; inputs: ResolvedTensor[] }> {
    const draft: RequestDraft = { ...this.draft!, protocol, mode: { kind: 'single' } };
    delete draft.sharedMemory;
    const resolved = await resolveDraft(draft, this.form!, workspaceReaders());
    return { draft, inputs: resolved.inputs.map((i) => ({ name: i.name, datatype: i.datatype, shape: i.shape, data: i.data! })) };
  }

  /** Runs the settings' load; resolves with the result (undefined when it did not start). */
  async start(settings: LoadTestSettings): Promise<LoadTestResult | undefined> {
    if (this.form === undefined || this.draft === undefined) return undefined;
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    this.settings = settings;
    const runId = ++this.runId;
    this.replay = [];
    let samples = 0;
    let stepIndex = 0;
    const record = (m: ToLoadTestPage): void => {
      if (runId !== this.runId) return;
      this.replay.push(m);
      // A long run's replay keeps its latest samples only (as many as the page's chart shows).
      if (m.type === 'sample' && ++samples > MAX_REPLAYED_SAMPLES) {
        this.replay.splice(this.replay.findIndex((r) => r.type === 'sample'), 1);
      }
      this.post(m);
    };
    let client: TritonClient | undefined;
    try {
      const planned = planFromSettings(settings);
      if (settings.protocol === 'grpc' && !this.grpcAvailable) throw new Error(`server '${this.serverName}' has no gRPC address (grpcUrl in triton.servers)`);
      let confirmSequence = false;
      if (this.form.sequence) {
        const pick = await vscode.window.showWarningMessage(
          `'${this.target.model}' is a sequence model: its requests carry state, so sending the same request over and over is not a fair load and may leave sequences open on the server.`,
          { modal: true }, 'Run anyway');
        if (pick !== 'Run anyway') throw new LoadTestRefused('not started: a sequence model is load-tested only when confirmed');
        confirmSequence = true;
      }
      const { draft, inputs } = await this.resolvedPayload(settings.protocol);
      const payload = loadRequestFromDraft(draft, inputs);
      record({ type: 'started', runId, settings });
      client = await this.services.client(this.target.serverId, settings.protocol);
      const result = await runLoadTest(client, {
        model: this.target.model, ...(draft.modelVersion ? { version: draft.modelVersion } : {}),
        payload, plan: planned.plan, maxRequests: planned.maxRequests, maxDurationMs: planned.maxDurationMs,
        signal: controller.signal, confirmSequence, requestTimeoutMs: 30_000, sampleIntervalMs: 250,
        onSample: (sample) => record({ type: 'sample', runId, sample }),
        onStep: (step) => record({ type: 'step', runId, index: stepIndex++, step }),
      });
      const url = settings.protocol === 'grpc' ? this.services.addresses(this.target.serverId).grpcUrl ?? client.url : this.services.addresses(this.target.serverId).httpUrl;
      const run: Omit<SavedLoadTest, 'result'> = {
        version: SAVED_LOAD_TEST_VERSION, savedAt: new Date().toISOString(), model: this.target.model,
        ...(draft.modelVersion ? { modelVersion: draft.modelVersion } : {}), protocol: settings.protocol, url, plan: planned.plan,
      };
      this.last = { ...run, result };
      record({ type: 'finished', runId, result, run });
      return result;
    } catch (error) {
      if (!(error instanceof LoadTestRefused)) this.services.log.error(`Load test of '${this.target.model}' failed`, error);
      const view = errorView(error);
      record({ type: 'runError', runId, message: view.serverMessage ? `${view.message}: ${view.serverMessage}` : view.message });
      return undefined;
    } finally {
      if (this.running === controller) this.running = undefined;
      void client?.close().catch(() => undefined);
    }
  }

  stop(): void {
    this.running?.abort();
  }

  /** The perf_analyzer command and --input-data JSON for the settings' load on the payload. */
  async perfAnalyzerExport(settings: LoadTestSettings, dataFileName?: string): Promise<PerfAnalyzerExport> {
    if (this.form === undefined || this.draft === undefined) throw new Error('the model has not been read from the server yet');
    const { plan } = planFromSettings(settings);
    const { draft, inputs } = await this.resolvedPayload(settings.protocol);
    const addresses = this.services.addresses(this.target.serverId);
    const url = settings.protocol === 'grpc' ? addresses.grpcUrl : addresses.httpUrl;
    if (url === undefined) throw new Error(`server '${this.serverName}' has no gRPC address (grpcUrl in triton.servers)`);
    return loadTestPerfAnalyzerExport(draft, inputs, { url, protocol: settings.protocol, batched: this.form.maxBatchSize > 0, ...(dataFileName ? { dataFileName } : {}) }, plan);
  }

  /** Writes the last run as JSON (the Save run… button, after its dialog). */
  async saveRunTo(uri: vscode.Uri): Promise<void> {
    if (this.last === undefined) throw new Error('no run to save yet');
    await writeRun(uri, this.last);
    this.notice(`Saved the run to ${uri.fsPath}`);
  }

  /** Compares the last run with a saved one and shows the comparison (Compare with saved run…). */
  async compareWithFile(uri: vscode.Uri): Promise<void> {
    if (this.last === undefined) throw new Error('no run to compare yet');
    const compared = await compareWithRunFile(uri, this.last);
    this.post({ type: 'comparison', label: compared.label, rows: compared.rows });
  }

  /** Writes the --input-data JSON to `uri` and copies the perf_analyzer command; returns it. */
  async exportPerfAnalyzerTo(uri: vscode.Uri, settings: LoadTestSettings): Promise<string> {
    const command = await writePerfAnalyzerFiles(uri, (name) => this.perfAnalyzerExport(settings, name));
    this.notice(`Copied the perf_analyzer command; its --input-data file is ${uri.fsPath}`);
    return command;
  }

  private notice(message: string, error = false): void {
    this.post({ type: 'notice', message, ...(error ? { error } : {}) });
  }

  /** Acts on a message of the page (tests call it directly to act as the page). */
  async handle(message: FromLoadTestPage): Promise<void> {
    try {
      switch (message.type) {
        case 'start': await this.start(message.settings); return;
        case 'stop': this.stop(); return;
        case 'save': {
          if (this.last === undefined) return this.notice('Run a load test first: the last run is what is saved.', true);
          const uri = await askRunFile(this.target.model);
          if (uri !== undefined) await this.saveRunTo(uri);
          return;
        }
        case 'compare': {
          if (this.last === undefined) return this.notice('Run a load test first: the last run is compared with a saved one.', true);
          const uri = await askSavedRun();
          if (uri !== undefined) await this.compareWithFile(uri);
          return;
        }
        case 'copyCommand': {
          this.settings = message.settings;
          const uri = await askInputDataFile(this.target.model);
          if (uri !== undefined) await this.exportPerfAnalyzerTo(uri, message.settings);
          return;
        }
      }
    } catch (error) {
      this.notice(errorView(error).message, true);
    }
  }
}
