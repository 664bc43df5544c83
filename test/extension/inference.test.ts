// Run Inference in a real extension host against the reference server: the command opens one panel
// per model (revealed when open again), the page's form loads, runs post what the page renders
// (BYTES add/sub, a decoupled stream, a sequence, a classification), errors come back in place, and
// the CodeLens sits on workspace config.pbtxt files of models on the active server.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RequestDraft } from '../../src/inference/requestDraft';
import type { ResponseView, ToInferencePage } from '../../src/shared/inferenceProtocol';
import type { InferencePanel } from '../../src/vscode/inference/inferencePanel';
import type { TritonWorkbenchApi } from '../../src/extension';
import { waitForModel, workbenchApi } from './support/workbench';



async function openPanel(workbench: TritonWorkbenchApi, model: string): Promise<InferencePanel> {
  await vscode.commands.executeCommand('triton.runInference', { kind: 'model', serverId: 'reference', model });
  const panel = workbench.inference.panel({ serverId: 'reference', model });
  assert.ok(panel, `no panel for ${model}`);
  assert.equal(await panel.loaded, true, `the form of ${model} did not load`);
  return panel;
}

/** Runs a draft through the panel and collects what it posts to the page. */
async function run(panel: InferencePanel, edit: (d: RequestDraft) => void): Promise<ToInferencePage[]> {
  const draft = structuredClone(panel.currentDraft()!);
  edit(draft);
  const posted: ToInferencePage[] = [];
  const sub = panel.onDidPost((m) => posted.push(m));
  try {
    await panel.run(draft);
  } finally {
    sub.dispose();
  }
  return posted;
}

/** What the panel posts while `action` runs. */
async function postedBy(panel: InferencePanel, action: () => Promise<unknown>): Promise<ToInferencePage[]> {
  const posted: ToInferencePage[] = [];
  const sub = panel.onDidPost((m) => posted.push(m));
  try {
    await action();
  } finally {
    sub.dispose();
  }
  return posted;
}

const responses = (posted: ToInferencePage[]): ResponseView[] => posted.flatMap((m) => (m.type === 'response' ? [m.response] : []));
const errors = (posted: ToInferencePage[]): string[] => posted.flatMap((m) => (m.type === 'runError' ? [`${m.error.message} | ${m.error.serverMessage ?? ''}`] : []));

