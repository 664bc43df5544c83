// The load test in a real extension host against the reference server: the command opens one panel
// per model with the model's initial request as payload, a short sweep posts live samples and one
// finished step per level with the server's own counts, a fixed rate over gRPC keeps its rate, Stop
// cancels, bad settings are refused in place, the Run Inference panel's request becomes the payload,
// and the perf_analyzer export carries the sweep and the request's data.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parseSavedLoadTest } from '../../src/services/loadTestRuns';
import type { TritonWorkbenchApi } from '../../src/extension';
import { waitForModel, workbenchApi } from './support/workbench';
import type { LoadTestSettings, ToLoadTestPage } from '../../src/shared/loadTestProtocol';
import type { LoadTestPanel } from '../../src/vscode/loadTest/loadTestPanel';

const target = { serverId: 'reference', model: 'simple' };


const settings = (over: Partial<LoadTestSettings>): LoadTestSettings => ({
  mode: 'concurrency', levels: [1, 2], stepSeconds: 0.6, rate: 50, durationSeconds: 1, protocol: 'http', maxRequests: 100_000, maxSeconds: 60, ...over,
});

/** What the panel posts while `action` runs. */
async function postedBy(panel: LoadTestPanel, action: () => Promise<unknown>): Promise<ToLoadTestPage[]> {
  const posted: ToLoadTestPage[] = [];
  const sub = panel.onDidPost((m) => posted.push(m));
  try {
    await action();
  } finally {
    sub.dispose();
  }
  return posted;
}

