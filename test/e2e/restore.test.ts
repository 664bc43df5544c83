// Panels that load on first use come back after a window reload with their state, through the
// serializers registered at activation (the feature's module is required by the restore itself): the
// log view with its server, source and filters; the load test with its model, settings and last run.
// (Run Inference's restore is part of inference.test.ts.)
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { makeTempDir } from '../host/processes';
import { openTritonView, pickFromCommand, reloadWindow, runCommand } from './support/actions';
import { e2eTest } from './support/workbench';

function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

const logs = makeTempDir('triton-e2e-restore-logs');
const logFile = join(logs.path, 'server.log');
writeFileSync(logFile, [
  'I0520 20:03:25.100000 3355 model_lifecycle.cc:473] "loading: simple:1"',
  'I0520 20:03:25.200000 3355 model_lifecycle.cc:473] "loading: broken_config:1"',
  'E0520 20:03:25.300000 3355 model_lifecycle.cc:654] "failed to load \'broken_config\' version 1: Invalid argument: bad dims"',
  'I0520 20:03:25.400000 3355 model_lifecycle.cc:818] "successfully loaded \'simple\'"',
  'W0520 20:03:25.500000 3355 server.cc:200] "a warning about nothing"',
  '',
].join('\n'));

after(() => logs.remove());

e2eTest('the log view comes back after a window reload with its server, source and filters', async ({ page }) => {
  await openTritonView(page);
  // The only server: no question which.
  await runCommand(page, 'Triton: Show Server Log');
  let view = webview(page);
  await view.locator('.entry.sev-error', { hasText: "failed to load 'broken_config'" }).first().waitFor({ timeout: 60_000 });
  assert.match(await view.locator('.source').innerText(), new RegExp(`logs-only: file .*server\\.log`));

  // Filters: info lines off, a text filter. Only the failure is left.
  await view.locator('input[data-severity="info"]').uncheck();
  await view.locator('input[type="search"][aria-label="Filter text"]').fill('broken');
  await view.locator('.entry.sev-info').first().waitFor({ state: 'detached' });
  assert.equal(await view.locator('.entry.sev-warning').count(), 0);
  assert.equal(await view.locator('.entry').count(), 1);

  await reloadWindow(page);
  await page.locator('.part.editor .tabs-container .tab', { hasText: 'Triton Log: logs-only' }).first().waitFor({ timeout: 60_000 });
  view = webview(page);
  // The restored host side started the configured source again: the lines are read back from the file.
  const failure = view.locator('.entry.sev-error', { hasText: "failed to load 'broken_config'" }).first();
  await failure.waitFor({ timeout: 60_000 });
  assert.match(await view.locator('.source').innerText(), new RegExp(`logs-only: file .*server\\.log`));
  assert.equal(await view.locator('input[data-severity="info"]').isChecked(), false);
  assert.equal(await view.locator('input[data-severity="error"]').isChecked(), true);
  assert.equal(await view.locator('input[type="search"][aria-label="Filter text"]').inputValue(), 'broken');
  assert.equal(await view.locator('.entry').count(), 1, 'the restored filters apply to the lines read back');
}, {
  settings: {
    // A server that is not running: the log view reads its file without it.
    'triton.servers': [{ name: 'logs-only', httpUrl: 'http://127.0.0.1:9', log: { file: logFile } }],
    'remote.autoForwardPorts': false,
  },
});

e2eTest('the load test comes back after a window reload with its model, settings and last run', async ({ page }) => {
  const models = await openTritonView(page);
  await models.locator('.monaco-list-row', { hasText: 'simple' }).first().waitFor({ timeout: 60_000 });
  await pickFromCommand(page, 'Triton: Load Test Model…', 'simple');
  let frame = webview(page);
  await frame.locator('h1', { hasText: 'Load test simple' }).waitFor();
  await frame.locator('[data-levels]').fill('1,3');
  await frame.locator('[data-step-seconds]').fill('0.5');
  await frame.locator('[data-start]').click();
  await frame.locator('[data-status]', { hasText: /Run finished: [\d,]+ requests, 0 errors/ }).waitFor({ timeout: 30_000 });
  const rows = (): ReturnType<FrameLocator['locator']> => frame.locator('table.results[aria-label="Results per step"] tbody tr');
  assert.equal(await rows().count(), 2);
  const before = await rows().allInnerTexts();
  const status = await frame.locator('[data-status]').innerText();

  await reloadWindow(page);
  await page.locator('.part.editor .tabs-container .tab', { hasText: /^Load test simple · / }).first().waitFor({ timeout: 60_000 });
  frame = webview(page);
  await frame.locator('h1', { hasText: 'Load test simple' }).waitFor({ timeout: 60_000 });
  assert.equal(await frame.locator('[data-levels]').inputValue(), '1,3');
  assert.equal(await frame.locator('[data-step-seconds]').inputValue(), '0.5');
  await frame.locator('[data-status]', { hasText: /Run finished/ }).waitFor();
  assert.equal(await frame.locator('[data-status]').innerText(), status);
  assert.deepEqual(await rows().allInnerTexts(), before);
  assert.equal(await frame.locator('svg.chart[aria-label="Latency"] polyline').count(), 3);
  // The host side has the run again: Save run… is offered, and a new run replaces it.
  await frame.locator('[data-save]:not([disabled])').waitFor();
  await frame.locator('[data-levels]').fill('2');
  await frame.locator('[data-start]').click();
  // The restored run's status reads "Run finished" too: the new run shows first as its c=2 row.
  await rows().first().locator('th', { hasText: 'c=2' }).waitFor({ timeout: 30_000 });
  await frame.locator('[data-status]', { hasText: /Run finished: [\d,]+ requests, 0 errors/ }).waitFor({ timeout: 30_000 });
  assert.equal(await rows().count(), 1);
}, { referenceServer: true, timeoutMs: 240_000 });
