// Text from a server or from settings placed into Markdown or codicon-aware labels: shown literally,
// never as links, images, HTML, emphasis, headings or icons.

/**
 * Escapes text for one Markdown line. Every character Markdown could act on is backslash-escaped;
 * "/" and "." too, so "https://…", "www.…" and "a@b.c" cannot become autolinks; line breaks become spaces.
 */
export function markdownText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~&/@$=^"]/g, '\\$&');
}

/** Text for labels that parse `$(name)` as an icon (status bar, quick picks): the syntax stays literal. */
export function iconSafeText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\$\(/g, '$\u200b(');
}
