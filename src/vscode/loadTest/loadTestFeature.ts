// The load test behind its registration (registerLoadTest): one panel per model and server, its
// payload from the Run Inference panel or a request given, panels restored after a restart.
import * as vscode from 'vscode';
import { buildModelForm } from '../../inference/inputs/modelForm';
import { isRequestDraft } from '../../inference/requestDraft';
import type { RequestDraft } from '../../inference/requestDraft';
import { createClientFor } from '../../services/clientFactory';
import { LoadTestCommand } from '../../services/commandIds';
import type { LoadTestCommandId } from '../../services/commandIds';
import { parseSavedLoadTest } from '../../services/loadTestRuns';
import type { SavedLoadTest } from '../../services/loadTestRuns';
import type { SecretStore } from '../../services/serverConfig';
import type { PanelTarget } from '../../shared/inferenceProtocol';
import { isFromLoadTestPage, isLoadTestPageState, LOAD_TEST_VIEW_TYPE } from '../../shared/loadTestProtocol';
import type { FromLoadTestPage, ToLoadTestPage } from '../../shared/loadTestProtocol';
import type { ExplorerApi } from '../explorer/registerExplorer';
import type { InferenceApi } from '../inference/registerInference';
import { panelKey, pickTarget, targetFromArgs } from '../inference/inferenceTargets';
import type { Logger } from '../log';
import { WebviewHost } from '../webview/webviewHost';
import type { WebviewPanelKind } from '../webview/webviewHost';
import { LoadTestPanel } from './loadTestPanel';
import type { LoadTestServices, Payload, RestoredLoadTest } from './loadTestPanel';

/** The last run a restored panel's state holds, read back with every field checked; a bad one is left out (and logged). */
function restoredRun(lastRun: Record<string, unknown> | undefined, log: Logger): { lastRun?: SavedLoadTest } {
  if (lastRun === undefined) return {};
  try {
    return { lastRun: parseSavedLoadTest(JSON.stringify(lastRun), 'the last run of a restored load test panel') };
  } catch (error) {
    log.warn(error instanceof Error ? error.message : String(error));
    return {};
  }
}

export const loadTestPanelKind: WebviewPanelKind<FromLoadTestPage> = {
  viewType: LOAD_TEST_VIEW_TYPE,
  bundle: 'loadTest',
  isFromWebview: isFromLoadTestPage,
};

export interface LoadTestFeatureDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly explorer: ExplorerApi;
  readonly inference: InferenceApi;
  /** The open panels by panelKey: the registration owns the map, so the API reads it without this module. */
  readonly panels: Map<string, LoadTestPanel>;
}

export interface LoadTestFeature {
  /** Opens (or reveals) the load test of a model; a draft given becomes its payload. */
  open(target: PanelTarget, draft?: RequestDraft): Promise<LoadTestPanel>;
  /** Adopts a panel VS Code restores after a restart (or disposes it when its state is not ours). */
  restore(webviewPanel: vscode.WebviewPanel, state: unknown): void;
  readonly commands: Readonly<Record<LoadTestCommandId, (...args: unknown[]) => Promise<unknown>>>;
}

