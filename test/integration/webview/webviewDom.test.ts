// The panels' DOM builder in a real Chromium: text from a server stays text, and attributes that
// could run script are refused.
/* eslint-disable @typescript-eslint/no-explicit-any -- the page-side callbacks use the page's globals, and this file is type-checked without the DOM library */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../host/browser';
import type { BrowserSession } from '../../host/browser';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const XSS = '<img src=x onerror="window.__ran=1">';
let session: BrowserSession;

before(async () => {
  const bundled = await build({
    stdin: { contents: "import * as dom from './src/webview-ui/common/dom'; (window as any).dom = dom;", resolveDir: root, loader: 'ts' },
    bundle: true, write: false, format: 'iife', platform: 'browser', logLevel: 'silent',
  });
  session = await launchBrowser({ width: 800, height: 600 });
  await session.page.setContent('<!DOCTYPE html><html><body><div id="root"></div></body></html>');
  // tsx compiles the functions passed to page.evaluate with esbuild's keepNames, which calls __name.
  await session.page.addScriptTag({ content: 'window.__name = (f) => f;' });
  await session.page.addScriptTag({ content: bundled.outputFiles[0].text });
});

after(async () => {
  await session?.close();
});

test('server text given as children or attributes is shown as text, never parsed', async () => {
  const result = await session.page.evaluate(async (xss: string) => {
    // The page's globals: this file is type-checked without the DOM library.
    const w = globalThis as any;
    const { h, setChildren } = w.dom;
    const root = w.document.getElementById('root');
    setChildren(root, h('h2', { title: xss, 'data-name': xss }, xss), h('ul', null, [xss, 42, null, false].map((x) => h('li', null, x))));
    await new Promise((r) => setTimeout(r, 100));
    return { ran: w.__ran ?? 0, imgs: w.document.querySelectorAll('img').length, heading: root.querySelector('h2').textContent, title: root.querySelector('h2').getAttribute('title'), items: [...root.querySelectorAll('li')].map((li: any) => li.textContent) };
  }, XSS);
  assert.deepEqual(result, { ran: 0, imgs: 0, heading: XSS, title: XSS, items: [XSS, '42', '', ''] });
});

test('inline handlers, HTML properties and script URLs are refused; functions become listeners', async () => {
  const result = await session.page.evaluate(() => {
    const { h, icon } = (globalThis as any).dom;
    const refused = (f: () => unknown): string => {
      try {
        f();
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    let clicks = 0;
    const button = h('button', { onclick: () => (clicks += 1), class: 'primary', disabled: false }, 'Run');
    button.click();
    const img = h('img', { src: 'data:image/png;base64,AAAA' });
    return {
      onString: refused(() => h('div', { onclick: 'alert(1)' })),
      innerHTML: refused(() => h('div', { innerHTML: '<b>x</b>' })),
      js: refused(() => h('a', { href: 'javascript:alert(1)' })),
      jsSpaced: refused(() => h('a', { href: ' JavaScript:alert(1)' })),
      svgData: refused(() => h('img', { src: 'data:image/svg+xml,<svg onload=alert(1)>' })),
      clicks,
      disabled: button.hasAttribute('disabled'),
      cls: button.className,
      img: img.getAttribute('src'),
      icon: icon('play"><img', 'Run').outerHTML,
    };
  });
  assert.match(result.onString, /inline handler onclick refused/);
  assert.match(result.innerHTML, /innerHTML refused/);
  assert.match(result.js, /href refused/);
  assert.match(result.jsSpaced, /href refused/);
  assert.match(result.svgData, /src refused/);
  assert.equal(result.clicks, 1);
  assert.equal(result.disabled, false);
  assert.equal(result.cls, 'primary');
  assert.equal(result.img, 'data:image/png;base64,AAAA');
  assert.equal(result.icon, '<span class="codicon codicon-playimg" role="img" aria-label="Run"></span>');
});
