// The log view's page in a real Chromium, fed as its host feeds it: 50,000 entries render with only
// the rows in view in the DOM, scrolling shows the right rows, appends follow the end, filters work,
// server text stays text, and a load failure's link asks the host to open the model's config.
/* eslint-disable @typescript-eslint/no-explicit-any -- the page-side callbacks use the page's globals, and this file is type-checked without the DOM library */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../host/browser';
import type { BrowserSession } from '../../host/browser';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let session: BrowserSession;

before(async () => {
  const bundled = await build({
    entryPoints: [`${root}src/webview-ui/logs/main.ts`],
    bundle: true, write: false, format: 'iife', platform: 'browser', logLevel: 'silent', outdir: '/tmp/tw-logview', loader: { '.ttf': 'empty' },
  });
  const js = bundled.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = bundled.outputFiles.find((f) => f.path.endsWith('.css'))!.text;
  session = await launchBrowser({ width: 1000, height: 600 });
  await session.page.setContent('<!DOCTYPE html><html><head></head><body></body></html>');
  await session.page.addStyleTag({ content: css });
  // The host side: what the page posts is recorded; state is kept like VS Code keeps it.
  await session.page.addScriptTag({ content: 'window.__name = (f) => f; window.posted = []; let state; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => state, setState: (s) => { state = s; } });' });
  await session.page.addScriptTag({ content: js });
});

after(async () => {
  await session?.close();
});

const frame = (): Promise<void> => session.page.evaluate(() => new Promise<void>((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(() => r()))));

test('50,000 entries render with only the visible rows in the DOM; scrolling shows the rows of that place', async () => {
  assert.deepEqual(await session.page.evaluate(() => (globalThis as any).posted[0]), { type: 'ready' });
  const ms = await session.page.evaluate(() => new Promise<number>((resolve) => {
    const w = globalThis as any;
    const entries = Array.from({ length: 50_000 }, (_, i) => ({
      seq: i, severity: i % 1000 === 7 ? 'error' : 'info', time: '12-06 10:00:00.000001', timeMs: 1_000_000 + i, pid: 1, source: 'x.cc:1',
      message: i === 3 ? 'table\n| a |\n| b |' : i % 1000 === 7 ? `failed to load 'm${i}' version 1: bad` : `loading: m${i}:1`,
      model: `m${i}`, ...(i % 1000 === 7 ? { loadFailure: true } : {}),
    }));
    const started = performance.now();
    w.postMessage({ type: 'reset', server: 'local', source: 'file /tmp/t.log', entries, maxLines: 100_000 }, '*');
    w.requestAnimationFrame(() => w.requestAnimationFrame(() => resolve(performance.now() - started)));
  }));
  console.log(`[log view] 50,000 entries reset and drawn in ${ms.toFixed(0)} ms`);
  const dom = await session.page.evaluate(() => {
    const d = (globalThis as any).document;
    return { rows: d.querySelectorAll('.entry').length, last: d.querySelector('.entry:last-child')?.dataset.seq, status: d.querySelector('.status').textContent };
  });
  assert.ok(dom.rows > 10 && dom.rows < 200, `${dom.rows} rows in the DOM`);
  assert.equal(dom.last, '49999', 'following: the newest entry is drawn');
  assert.match(dom.status, /50,000 of 50,000 entries/);

  // Entry 3 spans three lines, so the entry at line n (n > 5) is n - 2.
  await session.page.evaluate(() => {
    const vp = (globalThis as any).document.querySelector('.viewport');
    vp.dispatchEvent(new (globalThis as any).WheelEvent('wheel', { deltaY: -100 }));
    vp.scrollTop = 20_000 * 18;
  });
  await frame();
  const seqs = await session.page.evaluate(() => [...(globalThis as any).document.querySelectorAll('.entry')].map((e: any) => Number(e.dataset.seq)));
  assert.ok(seqs.includes(19_998), `row at line 20000 is drawn: ${seqs[0]}…${seqs[seqs.length - 1]}`);
  assert.ok(seqs.length < 200);
  assert.match(await session.page.evaluate(() => (globalThis as any).document.querySelector('.toolbar button[aria-pressed]').textContent), /Follow/, 'scrolling up paused following');
});

