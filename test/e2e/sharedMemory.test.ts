// Shared memory as a user meets it in code-server: Create & Register from the palette (a bad key
// refused as typed), the region in the Shared Memory section, then the extension host killed — the
// next one offers to clean up what the dead one left in /dev/shm, and does.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { e2eTest, saveScreenshot } from './support/workbench';
import { openTritonView, runCommand, waitForNotification } from './support/actions';

function row(pane: Locator, label: string): Locator {
  return pane.locator(`.monaco-list-row:has(.monaco-icon-label[aria-label="${label}"])`).first();
}

/** Process ids below `root` whose command line matches `pattern` (read from /proc). */
function descendants(root: number, pattern: RegExp): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    if (!below(pid)) return false;
    try {
      return pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      return false;
    }
  });
}

/** Waits for the input box whose prompt matches (the steps share one title), then answers it. */
async function answer(page: Page, prompt: RegExp, text: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-message', { hasText: prompt }).first().waitFor();
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  await page.keyboard.press('Enter');
}

e2eTest('a region created from the palette is listed, and one left by a killed extension host is cleaned up at the next start', async ({ page, codeServer }) => {
  const name = `tw_e2e_${process.pid}`;
  const key = `/${name}`;
  const pane = await openTritonView(page);
  const server = row(pane, 'reference');
  await server.waitFor();

  await runCommand(page, 'Triton: Create & Register Shared Memory Region');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Create & Register Shared Memory on reference' }).waitFor();
  await answer(page, /Region name/, name);
  await page.locator('.quick-input-widget .quick-input-message', { hasText: /Key: the \/dev\/shm object to create/ }).waitFor();
  const input = page.locator('.quick-input-widget input');
  await input.fill('/a/../b');
  await page.locator('.quick-input-widget .quick-input-message', { hasText: /must not contain a '\/' after the leading one/ }).waitFor();
  await input.fill(key);
  await page.keyboard.press('Enter');
  await answer(page, /^Size/, '64 KiB');
  await waitForNotification(page, new RegExp(`Shared memory '${name}' \\(${key}, 64 KiB\\) is registered on reference`));
  assert.ok(existsSync(`/dev/shm/${name}`));

  const section = row(pane, 'Shared Memory');
  await section.locator('.monaco-tl-twistie').click();
  const region = row(pane, name);
  await region.waitFor();
  assert.match(await region.locator('.label-description').first().innerText(), /64 KiB · registered, created here/);
  await page.mouse.move(700, 400);
  await saveScreenshot(page, 'shared-memory');

  const hosts = descendants(codeServer.process.pid, /extensionHost/);
  assert.equal(hosts.length, 1, `one extension host under code-server, found ${hosts.join(', ')}`);
  process.kill(hosts[0]!, 'SIGKILL');
  assert.ok(existsSync(`/dev/shm/${name}`), 'a killed host cannot clean up');

  // The workbench offers to restart the host (or restarts it); the new one finds the dead one's region.
  const offer = page.locator('.notification-toast.notification-fade-in-done', { hasText: /no longer running are? still in \/dev\/shm|no longer running is still in \/dev\/shm/ });
  const restart = page.locator('.notification-toast .monaco-button', { hasText: /^Restart/ });
  await Promise.race([offer.first().waitFor({ timeout: 30_000 }), restart.first().waitFor({ timeout: 30_000 })]);
  if (!(await offer.first().isVisible())) await restart.first().click();
  await offer.first().waitFor({ timeout: 30_000 });
  assert.match(await offer.first().innerText(), new RegExp(`${key} \\(${name} on reference, 64 KiB\\)`));
  await saveScreenshot(page, 'shared-memory-cleanup');
  await offer.first().locator('.monaco-button', { hasText: 'Clean Up' }).click();
  await waitForNotification(page, new RegExp(`Removed ${key}`));
  assert.equal(existsSync(`/dev/shm/${name}`), false, 'the object is gone from /dev/shm');
}, { referenceServer: true, timeoutMs: 240_000 });