export function createLoadTestFeature({ context, log, explorer, inference, panels }: LoadTestFeatureDeps): LoadTestFeature {
  const subs = context.subscriptions;
  const secrets: SecretStore = {
    get: async (k) => context.secrets.get(k),
    store: async (k, v) => context.secrets.store(k, v),
    delete: async (k) => context.secrets.delete(k),
  };
  const serverConfig = (serverId: string): NonNullable<ReturnType<typeof explorer.catalog.server>>['config'] => {
    const state = explorer.catalog.server(serverId);
    if (state === undefined) throw new Error(`server '${serverId}' is no longer configured`);
    return state.config;
  };
  const services: LoadTestServices = {
    log,
    loadModel: async (target, signal) => {
      const config = serverConfig(target.serverId);
      const client = await explorer.catalog.client(target.serverId);
      const versionOpt = target.version !== undefined ? { version: target.version } : {};
      const [metadata, modelConfig] = await Promise.all([
        client.modelMetadata(target.model, { signal, ...versionOpt }),
        client.modelConfig(target.model, { signal, ...versionOpt }),
      ]);
      return { form: buildModelForm(metadata, modelConfig), serverName: config.name, grpcAvailable: config.grpcUrl !== undefined, defaultProtocol: config.protocol === 'grpc' ? 'grpc' : 'http' };
    },
    // A run gets a client of its own: its connections are not shared with the explorer's polling.
    client: async (serverId, protocol) => {
      const config = serverConfig(serverId);
      if (protocol === 'grpc' && config.grpcUrl === undefined) throw new Error(`server '${config.name}' has no gRPC address (grpcUrl in triton.servers)`);
      return createClientFor({ ...config, protocol }, secrets);
    },
    addresses: (serverId) => {
      const config = serverConfig(serverId);
      return { httpUrl: config.httpUrl, ...(config.grpcUrl ? { grpcUrl: config.grpcUrl } : {}) };
    },
  };

  const adopt = (target: PanelTarget, host: WebviewHost<ToLoadTestPage, FromLoadTestPage>, payload: Payload, restored?: RestoredLoadTest): LoadTestPanel => {
    const key = panelKey(target);
    const panel = new LoadTestPanel(target, host, services, payload, restored);
    panels.set(key, panel);
    host.onDidDispose(() => {
      if (panels.get(key) === panel) panels.delete(key);
    });
    subs.push(host);
    return panel;
  };

  const open = async (target: PanelTarget, draft?: RequestDraft): Promise<LoadTestPanel> => {
    // Without a request given, the open Run Inference panel's current request is the payload.
    const fromPanel = draft === undefined ? inference.panel(target)?.currentDraft() : undefined;
    const payload: Payload = draft !== undefined
      ? { draft, source: 'the request of the Run Inference panel (Load test…)' }
      : fromPanel !== undefined ? { draft: fromPanel, source: "the current request of this model's open Run Inference panel" } : { source: '' };
    const existing = panels.get(panelKey(target));
    if (existing !== undefined) {
      existing.host.reveal();
      if (payload.draft !== undefined) await existing.setPayload(payload);
      return existing;
    }
    const title = `Load test ${target.model}${target.version ? ` v${target.version}` : ''} · ${target.serverId}`;
    const host = WebviewHost.open<ToLoadTestPage, FromLoadTestPage>(loadTestPanelKind, title, context.extensionUri, log);
    return adopt(target, host, payload);
  };

  const restore = (webviewPanel: vscode.WebviewPanel, state: unknown): void => {
    if (!isLoadTestPageState(state) || panels.has(panelKey(state.target))) {
      webviewPanel.dispose();
      return;
    }
    const host = new WebviewHost<ToLoadTestPage, FromLoadTestPage>(webviewPanel, loadTestPanelKind, context.extensionUri, log);
    adopt(state.target, host, { source: '' }, { ...(state.settings !== undefined ? { settings: state.settings } : {}), ...restoredRun(state.lastRun, log) });
  };

  const commands: Record<LoadTestCommandId, (...args: unknown[]) => Promise<unknown>> = {
    [LoadTestCommand.loadTestModel]: async (...args: unknown[]) => {
      try {
        const target = targetFromArgs(args, explorer) ?? (await pickTarget(explorer, 'Load Test'));
        if (target === undefined) return;
        const given = (args[0] as { draft?: unknown } | undefined)?.draft;
        await open(target, isRequestDraft(given) ? given : undefined);
      } catch (error) {
        log.error('Load Test Model failed', error);
        const pick = await vscode.window.showErrorMessage(`Load Test Model: ${error instanceof Error ? error.message : String(error)}`, 'Show Logs');
        if (pick === 'Show Logs') log.show();
      }
    },
  };

  return { open, restore, commands };
}
