// Composition root: the log first, then services, views and commands; everything disposable is
// registered on the extension context. Heavy modules (gRPC, protobuf schemas) load on first use, and
// so does each feature's code: its registration is thin (see vscode/lazyFeature.ts).
import * as vscode from 'vscode';
import { createLogger, describeError } from './vscode/log';
import { registerCommands } from './vscode/commands';
import { registerExplorer } from './vscode/explorer/registerExplorer';
import type { ExplorerApi } from './vscode/explorer/registerExplorer';
import { registerPbtxtLanguage } from './vscode/pbtxt/registerPbtxt';
import { registerInference } from './vscode/inference/registerInference';
import type { InferenceApi } from './vscode/inference/registerInference';
import { registerLogs } from './vscode/logs/registerLogs';
import type { LogsApi } from './vscode/logs/registerLogs';
import { registerSharedMemory } from './vscode/sharedMemory/registerSharedMemory';
import type { SharedMemoryApi } from './vscode/sharedMemory/registerSharedMemory';
import { registerLoadTest } from './vscode/loadTest/registerLoadTest';
import type { LoadTestApi } from './vscode/loadTest/registerLoadTest';

/** What `activate` returns: other extensions and the extension tests read the explorer through it. */
export interface TritonWorkbenchApi {
  readonly explorer: ExplorerApi;
  /** Run-inference panels (open one, watch what it posts). */
  readonly inference: InferenceApi;
  /** Load-test panels (open one, watch what it posts). */
  readonly loadTest: LoadTestApi;
  readonly sharedMemory: SharedMemoryApi;
  /** Server log streams, the log view and servers started from the editor. */
  readonly logs: LogsApi;
}

// What must still run when the window closes: removing the shared memory this window made.
let cleanupOnDeactivate: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): TritonWorkbenchApi {
  const started = performance.now();
  const log = createLogger();
  context.subscriptions.push(log);
  try {
    context.subscriptions.push(...registerCommands({ log }));
    registerPbtxtLanguage(context, log);
    const explorer = registerExplorer(context, log);
    const sharedMemory = registerSharedMemory(context, log, explorer);
    const inference = registerInference(context, log, explorer, sharedMemory.ledger);
    const loadTest = registerLoadTest(context, log, explorer, inference);
    cleanupOnDeactivate = () => sharedMemory.cleanup();
    const logs = registerLogs(context, log, explorer);
    log.info(`Triton Workbench activated in ${(performance.now() - started).toFixed(1)} ms`);
    return { explorer, sharedMemory, logs, inference, loadTest };
  } catch (error) {
    log.error('Activation failed', error);
    void vscode.window.showErrorMessage(`Triton Workbench failed to start: ${describeError(error).split('\n')[0]}`);
    throw error;
  }
}

/** Everything else is disposed through context.subscriptions; VS Code waits for this promise. */
export function deactivate(): Promise<void> | undefined {
  const cleanup = cleanupOnDeactivate;
  cleanupOnDeactivate = undefined;
  return cleanup?.();
}