test('filters, appends, hostile text and the config link', async () => {
  await session.page.evaluate(() => {
    const w = globalThis as any;
    w.postMessage({ type: 'reset', server: 'local', entries: [], maxLines: 1000 }, '*');
  });
  await frame();
  // Following was paused by scrolling up in the previous test; the button resumes it.
  await session.page.evaluate(() => (globalThis as any).document.querySelector('.toolbar button[aria-pressed]').click());
  await frame();
  await session.page.evaluate(() => {
    const w = globalThis as any;
    const entries = Array.from({ length: 2000 }, (_, i) => ({ seq: i, severity: i % 2 === 0 ? 'info' : 'warning', message: i === 1999 ? '<img src=x onerror="window.__ran=1">' : `line ${i}`, model: i % 2 === 0 ? 'even' : 'odd' }));
    for (let b = 0; b < 10; b++) w.postMessage({ type: 'append', entries: entries.slice(b * 200, b * 200 + 200), dropped: 0 }, '*');
    w.postMessage({ type: 'append', entries: [{ seq: 2000, severity: 'error', message: "failed to load 'broken_config' version 1: bad dims", model: 'broken_config', loadFailure: true }], dropped: 0 }, '*');
  });
  await frame();
  const after = await session.page.evaluate(() => {
    const d = (globalThis as any).document;
    return { last: d.querySelector('.entry:last-child')?.dataset.seq, status: d.querySelector('.status').textContent, ran: (globalThis as any).__ran ?? 0, imgs: d.querySelectorAll('.rows img').length };
  });
  assert.equal(after.last, '2000', 'following the appended entries');
  // maxLines 1000 bounds what the page keeps (trimmed in steps).
  assert.match(after.status, /^1,\d{3} of 1,\d{3} entries/);
  assert.equal(after.ran, 0);
  assert.equal(after.imgs, 0);

  await session.page.evaluate(() => {
    const d = (globalThis as any).document;
    const box = d.querySelector('input[data-severity="info"]');
    box.checked = false;
    box.dispatchEvent(new (globalThis as any).Event('change'));
  });
  await frame();
  const severities = await session.page.evaluate(() => [...new Set([...(globalThis as any).document.querySelectorAll('.entry')].map((e: any) => e.dataset.severity))].sort());
  assert.deepEqual(severities, ['error', 'warning']);
  await session.page.evaluate(() => {
    const d = (globalThis as any).document;
    const input = d.querySelector('input[type="search"]');
    input.value = 'BROKEN';
    input.dispatchEvent(new (globalThis as any).Event('input'));
  });
  await frame();
  const link = await session.page.evaluate(() => {
    const d = (globalThis as any).document;
    const rows = d.querySelectorAll('.entry');
    rows[0].querySelector('.config-link').click();
    return { rows: rows.length, text: rows[0].querySelector('.config-link').textContent, posted: (globalThis as any).posted.at(-1) };
  });
  assert.equal(link.rows, 1);
  assert.equal(link.text, 'broken_config/config.pbtxt');
  assert.deepEqual(link.posted, { type: 'openConfig', model: 'broken_config', message: "failed to load 'broken_config' version 1: bad dims" });
  const copied = await session.page.evaluate(() => {
    const d = (globalThis as any).document;
    [...d.querySelectorAll('.toolbar button')].find((b: any) => b.textContent.includes('Copy')).click();
    return (globalThis as any).posted.at(-1);
  });
  assert.deepEqual(copied, { type: 'copy', text: "E   ] failed to load 'broken_config' version 1: bad dims" });
});

test('a focus time (Show Logs at an error) scrolls to that moment, marks the entry and pauses following', async () => {
  await session.page.evaluate(() => {
    const w = globalThis as any;
    // Filters of the previous test off again.
    const box = w.document.querySelector('input[data-severity="info"]');
    box.checked = true;
    box.dispatchEvent(new w.Event('change'));
    const input = w.document.querySelector('input[type="search"]');
    input.value = '';
    input.dispatchEvent(new w.Event('input'));
    const entries = Array.from({ length: 5000 }, (_, i) => ({ seq: i, severity: 'info', time: 't', timeMs: 1_000_000 + i * 100, message: `line ${i}` }));
    w.postMessage({ type: 'reset', server: 'local', entries, maxLines: 10_000 }, '*');
    // 2,500 entries in: 1,000,000 + 250,000 ms; the view starts a second earlier.
    w.postMessage({ type: 'focus', timeMs: 1_251_000 }, '*');
  });
  await frame();
  const focused = await session.page.evaluate(() => {
    const d = (globalThis as any).document;
    return { seq: d.querySelector('.entry.focused')?.dataset.seq, follow: d.querySelector('.toolbar button[aria-pressed]').getAttribute('aria-pressed') };
  });
  assert.deepEqual(focused, { seq: '2500', follow: 'false' });
});
