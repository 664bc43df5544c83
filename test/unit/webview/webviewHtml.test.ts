import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, createNonce, escapeHtml, renderWebviewHtml } from '../../../src/vscode/webview/webviewHtml';
import { hasType, isReadyMessage, isString, messageGuard } from '../../../src/shared/webviewProtocol';

const csp = 'https://*.vscode-cdn.net';

test('the page runs only the nonce-bearing bundle and loads nothing from elsewhere', () => {
  const html = renderWebviewHtml({ cspSource: csp, scriptUri: 'https://x.vscode-cdn.net/dist/webview/p.js', styleUris: ['https://x.vscode-cdn.net/dist/webview/p.css'], title: 'T', nonce: 'abc123' });
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(policy, 'no CSP meta tag');
  const directives = new Map(policy.replace(/&#39;/g, "'").split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'nonce-abc123'"]);
  assert.deepEqual(directives.get('style-src'), [csp]);
  assert.ok(!policy.includes('unsafe-inline') && !policy.includes('unsafe-eval'));
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1);
  assert.match(scripts[0], /nonce="abc123"/);
  assert.match(scripts[0], /src="https:\/\/x\.vscode-cdn\.net\/dist\/webview\/p\.js"/);
});

test('the title and URIs are escaped, and each page gets a fresh nonce', () => {
  const html = renderWebviewHtml({ cspSource: csp, scriptUri: 'a"b', styleUris: [], title: '<img src=x onerror=alert(1)>' });
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'));
  assert.ok(html.includes('src="a&#34;b"'));
  const nonces = new Set(Array.from({ length: 50 }, createNonce));
  assert.equal(nonces.size, 50);
  for (const n of nonces) assert.match(n, /^[A-Za-z0-9+/]{22}==$/);
  assert.equal(escapeHtml(`&<>"'`), '&#38;&#60;&#62;&#34;&#39;');
  assert.ok(contentSecurityPolicy(csp, 'n').includes("img-src https://*.vscode-cdn.net data: blob:"));
});

test('message guards accept only their protocol', () => {
  type M = { type: 'run'; model: string } | { type: 'stop' };
  const isM = messageGuard<M>({ run: (m) => isString(m.model), stop: () => true });
  assert.equal(isM({ type: 'run', model: 'simple' }), true);
  assert.equal(isM({ type: 'stop' }), true);
  assert.equal(isM({ type: 'run' }), false);
  assert.equal(isM({ type: 'toString' }), false, 'inherited names are not message types');
  assert.equal(isM({ type: 'other' }), false);
  assert.equal(isM(null), false);
  assert.equal(isM([{ type: 'stop' }]), false);
  assert.equal(isReadyMessage({ type: 'ready' }), true);
  assert.equal(hasType({ type: 'x' }, 'y'), false);
});
