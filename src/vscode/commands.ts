// The registration list of every command the extension contributes.
import * as vscode from 'vscode';
import type { Logger } from './log';

export interface CommandContext {
  readonly log: Logger;
}

type Handler = (ctx: CommandContext, ...args: unknown[]) => unknown;

const handlers: Record<string, Handler> = {
  'triton.showWelcome': async (ctx) => {
    ctx.log.info('Welcome shown');
    const pick = await vscode.window.showInformationMessage(
      'Triton Workbench is ready: browse servers in the Triton view, edit config.pbtxt with validation, and run inference.',
      'Show Logs',
    );
    if (pick === 'Show Logs') ctx.log.show();
  },
  'triton.showLogs': (ctx) => ctx.log.show(),
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(ctx, ...args);
      } catch (error) {
        ctx.log.error(`Command ${id} failed`, error);
        const pick = await vscode.window.showErrorMessage(
          `${id}: ${error instanceof Error ? error.message : String(error)}`,
          'Show Logs',
        );
        if (pick === 'Show Logs') ctx.log.show();
        return undefined;
      }
    }),
  );
}