describe('load test panel', function () {
  this.timeout(60_000);
  let workbench: TritonWorkbenchApi;
  let panel: LoadTestPanel;

  before(async function () {
    if (!process.env.TRITON_TEST_HTTP_URL) this.skip();
    workbench = await workbenchApi();
    await waitForModel(workbench, 'reference', 'simple');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens from a model node with the model\'s initial request as the payload, and says so', async () => {
    await vscode.commands.executeCommand('triton.loadTestModel', { kind: 'model', ...target });
    panel = workbench.loadTest.panel(target)!;
    assert.ok(panel, 'no load-test panel for simple');
    assert.equal(await panel.loaded, true);
    assert.equal(panel.payload.draft?.model, 'simple');
    assert.match(panel.payload.source, /initial request/);
    // Asked again, the same panel comes to the front.
    await vscode.commands.executeCommand('triton.loadTestModel', { kind: 'model', ...target });
    assert.equal(workbench.loadTest.panel(target), panel);
  });

  it('runs a sweep of 1 and 2 with live samples, one step per level and the server\'s own counts', async () => {
    const posted = await postedBy(panel, () => panel.handle({ type: 'start', settings: settings({}) }));
    assert.equal(posted[0]?.type, 'started');
    const samples = posted.flatMap((m) => (m.type === 'sample' ? [m.sample] : []));
    assert.ok(samples.length >= 2, `live samples posted: ${samples.length}`);
    assert.ok(samples.some((s) => s.step === 1 && s.label === 'c=2'), 'samples of the second step');
    assert.ok(samples.every((s) => s.requests >= 0 && s.elapsedMs > 0));
    const steps = posted.flatMap((m) => (m.type === 'step' ? [m] : []));
    assert.deepEqual(steps.map((s) => [s.index, s.step.label]), [[0, 'c=1'], [1, 'c=2']]);
    for (const { step } of steps) {
      assert.ok(step.requests > 10, `${step.label}: ${step.requests} requests`);
      assert.equal(step.errors, 0, step.firstError);
      assert.ok(step.throughput > 0);
      assert.ok(step.latency.p50Ms > 0 && step.latency.p50Ms <= step.latency.p90Ms && step.latency.p90Ms <= step.latency.p99Ms, JSON.stringify(step.latency));
      // The server's own count of the step, from the statistics read before and after it.
      assert.equal(step.server?.requests, step.requests, step.statisticsError);
      assert.ok((step.server?.computeInferUs ?? Number.NaN) >= 0);
    }
    const finished = posted.find((m) => m.type === 'finished');
    assert.ok(finished?.type === 'finished');
    const result = finished.result;
    assert.equal(result.stoppedBy, 'done');
    assert.equal(result.requests, steps[0]!.step.requests + steps[1]!.step.requests);
    // The statistics delta counts exactly the run's successful inferences.
    assert.equal(result.server?.requests, result.requests - result.errors, result.statisticsError);
    assert.ok((result.server?.computeInferUs ?? Number.NaN) >= 0);
    assert.equal(panel.lastRun?.result, result);
    assert.equal(panel.lastRun?.protocol, 'http');
  });

  it('saves the run, compares the next one with it step by step, and refuses a file that is not a run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-test-'));
    const file = join(dir, 'simple.loadtest.json');
    await panel.saveRunTo(vscode.Uri.file(file));
    const saved = parseSavedLoadTest(readFileSync(file, 'utf8'), file);
    assert.equal(saved.model, 'simple');
    assert.deepEqual(saved.plan, { mode: 'concurrency', levels: [1, 2], stepMs: 600 });
    assert.deepEqual(saved.result.steps.map((s) => s.requests), panel.lastRun!.result.steps.map((s) => s.requests));
    assert.deepEqual(saved.result.steps.map((s) => s.server?.requests), panel.lastRun!.result.steps.map((s) => s.requests));

    await panel.start(settings({ levels: [1, 2, 4], stepSeconds: 0.3 }));
    const posted = await postedBy(panel, () => panel.compareWithFile(vscode.Uri.file(file)));
    const comparison = posted.find((m) => m.type === 'comparison');
    assert.ok(comparison?.type === 'comparison');
    assert.match(comparison.label, /simple\.loadtest\.json \(simple, HTTP, /);
    assert.deepEqual(comparison.rows.map((r) => r.label), ['c=1', 'c=2', 'c=4']);
    for (const row of comparison.rows.slice(0, 2)) {
      assert.ok(row.throughputRatio > 0 && Number.isFinite(row.throughputRatio), `${row.label}: ${row.throughputRatio}`);
      assert.equal(row.throughputRatio, row.next!.throughput / row.base!.throughput);
      assert.ok(row.computeRatio > 0 && Number.isFinite(row.computeRatio), `${row.label}: server compute ratio ${row.computeRatio}`);
    }
    assert.equal(comparison.rows[2]!.base, undefined, 'c=4 ran only in the new run');
    assert.ok(Number.isNaN(comparison.rows[2]!.throughputRatio));

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"version": 1, "protocol": "http", "result": {"steps": "many"}}');
    await assert.rejects(panel.compareWithFile(vscode.Uri.file(broken)), /broken\.json: not a saved load test: result\.steps/);
  });

  it('writes the --input-data file and copies the perf_analyzer command that reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-test-pa-'));
    const file = join(dir, 'simple.input-data.json');
    const command = await panel.exportPerfAnalyzerTo(vscode.Uri.file(file), settings({ levels: [1, 2, 3], stepSeconds: 2 }));
    assert.equal(command, `cd '${dir}' && perf_analyzer -m 'simple' -u '${new URL(process.env.TRITON_TEST_HTTP_URL!).host}' -i http --input-data simple.input-data.json -b 1 --shape 'INPUT0:16' --shape 'INPUT1:16' --measurement-interval 2000 --percentile=99 --concurrency-range 1:3:1`);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { data: Record<string, { shape: number[] }>[] };
    assert.deepEqual(Object.keys(data.data[0]!), ['INPUT0', 'INPUT1']);
    assert.equal(await vscode.env.clipboard.readText(), command);
  });

  it('keeps a fixed rate over gRPC', async () => {
    const posted = await postedBy(panel, () => panel.start(settings({ mode: 'rate', rate: 40, durationSeconds: 1, protocol: 'grpc' })));
    const finished = posted.find((m) => m.type === 'finished');
    assert.ok(finished?.type === 'finished', JSON.stringify(posted.find((m) => m.type === 'runError')));
    const [step] = finished.result.steps;
    assert.equal(step?.label, '40 req/s');
    assert.ok(step.requests >= 35 && step.requests <= 42, `${step.requests} requests in 1 s at 40/s`);
    assert.equal(step.errors, 0, step.firstError);
    assert.equal(panel.lastRun?.protocol, 'grpc');
  });

  it('stops when asked, with what was measured', async () => {
    const started = Date.now();
    let sub: vscode.Disposable | undefined;
    const stopped = new Promise<void>((resolve) => {
      sub = panel.onDidPost((m) => {
        if (m.type === 'sample' && m.sample.requests > 0) void panel.handle({ type: 'stop' }).then(resolve);
      });
    });
    const run = panel.start(settings({ levels: [2], stepSeconds: 30 }));
    await stopped;
    const result = await run;
    sub?.dispose();
    assert.equal(result?.stoppedBy, 'cancelled');
    assert.ok(Date.now() - started < 10_000, 'the stop ended the 30 s step early');
    assert.ok((result?.requests ?? 0) > 0);
  });

  it('refuses bad settings in place, naming the field', async () => {
    const posted = await postedBy(panel, () => panel.handle({ type: 'start', settings: settings({ levels: [0, 2] }) }));
    const error = posted.find((m) => m.type === 'runError');
    assert.ok(error?.type === 'runError');
    assert.match(error.message, /Concurrency levels: 0/);
    assert.equal(posted.some((m) => m.type === 'started'), false);
    const bounds = await postedBy(panel, () => panel.handle({ type: 'start', settings: settings({ maxRequests: 0 }) }));
    const boundError = bounds.find((m) => m.type === 'runError');
    assert.ok(boundError?.type === 'runError');
    assert.match(boundError.message, /Max requests/);
  });

  it('takes the Run Inference panel\'s request as its payload, and runs it', async () => {
    await vscode.commands.executeCommand('triton.runInference', { kind: 'model', ...target });
    const inference = workbench.inference.panel(target)!;
    assert.equal(await inference.loaded, true);
    const draft = structuredClone(inference.currentDraft()!);
    draft.inputs[0]!.source = { kind: 'json', text: JSON.stringify(Array.from({ length: 16 }, (_, i) => i + 100)) };
    await inference.handle({ type: 'loadTest', draft });
    assert.equal(workbench.loadTest.panel(target), panel);
    assert.deepEqual(panel.payload.draft?.inputs[0]?.source, draft.inputs[0]!.source);
    assert.match(panel.payload.source, /Run Inference/);
    const result = await panel.start(settings({ levels: [1], stepSeconds: 0.3 }));
    assert.ok(result !== undefined && result.requests > 0 && result.errors === 0, JSON.stringify(result?.steps[0]?.firstError));
    // The export carries that request's values and the sweep.
    const exported = await panel.perfAnalyzerExport(settings({ levels: [1, 2, 4] }), 'simple.input-data.json');
    assert.match(exported.command, /^for c in 1 2 4; do perf_analyzer -m 'simple' .*--input-data simple\.input-data\.json .*-b 1 .*--concurrency-range "\$c"; done$/);
    const data = JSON.parse(exported.data) as { data: { INPUT0: { content: number[]; shape: number[] } }[] };
    assert.deepEqual(data.data[0]!.INPUT0.content.slice(0, 3), [100, 101, 102]);
    assert.deepEqual(data.data[0]!.INPUT0.shape, [16]);
  });
});
