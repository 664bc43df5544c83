// Registers the load test at activation: "Triton: Load Test Model…" (from the palette, the tree's
// model nodes and the Run Inference panel) and the panel serializer. The panel and the load-test
// engine (loadTestFeature, in dist/inference.js) load the first time one of these is used.
import type * as vscode from 'vscode';
import type { RequestDraft } from '../../inference/requestDraft';
import { commandIds, LoadTestCommand } from '../../services/commandIds';
import type { PanelTarget } from '../../shared/inferenceProtocol';
import { LOAD_TEST_VIEW_TYPE } from '../../shared/loadTestProtocol';
import type { ExplorerApi } from '../explorer/registerExplorer';
import type * as InferenceBundle from '../inference/inferenceBundle';
import { panelKey } from '../inference/inferenceTargets';
import type { InferenceApi } from '../inference/registerInference';
import { LazyFeature, registerLazyCommands } from '../lazyFeature';
import type { Logger } from '../log';
import { registerWebviewRestorer } from '../webview/webviewHost';
import type { LoadTestFeature } from './loadTestFeature';
import type { LoadTestPanel } from './loadTestPanel';

export interface LoadTestApi {
  /** Opens (or reveals) the load test of a model; a draft given becomes its payload. */
  open(target: PanelTarget, draft?: RequestDraft): Promise<LoadTestPanel>;
  panel(target: PanelTarget): LoadTestPanel | undefined;
}

export function registerLoadTest(context: vscode.ExtensionContext, log: Logger, explorer: ExplorerApi, inference: InferenceApi): LoadTestApi {
  const subs = context.subscriptions;
  const panels = new Map<string, LoadTestPanel>();
  const feature = new LazyFeature<LoadTestFeature>('Load Test', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require('../inference/inferenceBundle') as typeof InferenceBundle;
    return bundle.createLoadTestFeature({ context, log, explorer, inference, panels });
  });

  subs.push(registerWebviewRestorer(LOAD_TEST_VIEW_TYPE, (webviewPanel, state) => feature.get().restore(webviewPanel, state)));
  subs.push(...registerLazyCommands(commandIds(LoadTestCommand), feature, log));

  return { open: async (target, draft) => feature.get().open(target, draft), panel: (target) => panels.get(panelKey(target)) };
}
