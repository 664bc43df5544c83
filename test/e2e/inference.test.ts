// Run Inference as a user sees it in code-server with the installed VSIX, against the reference server:
// an image dropped on the classifier and classified with the right top-1 label, BYTES add/sub on
// simple_string, a decoupled stream, a sequence with "Next in sequence", an error shown in place, and
// hostile names (model, input, output, label) that must stay text.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../host/codeServer';
import { makeTempDir } from '../host/processes';
import { solidPng } from '../support/solidImage';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';
import { openTritonView, runCommand } from './support/actions';
import { e2eTest, saveScreenshot } from './support/workbench';
import { after, before } from 'node:test';

const XSS = '<img src=x onerror=alert(1)>';

let reference: ReferenceServer;
const repo = makeTempDir('triton-e2e-inference-repo');

before(async () => {
  const models = join(repoRoot, 'test/server/models');
  for (const m of ['simple_string', 'repeat_int32', 'simple_sequence', 'color_classifier']) cpSync(join(models, m), join(repo.path, m), { recursive: true });
  // A hostile label: the classifier's "blue" class.
  const labels = join(repo.path, 'color_classifier/color_labels.txt');
  writeFileSync(labels, readFileSync(labels, 'utf8').replace(/^blue$/m, XSS));
  // A model with a hostile name, and one with a hostile input and output.
  const io = `input [ { name: "${XSS}" data_type: TYPE_INT32 dims: [ 2 ] } ]\noutput [ { name: "${XSS}" data_type: TYPE_INT32 dims: [ 2 ] } ]\n`;
  for (const name of [XSS, 'xss_names']) {
    const dir = join(repo.path, name);
    mkdirSync(join(dir, '1'), { recursive: true });
    writeFileSync(join(dir, 'config.pbtxt'), `name: "${name}"\nbackend: "identity"\nmax_batch_size: 0\n${io}`);
    writeFileSync(join(dir, '1/model.identity'), io);
  }
  reference = await startReferenceServer({ modelRepository: repo.path });
});

after(async () => {
  await reference?.stop();
  repo.remove();
});

function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** From the palette: Triton: Run Inference… → the model's row of the quick pick. */
async function openFromPalette(page: Page, model: string): Promise<FrameLocator> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Triton: Run Inference…');
    const row = page.locator('.quick-input-widget .monaco-list-row:visible', { hasText: model }).first();
    try {
      await row.waitFor({ timeout: 10_000 });
      await page.locator('.quick-input-widget input').fill(model);
      await row.click();
      break;
    } catch (error) {
      // A webview taking focus back can close the quick pick as it opens: try again.
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  const frame = webview(page);
  await frame.locator('h1', { hasText: model }).waitFor();
  return frame;
}

/** From the tree: the ▶ inline action on the model's row. */
async function openFromTree(page: Page, models: Locator, model: string): Promise<FrameLocator> {
  const row = models.locator(`.monaco-list-row:has(.monaco-icon-label[aria-label="${model}"])`).first();
  await row.hover();
  await row.locator('.actions .action-label[aria-label="Run Inference…"]').click();
  await page.mouse.move(0, 0);
  const frame = webview(page);
  await frame.locator('h1', { hasText: model }).waitFor();
  return frame;
}

