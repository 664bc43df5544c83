// The extension's log: one LogOutputChannel; errors carry their cause and stack, a server's refusal is a warning without one.
import * as vscode from 'vscode';
import { expectedRefusal } from '../services/refusal';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  show(): void;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const stack = error.stack ?? `${error.name}: ${error.message}`;
    return cause === undefined ? stack : `${stack}\nCaused by: ${describeError(cause)}`;
  }
  return String(error);
}

export function createLogger(): Logger & vscode.Disposable {
  const channel = vscode.window.createOutputChannel('Triton Workbench', { log: true });
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m, e) => {
      const refusal = expectedRefusal(e);
      if (refusal !== undefined) channel.warn(`${m}: ${refusal}`);
      else channel.error(e === undefined ? m : `${m}: ${describeError(e)}`);
    },
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}
