import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isFromInferencePage, isInferencePageState, isToInferencePage } from '../../../src/shared/inferenceProtocol';
import { REQUEST_DRAFT_VERSION } from '../../../src/inference/requestDraft';
import type { RequestDraft } from '../../../src/inference/requestDraft';

const draft: RequestDraft = {
  version: REQUEST_DRAFT_VERSION, model: 'simple', protocol: 'http', binary: true,
  inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 16], source: { kind: 'fill', fill: 'zeros' } }],
  outputs: [], mode: { kind: 'single' },
};

test('page → host: well-formed messages pass, anything else is dropped', () => {
  assert.ok(isFromInferencePage({ type: 'run', draft }));
  assert.ok(isFromInferencePage({ type: 'stop' }));
  assert.ok(isFromInferencePage({ type: 'pickFiles', input: 'x', purpose: 'npy', draft }));
  assert.ok(isFromInferencePage({ type: 'saveOutput', output: 'o', format: 'json' }));
  assert.ok(!isFromInferencePage({ type: 'run', draft: { ...draft, version: 99 } }), 'a draft of another version');
  assert.ok(!isFromInferencePage({ type: 'run' }));
  assert.ok(!isFromInferencePage({ type: 'pickFiles', input: 'x', purpose: 'anything', draft }));
  assert.ok(!isFromInferencePage({ type: 'saveOutput', output: 'o', format: 'exe' }));
  assert.ok(!isFromInferencePage({ type: 'droppedFiles', input: 'x', uris: Array(1001).fill('file:///a'), draft }), 'too many dropped files');
  assert.ok(!isFromInferencePage({ type: 'eval', code: 'x' }));
  assert.ok(!isFromInferencePage('run'));
  assert.ok(!isFromInferencePage(null));
});

test('host → page and saved state are checked too', () => {
  assert.ok(isToInferencePage({ type: 'runFinished', runId: 1, summary: { requests: 1, failed: 0, wallMs: 2 } }));
  assert.ok(!isToInferencePage({ type: 'runFinished', runId: '1', summary: {} }));
  assert.ok(isInferencePageState({ target: { serverId: 's', model: 'm' }, draft }));
  assert.ok(isInferencePageState({ target: { serverId: 's', model: 'm' } }));
  assert.ok(!isInferencePageState({ target: { serverId: 's' } }));
  assert.ok(!isInferencePageState({ target: { serverId: 's', model: 'm' }, draft: { model: 'm' } }));
});

test('manifest: Run Inference in the palette, inline and in the context menu of ready models and versions; panels restore', () => {
  const m = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    activationEvents: string[];
    contributes: { commands: { command: string; title: string; icon?: string }[]; menus: Record<string, { command: string; when?: string; group?: string }[]> };
  };
  const command = m.contributes.commands.find((c) => c.command === 'triton.runInference');
  assert.equal(command?.title, 'Run Inference…');
  assert.equal(command?.icon, '$(play)');
  const items = m.contributes.menus['view/item/context']!.filter((e) => e.command === 'triton.runInference');
  assert.deepEqual(items.map((e) => e.group?.split('@')[0]).sort(), ['0_run', 'inline']);
  for (const e of items) {
    const when = new RegExp(/viewItem =~ \/(.*)\/$/.exec(e.when ?? '')![1]!.replace(/\\\\/g, '\\'));
    assert.ok(when.test('model ready control') && when.test('version ready'), e.when);
    assert.ok(!when.test('model unavailable control') && !when.test('version unavailable'), e.when);
  }
  assert.ok(m.activationEvents.includes('onWebviewPanel:triton.inference'));
  assert.ok(!(m.contributes.menus.commandPalette ?? []).some((e) => e.command === 'triton.runInference'), 'not hidden from the palette');
});
