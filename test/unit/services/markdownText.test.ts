import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { iconSafeText, markdownText } from '../../../src/services/markdownText';

// A CommonMark renderer (installed with @vscode/vsce) shows what escaped text turns into.
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options?: object) => { render(src: string): string };
const renderer = new MarkdownIt({ html: true });

const hostile = [
  '![](https://evil.example/pixel) [Re-enter token](https://evil.example/login)',
  '<img src=x onerror=alert(1)> <a href="https://evil.example">x</a>',
  'line one\n# Heading\n===\n- item\n> quote',
  '**bold** _em_ ~~strike~~ `code` [ref]: https://evil.example',
  '&lt;b&gt; &#x3C;script&#x3E;',
  'see https://evil.example/x or www.evil.example or mail@evil.example',
  '$(zap) FP16 | TYPE_*',
];

test('server text escaped for Markdown renders as that same text: no link, image, HTML, emphasis or structure', () => {
  for (const text of hostile) {
    const html = renderer.render(markdownText(text));
    assert.doesNotMatch(html, /<(a|img|em|strong|h\d|ul|li|blockquote|code|s|del|script)\b/, `${text} → ${html}`);
    assert.equal((html.match(/<p>/g) ?? []).length, 1, `one paragraph: ${html}`);
    const shown = html.replace(/^<p>|<\/p>\n$/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    assert.equal(shown, text.replace(/\n/g, ' '), 'the reader sees the text itself');
    // Bare URLs are not autolinks in VS Code's renderer once "/" and "." are escaped.
    assert.doesNotMatch(markdownText(text), /:\/\/|www\.|@evil\./);
  }
});

test('`$(name)` from a server stays literal in icon-aware labels', () => {
  assert.equal(iconSafeText('2.59 $(zap) $(sync~spin)'), '2.59 $\u200b(zap) $\u200b(sync~spin)');
  assert.doesNotMatch(iconSafeText('a\n$(x)'), /\$\(|\n/);
});
