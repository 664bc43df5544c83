// The server log view as a user sees it in code-server with the installed VSIX: Start Server (custom
// preset running the reference server on the workspace's repository) opens the log, the broken_config
// load failure is red and links to its config.pbtxt, and the link opens the file at the line named.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { repoRoot } from '../host/codeServer';
import { e2eTest, saveScreenshot } from './support/workbench';
import { openTritonView, runCommand } from './support/actions';

/** The page's getComputedStyle (this file is type-checked without the DOM library). */
type ComputedStyle = (el: unknown) => { color: string };

/** The page inside the log view's webview (VS Code nests it in two iframes). */
function logView(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

e2eTest('Start Server shows the server log; a load failure links to the line of its config.pbtxt', async ({ page }) => {
  await openTritonView(page);
  await runCommand(page, 'Triton: Start Server');
  const picker = page.locator('.quick-input-widget');
  await picker.locator('.monaco-list-row', { hasText: 'Custom command' }).first().click();

  const view = logView(page);
  const failure = view.locator('.entry.sev-error', { hasText: "failed to load 'broken_config'" }).first();
  await failure.waitFor({ timeout: 60_000 });
  // Severity colour comes from the theme's error colour, not a fixed one.
  const errorColour = await failure.locator('.msg').evaluate((el) => (globalThis as unknown as { getComputedStyle: ComputedStyle }).getComputedStyle(el).color);
  const infoColour = await view.locator('.entry.sev-info .msg').first().evaluate((el) => (globalThis as unknown as { getComputedStyle: ComputedStyle }).getComputedStyle(el).color);
  assert.notEqual(errorColour, infoColour, 'errors stand out from info lines');
  // Only rows near the viewport are in the DOM, and the Model table is one multi-line entry.
  const table = view.locator('.entry.sev-info', { hasText: '| Model' }).first();
  await table.waitFor();
  assert.match(await table.innerText(), /broken_config[^\n]*UNAVAILABLE/);

  // Filters: errors only leaves the failure; the text filter narrows further.
  await view.locator('input[data-severity="info"]').uncheck();
  await view.locator('input[data-severity="text"]').uncheck();
  assert.equal(await view.locator('.entry.sev-info').count(), 0);
  assert.ok((await view.locator('.entry.sev-error').count()) >= 1);
  await view.locator('input[data-severity="info"]').check();
  await view.locator('input[data-severity="text"]').check();

  const link = failure.locator('.config-link');
  assert.equal((await link.innerText()).trim(), 'broken_config/config.pbtxt');
  await link.click();
  const tab = page.locator('.tabs-container .tab.active', { hasText: 'config.pbtxt' });
  await tab.first().waitFor();
  // The message names output OUTPUT0's dimension: its dims line (17) is selected.
  const position = page.locator('.part.statusbar .statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first();
  await position.waitFor();
  assert.match(await position.innerText(), /^Ln 17, Col \d+/);
  await page.locator('.editor-instance .view-lines', { hasText: 'OUTPUT0' }).first().waitFor();
  // The model filter keeps what the server said about broken_config.
  await view.locator('select[aria-label="Model"]').selectOption('broken_config');
  await view.locator('.entry.sev-info', { hasText: 'loading: broken_config:1' }).first().waitFor();
  assert.equal(await view.locator('.entry', { hasText: 'simple' }).count(), 0);
  // Wide enough that the log's messages and the config are both readable in the picture.
  await page.setViewportSize({ width: 1920, height: 900 });
  await view.locator('.entry.sev-error .msg').first().waitFor();
  await page.waitForTimeout(300);
  await saveScreenshot(page, 'server-logs');
  await view.locator('select[aria-label="Model"]').selectOption('');

  // Clear empties the view and the server's kept history; new lines still arrive after it.
  await view.locator('.toolbar button', { hasText: 'Clear' }).click();
  await view.locator('.empty', { hasText: 'No log lines yet.' }).waitFor();
  await runCommand(page, 'Triton: Stop Server');
  await view.locator('.entry.sev-notice', { hasText: /Server process \d+ ended/ }).first().waitFor({ timeout: 30_000 });
}, {
  settings: {
    // No other server: the one started here is the whole list.
    'triton.servers': [],
    // code-server would announce the server's ports in a toast over the view.
    'remote.autoForwardPorts': false,
    'triton.launcher.customCommand': ['${node}', join(repoRoot, 'test/server/run.mjs'), '--model-repository', '${repository}', '--http-port', '${httpPort}', '--grpc-port', '${grpcPort}', '--metrics-port', '${metricsPort}'],
    'triton.launcher.serverName': 'local',
  },
});