/** A drop as VS Code's Explorer gives it: `text/uri-list` with file: URIs. */
async function dropFile(frame: FrameLocator, input: string, path: string): Promise<void> {
  await frame.locator(`[data-input="${input}"] .dropzone`).evaluate((el, uri) => {
    // Runs in the page: the browser's own DataTransfer and DragEvent.
    const page = globalThis as unknown as { DataTransfer: new () => { setData(type: string, value: string): void }; DragEvent: new (type: string, init: object) => unknown };
    const dt = new page.DataTransfer();
    dt.setData('text/uri-list', uri);
    (el as unknown as { dispatchEvent(event: unknown): boolean }).dispatchEvent(new page.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, pathToFileURL(path).toString());
}

/** Clicks Run and waits for this run's summary (not the one the previous run left). */
async function run(frame: FrameLocator): Promise<void> {
  const before = (await frame.locator('.run-status').getAttribute('data-finished')) ?? '';
  await frame.locator('[data-run]').click();
  await frame.locator(`.run-status[data-finished]:not([data-finished="${before}"]) [data-summary]`).waitFor();
}

e2eTest('Run Inference: image, BYTES, stream, sequence, errors in place, hostile names stay text, state survives reloads', async ({ page, workspace }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  writeFileSync(join(workspace, 'green.png'), solidPng(320, 200, [20, 190, 30]));
  // The palette lists what the extension registry knew when it opened: wait for the extension first.
  let models = await openTritonView(page);
  await models.locator('.monaco-list-row', { hasText: 'color_classifier' }).first().waitFor({ timeout: 60_000 });
  writeFileSync(join(workspace, 'blue.png'), solidPng(64, 64, [10, 20, 230]));

  // Image classification: drop, thumbnail, preview of what is sent, top-1 label.
  let frame = await openFromPalette(page, 'color_classifier');
  await dropFile(frame, 'data_0', join(workspace, 'green.png'));
  await frame.locator('img[alt="green.png"]').waitFor();
  await frame.locator('[data-sent-preview]', { hasText: 'FP32 [3, 224, 224]' }).waitFor();
  await run(frame);
  assert.equal((await frame.locator('.classes tr.top td.label').first().innerText()).trim(), 'green');
  assert.match(await frame.locator('[data-summary]').innerText(), /latency [\d.]+ ms/);
  assert.match(await frame.locator('[data-summary]').innerText(), /Server \(statistics, per request\): queue/);
  if (process.env.UPDATE_SCREENSHOTS === '1') await runCommand(page, 'Notifications: Clear All Notifications');
  await saveScreenshot(page, 'run-inference');

  // The hostile label comes back as text.
  await dropFile(frame, 'data_0', join(workspace, 'blue.png'));
  await frame.locator('img[alt="blue.png"]').waitFor();
  await run(frame);
  assert.equal(await frame.locator('.classes tr.top td.label').first().innerText(), XSS);

  // An input error is shown in place, beside the input.
  await frame.locator('[data-input="data_0"] select[data-source]').selectOption('json');
  await frame.locator('[data-run]').click();
  const inPlace = frame.locator('[data-error-for="data_0"] [data-error]');
  await inPlace.waitFor();
  assert.match(await inPlace.innerText(), /input 'data_0': .*value\(s\) given but shape \[3, 224, 224\] needs 150528/);

  // BYTES add/sub (the examples' simple_string): default elements 0..15 on both inputs.
  frame = await openFromTree(page, models, 'simple_string');
  await run(frame);
  const sum = await frame.locator('[data-output="OUTPUT0"] ol.bytes li').allInnerTexts();
  assert.deepEqual(sum.map((s) => s.trim()), Array.from({ length: 16 }, (_, i) => String(2 * i)));
  const diff = await frame.locator('[data-output="OUTPUT1"] ol.bytes li').allInnerTexts();
  assert.deepEqual(diff.map((s) => s.trim()), Array(16).fill('0'));

  // Decoupled stream: three responses, then the final flag.
  frame = await openFromTree(page, models, 'repeat_int32');
  for (const name of ['IN', 'DELAY']) await frame.locator(`[data-input="${name}"] input[data-dim="0"]`).fill('3');
  await frame.locator('[data-input="IN"] select[data-fill]').selectOption('range');
  await run(frame);
  const outs = await frame.locator('[data-output="OUT"] .values').allInnerTexts();
  assert.deepEqual(outs.map((s) => s.trim()), ['0', '1', '2']);
  assert.match(await frame.locator('article.response').last().innerText(), /final/);

  // Sequence: START from the flag (OUTPUT = INPUT + START), then Next in sequence.
  frame = await openFromTree(page, models, 'simple_sequence');
  assert.match(await frame.locator('body').innerText(), /Control inputs START, READY are filled by the server/);
  await run(frame);
  assert.equal((await frame.locator('[data-output="OUTPUT"] .values').innerText()).trim(), '1');
  await frame.locator('[data-next]').click();
  await frame.locator('[data-output="OUTPUT"] .values', { hasText: /^0$/ }).waitFor();
  assert.equal(await frame.locator('[data-sequence-start]').isChecked(), false);

  // State survives a reload of the page (draft and results), and the serializer brings the panel
  // back after a reload of the whole window.
  await frame.locator('[data-sequence-id]').fill('77');
  await page.waitForTimeout(500);
  await runCommand(page, 'Developer: Reload Webviews');
  await frame.locator('[data-output="OUTPUT"] .values').waitFor();
  assert.equal(await frame.locator('[data-sequence-id]').inputValue(), '77');
  // A reload of the browser page is a window reload in code-server: a new workbench and extension host.
  await page.reload();
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  frame = webview(page);
  // Run panels are back, drawn from the server again by the restored host side. (Which panels and
  // drafts come back depends on when the browser last flushed the workbench's storage before the
  // reload, so no particular one is asserted.)
  await page.locator('.part.editor .tabs-container .tab', { hasText: /^Run .* · reference/ }).first().waitFor({ timeout: 60_000 });
  await frame.locator('fieldset[data-input]').first().waitFor({ timeout: 60_000 });
  models = await openTritonView(page);
  await models.locator('.monaco-list-row', { hasText: 'xss_names' }).first().waitFor({ timeout: 60_000 });

  // A hostile model name: the title and the server's error (the reference server does not decode
  // percent-escaped model names over HTTP) are shown in place, as text.
  frame = await openFromPalette(page, XSS);
  assert.equal((await frame.locator('h1').innerText()).trim(), XSS);
  assert.match(await frame.locator('[data-error]').innerText(), /%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/);

  // Hostile input and output names: shown as text, nothing runs.
  frame = await openFromTree(page, models, 'xss_names');
  assert.equal(await frame.locator(`[data-input="${XSS}"] legend .name`).innerText(), XSS);
  await run(frame);
  assert.equal(await frame.locator('.output h3').first().innerText(), XSS);
  await frame.locator('[data-input] select[data-source]').selectOption('json');
  await frame.locator('[data-input] textarea').fill('[1, 2, 3]');
  await frame.locator('[data-run]').click();
  const hostileError = frame.locator('[data-error-for] [data-error]');
  await hostileError.waitFor();
  assert.ok((await hostileError.innerText()).includes(`input '${XSS}'`));
  assert.equal(await frame.locator('img[src="x"]').count(), 0);
  assert.deepEqual(dialogs, [], 'a hostile name ran script');
}, { timeoutMs: 300_000, settingsFrom: () => ({ 'triton.servers': [{ name: 'reference', httpUrl: reference.httpUrl, grpcUrl: reference.grpcUrl }] }) });
