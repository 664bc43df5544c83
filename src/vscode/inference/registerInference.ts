// Wires run inference: one panel per model and server (revealed when already open), panels restored
// after a restart, the "Run Inference…" command, tree ▶ actions and the config.pbtxt CodeLens.
import * as vscode from 'vscode';
import { createClientFor } from '../../services/clientFactory';
import type { SecretStore } from '../../services/serverConfig';
import { buildModelForm } from '../../inference/inputs/modelForm';
import { INFERENCE_VIEW_TYPE, isFromInferencePage, isInferencePageState } from '../../shared/inferenceProtocol';
import type { FromInferencePage, PanelTarget, ToInferencePage } from '../../shared/inferenceProtocol';
import type { TritonClient } from '../../triton/client';
import type { ExplorerApi } from '../explorer/registerExplorer';
import type { Logger } from '../log';
import type { InferenceSharing } from './inferenceSharing';
import { registerWebviewRestorer, WebviewHost } from '../webview/webviewHost';
import type { WebviewPanelKind } from '../webview/webviewHost';
import { InferencePanel, panelKey } from './inferencePanel';
import type { PanelServices } from './inferencePanel';
import type { RegionLedger } from '../../services/sharedMemory/regionLedger';
import { pickTarget, RunInferenceCodeLens, targetFromArgs } from './inferenceTargets';

export const inferencePanelKind: WebviewPanelKind<FromInferencePage> = {
  viewType: INFERENCE_VIEW_TYPE,
  bundle: 'inference',
  isFromWebview: isFromInferencePage,
};

export interface InferenceApi {
  /** Opens (or reveals) the panel of a model; resolves once it exists (its form loads on the page's ready). */
  open(target: PanelTarget): Promise<InferencePanel>;
  panel(target: PanelTarget): InferencePanel | undefined;
  readonly panels: ReadonlyMap<string, InferencePanel>;
}

export function registerInference(context: vscode.ExtensionContext, log: Logger, explorer: ExplorerApi, sharing?: InferenceSharing, sharedMemoryLedger?: RegionLedger): InferenceApi {
  const subs = context.subscriptions;
  const secrets: SecretStore = {
    get: async (k) => context.secrets.get(k),
    store: async (k, v) => context.secrets.store(k, v),
    delete: async (k) => context.secrets.delete(k),
  };
  const panels = new Map<string, InferencePanel>();
  // One client per server and protocol, made on first use and dropped with the server's settings.
  const clients = new Map<string, { config: unknown; client: Promise<TritonClient> }>();
  const serverConfig = (serverId: string): NonNullable<ReturnType<typeof explorer.catalog.server>>['config'] => {
    const state = explorer.catalog.server(serverId);
    if (state === undefined) throw new Error(`server '${serverId}' is no longer configured`);
    return state.config;
  };

  const services: PanelServices = {
    log,
    ...(sharing ? { sharing } : {}),
    ...(sharedMemoryLedger ? { sharedMemoryLedger } : {}),
    exportTarget: (serverId) => {
      const config = serverConfig(serverId);
      return { httpUrl: config.httpUrl, ...(config.grpcUrl ? { grpcUrl: config.grpcUrl } : {}), ...(config.headers ? { headers: { ...config.headers } } : {}) };
    },
    loadModel: async (target, signal) => {
      const config = serverConfig(target.serverId);
      const catalogClient = await explorer.catalog.client(target.serverId);
      const versionOpt = target.version !== undefined ? { version: target.version } : {};
      const [metadata, modelConfig] = await Promise.all([
        catalogClient.modelMetadata(target.model, { signal, ...versionOpt }),
        catalogClient.modelConfig(target.model, { signal, ...versionOpt }),
      ]);
      return { form: buildModelForm(metadata, modelConfig), serverName: config.name, grpcAvailable: config.grpcUrl !== undefined, defaultProtocol: config.protocol === 'grpc' ? 'grpc' : 'http' };
    },
    client: async (serverId, protocol) => {
      const config = serverConfig(serverId);
      if (protocol === 'grpc' && config.grpcUrl === undefined) throw new Error(`server '${config.name}' has no gRPC address (grpcUrl in triton.servers)`);
      const key = `${serverId}\n${protocol}`;
      const cached = clients.get(key);
      if (cached !== undefined && cached.config === config) return cached.client;
      void cached?.client.then((c) => c.close()).catch(() => undefined);
      const client = createClientFor({ ...config, protocol }, secrets);
      clients.set(key, { config, client });
      client.catch(() => clients.delete(key));
      return client;
    },
  };
  subs.push({ dispose: () => { for (const c of clients.values()) void c.client.then((x) => x.close()).catch(() => undefined); } });

  const adopt = (target: PanelTarget, host: WebviewHost<ToInferencePage, FromInferencePage>, restored?: Parameters<typeof InferencePanel.prototype.run>[0]): InferencePanel => {
    const key = panelKey(target);
    const panel = new InferencePanel(target, host, services, restored);
    panels.set(key, panel);
    host.onDidDispose(() => {
      if (panels.get(key) === panel) panels.delete(key);
    });
    subs.push(host);
    return panel;
  };

  const open = async (target: PanelTarget): Promise<InferencePanel> => {
    const existing = panels.get(panelKey(target));
    if (existing !== undefined) {
      existing.host.reveal();
      return existing;
    }
    const title = `Run ${target.model}${target.version ? ` v${target.version}` : ''} · ${target.serverId}`;
    const host = WebviewHost.open<ToInferencePage, FromInferencePage>(inferencePanelKind, title, context.extensionUri, log);
    return adopt(target, host);
  };

  subs.push(registerWebviewRestorer(INFERENCE_VIEW_TYPE, (webviewPanel, state) => {
    if (!isInferencePageState(state) || panels.has(panelKey(state.target))) {
      webviewPanel.dispose();
      return;
    }
    const host = new WebviewHost<ToInferencePage, FromInferencePage>(webviewPanel, inferencePanelKind, context.extensionUri, log);
    adopt(state.target, host, state.draft);
  }));

  subs.push(vscode.commands.registerCommand('triton.runInference', async (...args: unknown[]) => {
    try {
      const target = targetFromArgs(args, explorer) ?? (await pickTarget(explorer));
      if (target !== undefined) await open(target);
    } catch (error) {
      log.error('Run Inference failed', error);
      const pick = await vscode.window.showErrorMessage(`Run Inference: ${error instanceof Error ? error.message : String(error)}`, 'Show Logs');
      if (pick === 'Show Logs') log.show();
    }
  }));

  // A request file opened from the workspace shows in the panel of its model on the active server.
  if (sharing) {
    subs.push(sharing.setDraftOpener(async (draft) => {
      const serverId = explorer.activeServerId();
      if (serverId === undefined) throw new Error('no Triton server is configured; add one first');
      const panel = await open({ serverId, model: draft.model, ...(draft.modelVersion ? { version: draft.modelVersion } : {}) });
      await panel.applyDraft(draft);
    }));
  }

  const lens = new RunInferenceCodeLens(explorer);
  subs.push(lens, vscode.languages.registerCodeLensProvider({ pattern: '**/config.pbtxt' }, lens));

  return { open, panel: (target) => panels.get(panelKey(target)), panels };
}
