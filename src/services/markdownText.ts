// Text from a server or from settings placed into Markdown or codicon-aware labels: shown literally,
// never as links, images, HTML, emphasis, headings or icons.

/**
 * Escapes text for one Markdown line. Every character Markdown could act on is backslash-escaped;
 * "/" and "." too, so "https://…", "www.…" and "a@b.c" cannot become autolinks; line breaks become spaces.
 */
export function markdownText(text: string): string {
  const oneLine = [...text].map((c) => (isLineBreakOrControl(c.charCodeAt(0)) ? ' ' : c)).join('');
  return oneLine.replace(/[\\`*_{}[\]()#+\-.!|<>~&/@$=^"]/g, '\\$&');
}

function isLineBreakOrControl(code: number): boolean {
  return code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029;
}

/** Text for labels that parse `$(name)` as an icon (status bar, quick picks): the syntax stays literal. */
export function iconSafeText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\$\(/g, '$\u200b(');
}
