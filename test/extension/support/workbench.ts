// What extension tests share: the activated extension's API, and waiting until the reference server's
// model list is in the explorer's catalog.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TritonWorkbenchApi } from '../../../src/extension';

export const extensionId = 'triton-workbench.triton-workbench';

export async function workbenchApi(): Promise<TritonWorkbenchApi> {
  const extension = vscode.extensions.getExtension<TritonWorkbenchApi>(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  return extension.activate();
}

/** Refreshes the server until the catalog lists `model` (the first refresh may still be running). */
export async function waitForModel(workbench: TritonWorkbenchApi, serverId: string, model: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (workbench.explorer.catalog.model(serverId, model) === undefined) {
    if (Date.now() > deadline) throw new Error(`the server '${serverId}' never listed ${model}`);
    await workbench.explorer.refresh(serverId);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Re-checks `probe` every 100 ms until it gives a value; fails with what it last threw. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
