// "Triton: Open Inference Request…" in a real VS Code: a request file in the workspace opens with
// its relative paths resolved against its folder; a broken one is refused without throwing.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RequestDraft } from '../../src/inference/requestDraft';

describe('inference request files', () => {
  const folder = (): string => {
    const f = vscode.workspace.workspaceFolders?.[0];
    assert.ok(f, 'a workspace folder is open');
    return f.uri.fsPath;
  };

  it('opens a saved request and resolves its paths against the file folder', async () => {
    const dir = join(folder(), 'requests-test');
    mkdirSync(dir, { recursive: true });
    try {
      const file = join(dir, 'cat.request.json');
      writeFileSync(file, JSON.stringify({
        version: 1, model: 'color_classifier', protocol: 'http', binary: true, mode: { kind: 'single' },
        outputs: [{ name: 'fc6_1', classCount: 3 }],
        inputs: [{ name: 'data_0', datatype: 'FP32', shape: [3, 224, 224], source: { kind: 'image', paths: ['images/cat.png'], scaling: 'NONE' } }],
      }));
      const draft = await vscode.commands.executeCommand<RequestDraft | undefined>('triton.openInferenceRequest', vscode.Uri.file(file));
      assert.ok(draft, 'the request opened');
      assert.equal(draft.model, 'color_classifier');
      const source = draft.inputs[0]!.source;
      assert.equal(source.kind, 'image');
      if (source.kind === 'image') assert.deepEqual(source.paths, [join(dir, 'images', 'cat.png')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a broken request file and keeps the host running', async () => {
    const dir = join(folder(), 'requests-broken');
    mkdirSync(dir, { recursive: true });
    try {
      const file = join(dir, 'bad.request.json');
      writeFileSync(file, '{"version": 1, "model": ');
      const draft = await vscode.commands.executeCommand<RequestDraft | undefined>('triton.openInferenceRequest', vscode.Uri.file(file));
      assert.equal(draft, undefined);
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes('triton.clearInferenceHistory'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
