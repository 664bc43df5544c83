// Composition root: the log first, then services, views and commands; everything disposable is
// registered on the extension context. Heavy modules (gRPC, protobuf schemas) load on first use.
import * as vscode from 'vscode';
import { createLogger, describeError } from './vscode/log';
import { registerCommands } from './vscode/commands';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createLogger();
  context.subscriptions.push(log);
  try {
    context.subscriptions.push(...registerCommands({ log }));
    log.info(`Triton Workbench activated in ${(performance.now() - started).toFixed(1)} ms`);
  } catch (error) {
    log.error('Activation failed', error);
    void vscode.window.showErrorMessage(`Triton Workbench failed to start: ${describeError(error).split('\n')[0]}`);
    throw error;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
