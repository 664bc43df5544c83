// The installed VSIX in code-server: the Triton view opens from the activity bar and renders, and a
// command run from the palette shows its notification.
import assert from 'node:assert/strict';
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
