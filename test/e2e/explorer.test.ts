// The model explorer as a user sees it in code-server with the installed VSIX: the server and its
// models in the tree, health in the status bar, and Unload / Load from the row's inline actions.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { e2eTest } from './support/workbench';
import { openTritonView, runCommand } from './support/actions';

function row(pane: Locator, label: string): Locator {
  // The row's icon label carries exactly the item's label, where the row's own aria-label adds the description.
  return pane.locator(`.monaco-list-row:has(.monaco-icon-label[aria-label="${label}"])`).first();
}

async function description(r: Locator): Promise<string> {
  return (await r.locator('.label-description').first().innerText()).trim();
}

async function waitForDescription(r: Locator, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await description(r).catch(() => '');
    if (pattern.test(last)) return last;
    await r.page().waitForTimeout(100);
  }
  throw new Error(`timed out waiting for ${what}: description is '${last}'`);
}

async function clickInline(page: Page, r: Locator, title: string): Promise<void> {
  await r.hover();
  const action = r.locator(`.actions .action-label[aria-label="${title}"]`);
  await action.waitFor();
  await action.click();
  await page.mouse.move(0, 0);
}

e2eTest('the explorer shows the server, its models and their states, and unloads/loads from the tree', async ({ page }) => {
  const pane = await openTritonView(page);
  const server = row(pane, 'reference');
  await server.waitFor();
  await waitForDescription(server, /2\.\d+\.\d+/, 'the server version');

  const statusItem = page.locator('.part.statusbar .statusbar-item', { hasText: 'reference:' });
  await statusItem.first().waitFor();
  assert.match(await statusItem.first().innerText(), /reference: (ready|live) · 2\./);
  // Clicking the status bar item offers the servers to switch to.
  await statusItem.first().click();
  const picker = page.locator('.quick-input-widget');
  await picker.locator('.monaco-list-row', { hasText: 'Add Server' }).waitFor();
  assert.match(await picker.locator('.monaco-list-row', { hasText: 'reference' }).first().innerText(), /reference/);
  await page.keyboard.press('Escape');

  const simple = row(pane, 'simple');
  await simple.waitFor();
  assert.match(await description(simple), /^READY · v1/);
  const broken = row(pane, 'broken_config');
  await broken.waitFor();
  assert.match(await description(broken), /UNAVAILABLE/);

  // Expanding shows the server's reason under the broken model and the tensors under a version.
  await broken.locator('.monaco-tl-twistie').click();
  await pane.locator('.monaco-list-row', { hasText: /dimension/ }).first().waitFor();
  await broken.locator('.monaco-tl-twistie').click();
  await simple.locator('.monaco-tl-twistie').click();
  const version = row(pane, 'Version 1');
  await version.locator('.monaco-tl-twistie').click();
  await row(pane, 'Inputs').locator('.monaco-tl-twistie').click();
  const input0 = row(pane, 'INPUT0');
  await input0.waitFor();
  assert.equal(await description(input0), 'INT32 [-1, 16]');

  await clickInline(page, simple, 'Unload Model');
  await waitForDescription(simple, /^UNAVAILABLE/, 'simple to be unloaded');
  await clickInline(page, simple, 'Load Model');
  await waitForDescription(simple, /^READY/, 'simple to be loaded again');
}, { referenceServer: true });

e2eTest('Add Server validates what is typed and the new server becomes the active one', async ({ page, reference }) => {
  const pane = await openTritonView(page);
  await row(pane, 'reference').waitFor();
  await runCommand(page, 'Triton: Add Server');
  const input = page.locator('.quick-input-widget input');
  const message = page.locator('.quick-input-widget .quick-input-message');
  const title = (text: string): Promise<void> => page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor();
  await title('Add Triton Server');
  await input.fill('reference');
  await message.filter({ hasText: /already exists/ }).waitFor();
  await input.fill('second');
  await page.keyboard.press('Enter');
  await title('Triton HTTP URL');
  await input.fill('localhost:8000');
  await message.filter({ hasText: /must start with http|not a URL/ }).waitFor();
  await input.fill(reference!.httpUrl);
  await page.keyboard.press('Enter');
  await title('Triton gRPC address');
  await input.fill('no-port');
  await message.filter({ hasText: /not host:port/ }).waitFor();
  await input.fill(reference!.grpcUrl);
  await page.keyboard.press('Enter');
  await title('Preferred protocol');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'gRPC' }).click();
  const second = row(pane, 'second');
  await second.waitFor();
  // broken_config failed to load, so the server is live but not ready (strict readiness), and says why.
  await waitForDescription(second, /^2\.\d+\.\d+ · live, not ready \(a model failed to load: broken_config\) ●$/, 'the new server to be active and reached over gRPC');
  const statusItem = page.locator('.part.statusbar .statusbar-item', { hasText: 'second:' });
  await statusItem.first().waitFor();
}, { referenceServer: true });
