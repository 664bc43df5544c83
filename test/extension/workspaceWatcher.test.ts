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
      // A new watcher starts asynchronously in the server and misses what happens before it is up,
      // so keep creating fresh files until one is reported.
      let timer: NodeJS.Timeout | undefined;
      let n = 0;
      const created: string[] = [];
      const createOne = (): void => {
        const file = join(dir, `m${n++}`, 'config.pbtxt');
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileSync(file, 'name: "m"\n');
        created.push(file);
      };
      createOne();
      const retries = setInterval(createOne, 500);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no create event within 10 s for ${created.length} files`)), 10_000);
      });
      const reported = await Promise.race([seen, timeout]).finally(() => {
        clearTimeout(timer);
        clearInterval(retries);
      });
      assert.ok(created.includes(reported), `reported ${reported}, which was not created here`);
    } finally {
      watcher.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
