// Registers run inference at activation: the commands, the panel serializer (panels restored after a
// restart), the tree ▶ actions and the config.pbtxt CodeLens. The panels, request machinery and
// request files (inferenceFeature, in dist/inference.js) load the first time one of these is used.
import * as vscode from 'vscode';
import { commandIds, InferenceCommand } from '../../services/commandIds';
import { INFERENCE_VIEW_TYPE } from '../../shared/inferenceProtocol';
import type { PanelTarget } from '../../shared/inferenceProtocol';
import type { ExplorerApi } from '../explorer/registerExplorer';
import type { Logger } from '../log';
import { LazyFeature, registerLazyCommands } from '../lazyFeature';
import { registerWebviewRestorer } from '../webview/webviewHost';
import type { InferencePanel } from './inferencePanel';
import type { InferenceFeature } from './inferenceFeature';
import type * as InferenceBundle from './inferenceBundle';
import type { RegionLedger } from '../../services/sharedMemory/regionLedger';
import { panelKey, RunInferenceCodeLens } from './inferenceTargets';

export interface InferenceApi {
  /** Opens (or reveals) the panel of a model; resolves once it exists (its form loads on the page's ready). */
  open(target: PanelTarget): Promise<InferencePanel>;
  panel(target: PanelTarget): InferencePanel | undefined;
  readonly panels: ReadonlyMap<string, InferencePanel>;
}

export function registerInference(context: vscode.ExtensionContext, log: Logger, explorer: ExplorerApi, sharedMemoryLedger: RegionLedger): InferenceApi {
  const subs = context.subscriptions;
  const panels = new Map<string, InferencePanel>();
  const feature = new LazyFeature<InferenceFeature>('Run Inference', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require('./inferenceBundle') as typeof InferenceBundle;
    return bundle.createInferenceFeature({ context, log, explorer, sharedMemoryLedger, panels });
  });

  subs.push(registerWebviewRestorer(INFERENCE_VIEW_TYPE, (webviewPanel, state) => feature.get().restore(webviewPanel, state)));
  // inferenceFeature holds the handlers: run, and the request files and history it shares.
  subs.push(...registerLazyCommands(commandIds(InferenceCommand), feature, log));
  const lens = new RunInferenceCodeLens(explorer);
  subs.push(lens, vscode.languages.registerCodeLensProvider({ pattern: '**/config.pbtxt' }, lens));

  return { open: async (target) => feature.get().open(target), panel: (target) => panels.get(panelKey(target)), panels };
}
