// Turns a server's load error for a model into a diagnostic placed on the config where it points.
import type { Diagnostic, ParsedDocument, Range } from './ast';
import { mapServerError } from './serverError';

/** The server's words that say nothing about the config itself. */
const GENERIC = /failed to poll from model repository|failed to load '[^']*'$/i;

export function isGenericLoadError(message: string): boolean {
  return GENERIC.test(message.trim());
}

/**
 * A diagnostic for `reason` on `doc`: on the line or field the message names, else on the `name`
 * field, else on the first line — the error is about this file either way.
 */
export function serverDiagnostic(doc: ParsedDocument, serverName: string, reason: string): Diagnostic {
  const range = mapServerError(reason, doc) ?? fallbackRange(doc);
  return { range, severity: 'error', code: 'server-load-error', message: `${serverName}: ${reason.trim()}` };
}

function fallbackRange(doc: ParsedDocument): Range {
  const name = doc.root.fields.find((f) => f.name === 'name');
  if (name !== undefined) return name.range;
  const first = doc.root.fields[0];
  if (first !== undefined) return first.nameRange;
  const start = doc.positionAt(0);
  const eol = doc.text.indexOf('\n');
  return { start, end: doc.positionAt(eol === -1 ? doc.text.length : eol) };
}
