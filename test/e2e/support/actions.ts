// What a user does in the workbench, as playwright steps: open the Triton view, run a command from
// the palette, wait for a notification.
import type { Locator, Page } from 'playwright-core';

/** Clicks the Triton icon in the activity bar and returns the Models view's pane. */
export async function openTritonView(page: Page): Promise<Locator> {
  const sidebar = page.locator('.part.sidebar');
  const title = sidebar.locator('.composite.title', { hasText: /Triton/i });
  // Clicking the icon of the container already shown would close the side bar.
  if (!(await title.isVisible())) {
    await page.locator('.part.activitybar .action-item a[aria-label^="Triton"]').first().click();
  }
  await title.waitFor();
  // With one view in the container its header is hidden, but keeps its aria-label.
  return sidebar.locator('.pane', { has: page.locator('.pane-header[aria-label^="Models"]') });
}

/** Runs a command through the command palette by its full title, e.g. "Triton: Show Welcome". */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  // The palette also lists commands whose titles merely contain these words, possibly first: pick
  // the row that is this command.
  const row = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.monaco-highlighted-label', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  await row.first().click();
}

/** Palette command → the quick pick's row labelled exactly `item` (a model, a server). */
export async function pickFromCommand(page: Page, command: string, item: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, command);
    const row = page.locator('.quick-input-widget .monaco-list-row:visible', { has: page.locator('.monaco-highlighted-label', { hasText: new RegExp(`^${item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
    try {
      await page.locator('.quick-input-widget input').fill(item);
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      return;
    } catch (error) {
      // A webview taking focus back can close the quick pick as it opens: try again.
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Developer: Reload Window — a new workbench and extension host. Unlike a reload of the browser page,
 * the command saves the workbench's state (open editors, webview state) before the page goes, so
 * what comes back is what was there.
 */
export async function reloadWindow(page: Page): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await navigated;
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
}

/** Waits for a notification toast containing `text` to finish sliding in. */
export async function waitForNotification(page: Page, text: string | RegExp): Promise<Locator> {
  const toast = page.locator('.notification-toast.notification-fade-in-done', { hasText: text });
  await toast.first().waitFor();
  return toast.first();
}
