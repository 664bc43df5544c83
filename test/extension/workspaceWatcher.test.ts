// The host's file watcher sees files that other processes create in the workspace, as features that
// follow model folders rely on.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

describe('workspace file watching', () => {
  it('reports a file created on disk by another process', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const dir = join(folder.uri.fsPath, 'watched');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, 'watched/**/config.pbtxt'));
    try {
      const seen = new Promise<string>((resolve) => watcher.onDidCreate((uri) => resolve(uri.fsPath)));
      mkdirSync(join(dir, 'm'), { recursive: true });
      const file = join(dir, 'm', 'config.pbtxt');
      writeFileSync(file, 'name: "m"\n');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no create event within 10 s')), 10_000);
      });
      assert.equal(await Promise.race([seen, timeout]).finally(() => clearTimeout(timer)), file);
    } finally {
      watcher.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
