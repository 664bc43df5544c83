// The installed VSIX in code-server: the Triton view opens from the activity bar and renders, and a
// command run from the palette shows its notification; a half-typed edit is not saved behind the user's back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eTest, saveScreenshot } from './support/workbench';
import { openTritonView, runCommand, waitForNotification } from './support/actions';
import { readHostLogs } from '../host/codeServer';

e2eTest('the Triton view opens and Show Welcome notifies', async ({ page, codeServer }) => {
  const models = await openTritonView(page);
  // Either the welcome content (no server yet) or the model tree renders in the view's body.
  const body = models.locator('.pane-body');
  await body.locator('.welcome-view-content, .monaco-list-row').first().waitFor();
  assert.ok(await body.isVisible());

  await runCommand(page, 'Triton: Show Welcome');
  const toast = await waitForNotification(page, 'Triton Workbench is ready');
  assert.match((await toast.innerText()) ?? '', /Show Logs/);
  await saveScreenshot(page, 'workbench');

  const ours = readHostLogs(codeServer.dirs, 'Triton Workbench.log');
  assert.match(ours, /Triton Workbench activated in [\d.]+ ms/);
  const hostErrors = readHostLogs(codeServer.dirs, 'remoteexthost.log')
    .split('\n')
    .filter((line) => line.includes('[error]') && /triton/i.test(line));
  assert.deepEqual(hostErrors, [], 'the extension host logged errors about the extension');
});

e2eTest('a half-typed line stays in the editor: the workbench neither auto-saves nor raises port toasts', async ({ page, workspace }) => {
  // The demo's workspace is the repository the reference server serves: a save there is what it loads next.
  const file = join(workspace, 'model_repository', 'simple', 'config.pbtxt');
  const before = readFileSync(file, 'utf8');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill('simple/config.pbtxt');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'config.pbtxt' }).first().waitFor();
  await page.keyboard.press('Enter');
  const line = page.locator('.editor-instance .view-line', { hasText: 'max_batch_size: 8' }).first();
  await line.waitFor();
  await line.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' max_ba');
  await page.locator('.tab.dirty', { hasText: 'config.pbtxt' }).first().waitFor();
  // Auto save after delay would have written by now (files.autoSaveDelay defaults to 1 s); this waits
  // for the absence of a write, so there is no event to wait for instead.
  await page.waitForTimeout(3_000);
  assert.equal(readFileSync(file, 'utf8'), before, 'the file on disk is unchanged');
  assert.ok(await page.locator('.tab.dirty', { hasText: 'config.pbtxt' }).first().isVisible(), 'the edit is still unsaved');
  const toasts = await page.locator('.notification-toast').allInnerTexts();
  assert.deepEqual(toasts.filter((t) => /port/i.test(t)), [], 'no port forwarding notifications');
}, { referenceServer: true });
