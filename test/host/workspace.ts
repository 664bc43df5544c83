// What the hosts open and install: the packaged VSIX's path, and a throwaway copy of a sample
// workspace whose settings point the extension at the reference server.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer';

export interface ServerUrls {
  readonly httpUrl: string;
  readonly grpcUrl: string;
}

/** out/<name>-<version>.vsix, where scripts/package.mjs writes it. */
export function vsixPath(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  return join(repoRoot, 'out', `${manifest.name}-${manifest.version}.vsix`);
}

export interface WorkspaceOptions {
  /** Folder copied; defaults to demo/workspace. */
  readonly source?: string;
  /** Written as the only entry of `triton.servers`, named "reference". */
  readonly server?: ServerUrls;
  readonly settings?: Record<string, unknown>;
}

/** Copies the sample workspace to `target` and writes its .vscode/settings.json; returns `target`. */
export function prepareWorkspace(target: string, options: WorkspaceOptions = {}): string {
  cpSync(options.source ?? join(repoRoot, 'demo/workspace'), target, { recursive: true });
  writeWorkspaceSettings(target, options);
  return target;
}

/** Writes `workspace`/.vscode/settings.json from the options' server and settings. */
export function writeWorkspaceSettings(workspace: string, options: Pick<WorkspaceOptions, 'server' | 'settings'>): void {
  const settings: Record<string, unknown> = { ...options.settings };
  if (options.server) {
    settings['triton.servers'] = [{ name: 'reference', httpUrl: options.server.httpUrl, grpcUrl: options.server.grpcUrl }];
  }
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode/settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}
