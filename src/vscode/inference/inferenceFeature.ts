// Run inference behind its registration (registerInference): one panel per model and server
// (revealed when already open), panels restored after a restart, request files and the history.
import * as vscode from 'vscode';
import { createClientFor } from '../../services/clientFactory';
import { InferenceCommand } from '../../services/commandIds';
import type { InferenceCommandId } from '../../services/commandIds';
import type { SecretStore } from '../../services/serverConfig';
import { buildModelForm } from '../../inference/inputs/modelForm';
import { INFERENCE_VIEW_TYPE, isFromInferencePage, isInferencePageState } from '../../shared/inferenceProtocol';
import type { FromInferencePage, PanelTarget, ToInferencePage } from '../../shared/inferenceProtocol';
import type { TritonClient } from '../../triton/client';
import type { ExplorerApi } from '../explorer/registerExplorer';
import type { Logger } from '../log';
import { createInferenceSharing } from './inferenceSharing';
import { WebviewHost } from '../webview/webviewHost';
import type { WebviewPanelKind } from '../webview/webviewHost';
import { InferencePanel } from './inferencePanel';
import type { PanelServices } from './inferencePanel';
import type { RegionLedger } from '../../services/sharedMemory/regionLedger';
import { panelKey, pickTarget, targetFromArgs } from './inferenceTargets';

export const inferencePanelKind: WebviewPanelKind<FromInferencePage> = {
  viewType: INFERENCE_VIEW_TYPE,
  bundle: 'inference',
  isFromWebview: isFromInferencePage,
};

export interface InferenceFeatureDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly explorer: ExplorerApi;
  readonly sharedMemoryLedger: RegionLedger;
  /** The open panels by panelKey: the registration owns the map, so the API reads it without this module. */
  readonly panels: Map<string, InferencePanel>;
}

export interface InferenceFeature {
  open(target: PanelTarget): Promise<InferencePanel>;
  /** Adopts a panel VS Code restores after a restart (or disposes it when its state is not ours). */
  restore(webviewPanel: vscode.WebviewPanel, state: unknown): void;
  /** Handlers of the commands the registration contributes, by command id. */
  readonly commands: Readonly<Record<InferenceCommandId, (...args: unknown[]) => Promise<unknown>>>;
}

export function createInferenceFeature({ context, log, explorer, sharedMemoryLedger, panels }: InferenceFeatureDeps): InferenceFeature {
  const subs = context.subscriptions;
  const secrets: SecretStore = {
    get: async (k) => context.secrets.get(k),
    store: async (k, v) => context.secrets.store(k, v),
    delete: async (k) => context.secrets.delete(k),
  };
  // Request history, request files and exports; the panels take the service.
  const { sharing, commands: sharingCommands } = createInferenceSharing(context, log);
  // One client per server and protocol, made on first use and dropped with the server's settings.
  const clients = new Map<string, { config: unknown; client: Promise<TritonClient> }>();
  const serverConfig = (serverId: string): NonNullable<ReturnType<typeof explorer.catalog.server>>['config'] => {
    const state = explorer.catalog.server(serverId);
    if (state === undefined) throw new Error(`server '${serverId}' is no longer configured`);
    return state.config;
  };

  const services: PanelServices = {
    log,
    sharing,
    sharedMemoryLedger,
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

  const restore = (webviewPanel: vscode.WebviewPanel, state: unknown): void => {
    if (!isInferencePageState(state) || panels.has(panelKey(state.target))) {
      webviewPanel.dispose();
      return;
    }
    const host = new WebviewHost<ToInferencePage, FromInferencePage>(webviewPanel, inferencePanelKind, context.extensionUri, log);
    adopt(state.target, host, state.draft);
  };

  // A request file opened from the workspace shows in the panel of its model on the active server.
  subs.push(sharing.setDraftOpener(async (draft) => {
    const serverId = explorer.activeServerId();
    if (serverId === undefined) throw new Error('no Triton server is configured; add one first');
    const panel = await open({ serverId, model: draft.model, ...(draft.modelVersion ? { version: draft.modelVersion } : {}) });
    await panel.applyDraft(draft);
  }));

  const commands: Record<InferenceCommandId, (...args: unknown[]) => Promise<unknown>> = {
    ...sharingCommands,
    [InferenceCommand.run]: async (...args: unknown[]) => {
      try {
        const target = targetFromArgs(args, explorer) ?? (await pickTarget(explorer));
        if (target !== undefined) await open(target);
      } catch (error) {
        log.error('Run Inference failed', error);
        const pick = await vscode.window.showErrorMessage(`Run Inference: ${error instanceof Error ? error.message : String(error)}`, 'Show Logs');
        if (pick === 'Show Logs') log.show();
      }
    },
  };

  return { open, restore, commands };
}
