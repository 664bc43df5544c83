// The extension's log: one LogOutputChannel, with errors formatted with their cause and stack.
import * as vscode from 'vscode';
import { TritonError } from '../triton/errors';

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

/**
 * A server that refuses a request (a model that fails to load, a wrong input, a server that is down)
 * is part of normal use, not a fault of the extension: it is logged as a warning with the server's
 * reason and no stack trace. Only malformed answers ('protocol') and other errors keep their stack.
 */
export function expectedRefusal(error: unknown): string | undefined {
  if (!(error instanceof TritonError) || error.kind === 'protocol') return undefined;
  const reason = error.serverMessage !== undefined && !error.message.includes(error.serverMessage) ? `${error.message} (${error.serverMessage})` : error.message;
  return `${reason} [${error.kind}${error.status !== undefined ? `, HTTP ${error.status}` : ''}${error.grpcCode !== undefined ? `, gRPC code ${error.grpcCode}` : ''}]`;
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
