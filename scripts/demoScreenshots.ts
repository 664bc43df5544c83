// The README's pictures, taken from the running demo (its three-model repository) in Chromium: the
// view beside a config.pbtxt, a model's tree with its server config, and the normalised config diff.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { CodeServer } from '../test/host/codeServer';
import { launchBrowser } from '../test/host/browser';
import { openTritonView, runCommand } from '../test/e2e/support/actions';

function row(pane: Locator, label: string | RegExp): Locator {
  return pane.locator('.monaco-list-row', { has: pane.page().locator('.label-name', { hasText: label }) }).first();
}

async function expand(r: Locator): Promise<void> {
  await r.waitFor();
  if ((await r.getAttribute('aria-expanded')) !== 'true') await r.locator('.monaco-tl-twistie').click();
}

/** Fails when a notification would cover part of the picture (port forwarding, auto save problems…). */
async function assertNoToasts(page: Page): Promise<void> {
  const toasts = page.locator('.notification-toast');
  // A finished progress notification takes a moment to fade out.
  for (let i = 0; i < 50 && (await toasts.count()) > 0; i++) await page.waitForTimeout(100);
  const texts = await toasts.allInnerTexts();
  if (texts.length > 0) throw new Error(`notifications on screen: ${texts.map((t) => t.replace(/\s+/g, ' ')).join(' | ')}`);
}

async function shoot(page: Page, dir: string, name: string): Promise<void> {
  await page.mouse.move(900, 700);
  // Hover effects and the cursor blink settle.
  await page.waitForTimeout(500);
  await assertNoToasts(page);
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`[demo] screenshot saved: ${file}`);
}

async function quickOpen(page: Page, text: string, pick: string | RegExp): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(text);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: pick }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Writes demo.png, model-explorer.png and config-diff.png into `dir`. */
export async function captureScreenshots(codeServer: CodeServer, workspace: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const browser = await launchBrowser();
  try {
    const { page } = browser;
    page.setDefaultTimeout(30_000);
    await page.goto(codeServer.workbenchUrl(workspace), { timeout: 60_000 });
    const pane = await openTritonView(page);
    // The server's models, listed once the first refresh answers.
    await row(pane, /^color_classifier$/).waitFor();
    const simple = row(pane, /^simple$/);
    await simple.click();
    // A model's config.pbtxt beside the view, opened the way a user would (Quick Open).
    await page.keyboard.press('Control+P');
    await quickOpen(page, 'simple/config.pbtxt', 'config.pbtxt');
    await page.locator('.editor-instance .view-lines', { hasText: 'INPUT0' }).first().waitFor();
    await shoot(page, dir, 'demo');

    // The tree of one model down to its inputs, with the server's effective config open.
    await runCommand(page, 'View: Close All Editors');
    await expand(simple);
    await expand(row(pane, /^Version 1$/));
    await expand(row(pane, /^Inputs$/));
    await row(pane, /^INPUT0$/).waitFor();
    await row(pane, /^Config$/).click();
    await page.locator('.tab', { hasText: 'simple (server reference) — effective config' }).first().waitFor();
    await page.locator('.editor-instance .view-lines', { hasText: 'max_batch_size' }).first().waitFor();
    await shoot(page, dir, 'model-explorer');

    // An edit not yet loaded, and the diff with the server: normalised, so only that edit stands out.
    await runCommand(page, 'View: Close All Editors');
    await page.keyboard.press('Control+P');
    await quickOpen(page, 'simple/config.pbtxt', 'config.pbtxt');
    const source = page.locator('.editor-instance .view-lines', { hasText: 'max_batch_size: 8' }).first();
    await source.waitFor();
    await source.locator('.view-line', { hasText: 'max_batch_size: 8' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('4');
    await runCommand(page, 'Triton: Diff Server Config with Workspace config.pbtxt');
    await quickOpen(page, 'simple', /^simple/);
    await page.locator('.tab', { hasText: 'simple: server reference ↔ workspace (normalised)' }).first().waitFor();
    await page.locator('.editor-instance .view-lines', { hasText: 'max_batch_size: 4' }).first().waitFor();
    await shoot(page, dir, 'config-diff');

    // Statistics render in the Markdown preview (kept out of the README; a check of the rendering).
    // The edit was for the picture only: leave the served repository as it was.
    await runCommand(page, 'View: Close All Editors');
    const dontSave = page.locator('.monaco-dialog-box .monaco-button', { hasText: "Don't Save" });
    await dontSave.waitFor({ timeout: 5_000 });
    await dontSave.click();
    await row(pane, /^Statistics$/).click();
    await page.locator('.tab', { hasText: /statistics/ }).first().waitFor();
    await page.waitForTimeout(1500);
    await shoot(page, dir, 'statistics');
  } catch (error) {
    // What the page showed when a step failed, for whoever runs this next.
    mkdirSync('test-results', { recursive: true });
    await browser.page.screenshot({ path: join('test-results', 'demo-screenshots-failure.png') }).catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}