describe('run inference panel', function () {
  this.timeout(60_000);
  let workbench: TritonWorkbenchApi;

  before(async function () {
    if (!process.env.TRITON_TEST_HTTP_URL) this.skip();
    workbench = await workbenchApi();
    await waitForModel(workbench, 'reference', 'simple');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens one panel per model, revealed when asked again; its form comes from the server', async () => {
    const panel = await openPanel(workbench, 'simple');
    const again = await openPanel(workbench, 'simple');
    assert.equal(again, panel);
    assert.equal([...workbench.inference.panels.values()].filter((p) => p.target.model === 'simple').length, 1);
    assert.deepEqual(panel.currentForm()!.inputs.map((i) => `${i.name} ${i.datatype} [${i.dims.join(',')}]`), ['INPUT0 INT32 [16]', 'INPUT1 INT32 [16]']);
    assert.equal(panel.currentForm()!.maxBatchSize, 8);
    assert.equal(panel.host.panel.title, 'Run simple · reference');
  });

  it('simple_string: the BYTES add/sub of the examples, over HTTP and gRPC', async () => {
    const panel = await openPanel(workbench, 'simple_string');
    for (const protocol of ['http', 'grpc'] as const) {
      const posted = await run(panel, (d) => {
        d.protocol = protocol;
        d.inputs[0]!.source = { kind: 'bytes', format: 'lines', text: Array.from({ length: 16 }, (_, i) => String(i)).join('\n') };
        d.inputs[1]!.source = { kind: 'bytes', format: 'json', text: JSON.stringify(Array(16).fill('1')) };
      });
      assert.deepEqual(errors(posted), []);
      const out = responses(posted)[0]!.outputs;
      const sum = out.find((o) => o.name === 'OUTPUT0');
      const diff = out.find((o) => o.name === 'OUTPUT1');
      assert.ok(sum?.kind === 'bytes' && diff?.kind === 'bytes');
      assert.deepEqual(sum.elements.map((e) => Number(e.value)), Array.from({ length: 16 }, (_, i) => i + 1), protocol);
      assert.deepEqual(diff.elements.map((e) => Number(e.value)), Array.from({ length: 16 }, (_, i) => i - 1), protocol);
      const finished = posted.find((m) => m.type === 'runFinished');
      assert.ok(finished?.type === 'runFinished' && finished.summary.latency !== undefined);
      // The run is kept in the workspace's history, and the page is told.
      const history = posted.filter((m) => m.type === 'history').at(-1);
      assert.ok(history?.type === 'history' && history.entries.length >= 1 && history.entries[0]!.protocol === protocol && history.entries[0]!.canLoad);
    }
  });

  it('repeat_int32: a decoupled stream over gRPC posts each response as it arrives', async () => {
    const panel = await openPanel(workbench, 'repeat_int32');
    assert.equal(panel.currentDraft()!.mode.kind, 'stream');
    const posted = await run(panel, (d) => {
      d.inputs[0]!.shape = [3];
      d.inputs[0]!.source = { kind: 'json', text: '[7, 8, 9]' };
      d.inputs[1]!.shape = [3];
      d.inputs[1]!.source = { kind: 'json', text: '[10, 10, 10]' };
      d.inputs[2]!.source = { kind: 'json', text: '[0]' };
    });
    assert.deepEqual(errors(posted), []);
    const outs = responses(posted).flatMap((r) => r.outputs.filter((o) => o.name === 'OUT').map((o) => (o.kind === 'numeric' ? o.first[0] : '?')));
    assert.deepEqual(outs, ['7', '8', '9']);
    // Responses are posted one by one, before the run finishes.
    const firstResponse = posted.findIndex((m) => m.type === 'response');
    assert.ok(firstResponse > 0 && firstResponse < posted.findIndex((m) => m.type === 'runFinished'));
  });

  it('simple_sequence: the server fills START/READY; start, next and end steps', async () => {
    const panel = await openPanel(workbench, 'simple_sequence');
    assert.deepEqual(panel.currentForm()!.controlInputs, ['START', 'READY']);
    const seen: string[] = [];
    for (const [value, start, end] of [[0, true, false], [11, false, false], [7, false, true]] as const) {
      const posted = await run(panel, (d) => {
        d.inputs[0]!.source = { kind: 'json', text: `[${value}]` };
        d.sequence = { id: 4242, start, end };
      });
      assert.deepEqual(errors(posted), []);
      const o = responses(posted)[0]!.outputs[0]!;
      seen.push(o.kind === 'numeric' ? o.first[0]! : '?');
    }
    assert.deepEqual(seen, ['1', '11', '7']);
  });

  it('color_classifier: a .npy input classified with labels as top-k, compared with an earlier run from the history', async () => {
    const panel = await openPanel(workbench, 'color_classifier');
    const dir = mkdtempSync(join(tmpdir(), 'panel-npy-'));
    const data = new Float32Array(3 * 224 * 224);
    data.fill(255, 2 * 224 * 224); // blue channel only
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 224, 224), }";
    const pad = 64 - ((10 + header.length + 1) % 64);
    const text = `${header}${' '.repeat(pad === 64 ? 0 : pad)}\n`;
    const head = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), Buffer.from([text.length & 0xff, text.length >> 8]), Buffer.from(text, 'latin1')]);
    writeFileSync(join(dir, 'blue.npy'), Buffer.concat([head, Buffer.from(data.buffer)]));
    const posted = await run(panel, (d) => {
      d.inputs[0]!.source = { kind: 'npy', path: join(dir, 'blue.npy') };
      d.outputs = [{ name: 'fc6_1', classCount: 3 }];
    });
    assert.deepEqual(errors(posted), []);
    const cls = responses(posted)[0]!.outputs[0]!;
    assert.ok(cls.kind === 'classification');
    assert.equal(cls.batches[0]![0]!.label, 'blue');
    assert.equal(cls.batches[0]!.length, 3);

    // The same model on another input, compared with the first run kept in the history.
    const history = posted.filter((m) => m.type === 'history').at(-1);
    assert.ok(history?.type === 'history');
    const blueEntry = history.entries[0]!;
    assert.equal(blueEntry.model, 'color_classifier');
    assert.ok(blueEntry.canCompare);
    data.fill(0);
    data.fill(255, 0, 224 * 224); // red channel only
    writeFileSync(join(dir, 'red.npy'), Buffer.concat([head, Buffer.from(data.buffer)]));
    const second = await run(panel, (d) => {
      d.inputs[0]!.source = { kind: 'npy', path: join(dir, 'red.npy') };
      d.outputs = [{ name: 'fc6_1', classCount: 3 }];
    });
    assert.equal((responses(second)[0]!.outputs[0] as { batches: { label?: string }[][] }).batches[0]![0]!.label, 'red');
    const comparison = (await postedBy(panel, () => panel.handle({ type: 'compareHistory', id: blueEntry.id }))).find((m) => m.type === 'comparison');
    assert.ok(comparison?.type === 'comparison' && comparison.comparison !== undefined, JSON.stringify(comparison));
    assert.equal(comparison.comparison.same, false);
    assert.equal(comparison.comparison.outputs[0]!.topK?.[0]?.top1Same, false);
    // The last run against its own history entry: the same.
    const redHistory = second.filter((m) => m.type === 'history').at(-1);
    assert.ok(redHistory?.type === 'history');
    const again = (await postedBy(panel, () => panel.handle({ type: 'compareHistory', id: redHistory.entries[0]!.id }))).find((m) => m.type === 'comparison');
    assert.ok(again?.type === 'comparison' && again.comparison?.same === true, JSON.stringify(again));
  });

  it('errors come back in place: a wrong input names it, an unknown model shows the server message', async () => {
    const panel = await openPanel(workbench, 'simple');
    const posted = await run(panel, (d) => {
      d.inputs[0]!.source = { kind: 'json', text: '[1, 2, 3]' };
    });
    const inputError = posted.find((m) => m.type === 'runError');
    assert.ok(inputError?.type === 'runError');
    assert.equal(inputError.error.input, 'INPUT0');
    assert.match(inputError.error.message, /3 value\(s\) given but shape \[1, 16\] needs 16/);

    await vscode.commands.executeCommand('triton.runInference', { serverId: 'reference', model: 'no_such_model' });
    const missing = workbench.inference.panel({ serverId: 'reference', model: 'no_such_model' })!;
    assert.equal(await missing.loaded, false, 'the form of an unknown model must fail to load');
  });

  it('shows "▶ Run inference" on a workspace config.pbtxt whose model is on the active server', async () => {
    const files = await vscode.workspace.findFiles('**/simple/config.pbtxt', '**/node_modules/**', 1);
    assert.equal(files.length, 1, 'the workspace has model_repository/simple/config.pbtxt');
    const doc = await vscode.workspace.openTextDocument(files[0]!);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const run = lenses.find((l) => l.command?.command === 'triton.runInference');
    assert.ok(run, `lenses: ${lenses.map((l) => l.command?.title).join(', ')}`);
    assert.equal(run.command!.title, '▶ Run inference');
    assert.deepEqual(run.command!.arguments, [{ serverId: 'reference', model: 'simple' }]);
    assert.equal(run.range.start.line, 0);
  });
});
