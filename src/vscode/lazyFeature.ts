// A feature whose code loads on first use: activation registers its commands, panel serializers and
// tree items through thin code, and the feature's module (a bundle of its own, listed in
// scripts/lazyBundles.json) is required the first time one of them runs.
import * as vscode from 'vscode';
import type { Logger } from './log';

export type CommandHandler = (...args: unknown[]) => Promise<unknown>;

export class LazyFeature<T> {
  private value: T | undefined;

  /** `make` requires the feature's module and builds its controller; it runs once, on first use. */
  constructor(readonly name: string, private readonly make: () => T) {}

  /** The controller, made now if it was not yet. */
  get(): T {
    this.value ??= this.make();
    return this.value;
  }

  /** The controller if something has used the feature; undefined before (nothing is loaded then). */
  get loaded(): T | undefined {
    return this.value;
  }
}

/**
 * Registers commands whose handlers the feature's controller holds: the controller is made on the
 * first call. A command the controller lacks, or a feature that fails to load, is an error shown to the user.
 */
export function registerLazyCommands<T extends { readonly commands: Readonly<Record<string, CommandHandler>> }>(ids: readonly string[], feature: LazyFeature<T>, log: Logger): vscode.Disposable[] {
  return ids.map((id) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    let handler: CommandHandler | undefined;
    try {
      handler = feature.get().commands[id];
      if (handler === undefined) throw new Error(`the ${feature.name} feature has no handler for ${id}`);
    } catch (error) {
      log.error(`Command ${id} failed`, error);
      void vscode.window.showErrorMessage(`${id}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    return handler(...args);
  }));
}
