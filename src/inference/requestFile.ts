// Requests saved as `.json` files in the workspace: file paths inside a draft are stored relative to
// the file's folder (so a repository can carry its requests), and read back against it. A broken
// file gets an error that names the file and every wrong field.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { requestDraftProblems } from './requestDraft';
import type { InputSource, RequestDraft } from './requestDraft';

export const REQUEST_FILE_SUFFIX = '.json';

function mapPaths(source: InputSource, map: (p: string) => string): InputSource {
  switch (source.kind) {
    case 'npy': return { ...source, path: map(source.path) };
    case 'files': return { ...source, paths: source.paths.map(map) };
    case 'image': return { ...source, paths: source.paths.map(map) };
    default: return source;
  }
}

function mapDraft(draft: RequestDraft, map: (p: string) => string): RequestDraft {
  return { ...draft, inputs: draft.inputs.map((i) => ({ ...i, source: mapPaths(i.source, map) })) };
}

/** Paths as written in a file: forward slashes, relative to the file's folder. */
function toStored(path: string, folder: string): string {
  const rel = isAbsolute(path) ? relative(folder, path) : path;
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

/** The text of a request file for `draft`, to be written at `filePath` (paths made relative to its folder). */
export function requestFileText(draft: RequestDraft, filePath: string): string {
  const problems = requestDraftProblems(draft);
  if (problems.length > 0) throw new Error(`the request cannot be saved: ${problems.join('; ')}`);
  const folder = dirname(filePath);
  return `${JSON.stringify(mapDraft(draft, (p) => toStored(p, folder)), null, 2)}\n`;
}

/**
 * Offset of the first syntax error in JSON text (JSON.parse's own message gives none on every
 * Node version): a small recursive-descent walk that only checks structure.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') return void i++;
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') return void i++;
        fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? at : -1;
  }
}

function lineColumn(text: string, offset: number): string {
  if (offset < 0) return '';
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/**
 * Reads a request file: parsed, validated (every wrong field named, with the file), and with its
 * relative paths resolved against the file's folder into absolute ones.
 */
export function parseRequestFile(text: string, filePath: string): RequestDraft {
  const body = text.replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${filePath} is not valid JSON${lineColumn(body, jsonErrorOffset(body))}: ${message}`);
  }
  const problems = requestDraftProblems(value);
  if (problems.length > 0) throw new Error(`${filePath} is not an inference request: ${problems.join('; ')}`);
  const folder = dirname(filePath);
  return mapDraft(value as RequestDraft, (p) => (isAbsolute(p) ? p : resolve(folder, p)));
}

/** Every file path a draft reads (npy, files, image sources). */
export function draftPaths(draft: RequestDraft): string[] {
  const out: string[] = [];
  for (const input of draft.inputs) {
    const s = input.source;
    if (s.kind === 'npy') out.push(s.path);
    else if (s.kind === 'files' || s.kind === 'image') out.push(...s.paths);
  }
  return out;
}

/** The draft's paths that lie outside every one of `roots` (absolute paths expected). */
export function pathsOutside(draft: RequestDraft, roots: readonly string[]): string[] {
  return draftPaths(draft).filter((p) => !roots.some((root) => {
    const rel = relative(root, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  }));
}
