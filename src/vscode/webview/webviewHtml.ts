// The HTML shell of every webview panel: a strict Content-Security-Policy whose only script is the
// panel's bundle, allowed by a fresh nonce. No vscode import, so it is unit-tested directly.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlParts {
  /** `webview.cspSource` of the panel. */
  cspSource: string;
  /** Webview URI of the panel's script bundle. */
  scriptUri: string;
  /** Webview URIs of its style sheets. */
  styleUris: readonly string[];
  title: string;
  nonce?: string;
}

/** 128 random bits, base64: a nonce no page content can guess. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    // Previews and thumbnails are sent as data: URLs; blob: for images the page builds itself.
    `img-src ${cspSource} data: blob:`,
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-src 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function renderWebviewHtml(parts: WebviewHtmlParts): string {
  const nonce = parts.nonce ?? createNonce();
  const styles = parts.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(parts.cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(parts.title)}</title>
  </head>
  <body>
    <main id="root" aria-busy="true"></main>
    <script nonce="${escapeHtml(nonce)}" src="${escapeHtml(parts.scriptUri)}"></script>
  </body>
</html>`;
}
