// Turns a server's load error for a model into a diagnostic placed on the config where it points.
import type { Diagnostic, ParsedDocument, Range } from './ast';
import { mapServerError } from './serverError';

/** The server's words that say nothing about the config itself. */
const GENERIC = /failed to poll from model repository|failed to load '[^']*'$/i;

export function isGenericLoadError(message: string): boolean {
  return GENERIC.test(message.trim());
}

/** Triton's reason for a version that was unloaded on request (or with the model it belongs to). */
const UNLOADED = /^unloaded$/i;

/**
 * Whether a repository index entry reports a failed load. A model unloaded on purpose is also
 * UNAVAILABLE, with the reason "unloaded": that is a state, not something wrong with its config.
 */
export function isLoadFailure(entry: { readonly state?: string; readonly reason?: string }): boolean {
  const reason = entry.reason?.trim() ?? '';
  return entry.state === 'UNAVAILABLE' && reason !== '' && !UNLOADED.test(reason);
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
