// The load test as a user sees it in code-server with the installed VSIX, against the reference
// server: opened from the palette (the model's initial request as payload), then from the Run
// Inference panel's "Load test…" (its request as payload); a sweep of 1 and 2 draws both charts and
// fills the table with a row per step and the server's own times. From the tree's context menu, a
// sequence model runs only once the modal confirmation says so.
import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { openTritonView, pickFromCommand as pickModel } from './support/actions';
import { e2eTest, saveScreenshot } from './support/workbench';

function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

e2eTest('Load test: a sweep of 1 and 2 on simple draws charts and a table per step; a sequence model asks first', async ({ page }) => {
  const models = await openTritonView(page);
  await models.locator('.monaco-list-row', { hasText: 'simple' }).first().waitFor({ timeout: 60_000 });

  await pickModel(page, 'Triton: Load Test Model…', 'simple');
  let frame = webview(page);
  await frame.locator('h1', { hasText: 'Load test simple' }).waitFor();
  assert.match(await frame.locator('[data-payload]').innerText(), /initial request/);
  assert.match(await frame.locator('.bounds').innerText(), /stops after 100,000 requests or 300 s/);

  // From Run Inference: its request becomes the payload of the same load-test panel.
  await pickModel(page, 'Triton: Run Inference…', 'simple');
  frame = webview(page);
  await frame.locator('[data-load-test]').click();
  frame = webview(page);
  await frame.locator('[data-payload]', { hasText: 'Run Inference' }).waitFor();

  await frame.locator('[data-levels]').fill('1,2');
  await frame.locator('[data-step-seconds]').fill('1');
  await frame.locator('[data-start]').click();
  await frame.locator('[data-status]', { hasText: /Run finished: [\d,]+ requests, 0 errors/ }).waitFor({ timeout: 30_000 });

  const rows = frame.locator('table.results[aria-label="Results per step"] tbody tr');
  assert.equal(await rows.count(), 2);
  for (const [i, label] of ['c=1', 'c=2'].entries()) {
    const cells = await rows.nth(i).locator('th, td').allInnerTexts();
    assert.equal(cells[0]?.trim(), label);
    assert.ok(Number(cells[1]!.replace(/,/g, '')) > 0, `${label} sent requests: ${cells.join(' | ')}`);
    assert.equal(cells[2]?.trim(), '0');
    assert.match(cells[4]!, /^\d[\d,]*\.\d\d$/, `${label} p50`);
  }
  // Two charts, each with a line through both steps; p50, p90, p99 on the latency chart.
  assert.equal(await frame.locator('svg.chart').count(), 2);
  assert.equal(await frame.locator('svg.chart[aria-label="Throughput"] polyline').count(), 1);
  assert.equal(await frame.locator('svg.chart[aria-label="Latency"] polyline').count(), 3);
  assert.match(await frame.locator('[data-server-times]').innerText(), /Queue \(µs\)/);
  // The server's own count per step is what the step sent; the whole run has its row too.
  for (const [i, label] of ['c=1', 'c=2'].entries()) {
    const sent = (await rows.nth(i).locator('td').first().innerText()).trim();
    const server = await frame.locator(`[data-server-step="${label}"] td`).allInnerTexts();
    assert.equal(server[0]?.trim(), sent, `${label}: server ${server.join(' | ')}`);
    assert.match(server[4]!, /^\d[\d,]*\.\d$/, `${label} compute infer`);
  }
  assert.equal(await frame.locator('[data-server-run]').count(), 1);
  await frame.locator('[data-save]:not([disabled])').waitFor();

  await page.setViewportSize({ width: 1600, height: 1000 });
  await saveScreenshot(page, 'load-test');

  // From the tree's context menu, on a sequence model: Start asks first; Cancel leaves it unstarted.
  const row = models.locator('.monaco-list-row:has(.monaco-icon-label[aria-label="simple_sequence"])').first();
  await row.click({ button: 'right' });
  // The menu ignores a click that comes right after it opened: pick the item, then Enter.
  await page.locator('.context-view .monaco-menu .action-item', { hasText: 'Load Test Model…' }).first().hover();
  await page.locator('.context-view .monaco-menu .action-item.focused', { hasText: 'Load Test Model…' }).waitFor();
  await page.keyboard.press('Enter');
  frame = webview(page);
  await frame.locator('h1', { hasText: 'Load test simple_sequence' }).waitFor();
  assert.match(await frame.locator('.message.warning').innerText(), /sequence model/);
  await frame.locator('[data-levels]').fill('1');
  await frame.locator('[data-step-seconds]').fill('0.5');
  const dialog = page.locator('.monaco-dialog-box');
  await frame.locator('[data-start]').click();
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /'simple_sequence' is a sequence model/);
  await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
  await frame.locator('[data-status]', { hasText: 'not started: a sequence model is load-tested only when confirmed' }).waitFor();
  await frame.locator('[data-start]').click();
  await dialog.locator('.monaco-button', { hasText: 'Run anyway' }).click();
  await frame.locator('[data-status]', { hasText: /Run finished: [\d,]+ requests/ }).waitFor({ timeout: 30_000 });
  assert.equal(await frame.locator('table.results[aria-label="Results per step"] tbody tr').count(), 1);
}, { referenceServer: true, timeoutMs: 240_000 });
