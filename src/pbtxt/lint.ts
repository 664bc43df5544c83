// Lints config files and model repositories on disk, producing `path:line:column: severity: message` lines.
import { readFile, stat, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Diagnostic, Severity } from './ast';
import { nodeConfigFs } from './configFs';
import { validate } from './validate';

export interface LintOptions {
  /** Paths in the output are relative to this folder. */
  base: string;
  /** Include hints (what Triton fills in by itself). */
  hints?: boolean;
  /** False: check as for a server run with --disable-auto-complete-config (the file must be complete). */
  autoCompleteConfig?: boolean;
}

export interface LintResult {
  lines: string[];
  counts: Record<Severity, number>;
  /** Problems with the paths themselves (not found, no config inside). */
  problems: string[];
}

export function formatDiagnostic(path: string, d: Diagnostic): string {
  return `${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`;
}

async function isDir(p: string): Promise<boolean | undefined> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return undefined;
  }
}

/** A file stands for itself; a model folder for its config.pbtxt; a repository for each model's. */
async function configsUnder(path: string): Promise<string[]> {
  const dir = await isDir(path);
  if (dir === undefined) throw new Error(`${path}: no such file or folder`);
  if (!dir) return [path];
  const own = join(path, 'config.pbtxt');
  if ((await isDir(own)) === false) return [own];
  const found: string[] = [];
  for (const e of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!e.isDirectory()) continue;
    const cfg = join(path, e.name, 'config.pbtxt');
    if ((await isDir(cfg)) === false) found.push(cfg);
  }
  if (found.length === 0) throw new Error(`${path}: no config.pbtxt in this folder or its model folders`);
  return found;
}

export async function lintPaths(paths: readonly string[], options: LintOptions): Promise<LintResult> {
  const result: LintResult = { lines: [], counts: { error: 0, warning: 0, info: 0, hint: 0 }, problems: [] };
  for (const p of paths) {
    let files: string[];
    try {
      files = await configsUnder(resolve(options.base, p));
    } catch (e) {
      result.problems.push(e instanceof Error ? e.message : String(e));
      continue;
    }
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const rel = relative(options.base, file);
      const shown = rel === '' || rel.startsWith('..') ? file : rel;
      for (const d of await validate(text, { filePath: file, fs: nodeConfigFs, autoCompleteConfig: options.autoCompleteConfig !== false })) {
        if (d.severity === 'hint' && options.hints !== true) continue;
        result.counts[d.severity]++;
        result.lines.push(formatDiagnostic(shown, d));
      }
    }
  }
  return result;
}
