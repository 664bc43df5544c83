// The panel's run path without the UI: model form from the real server's metadata and config, a draft
// resolved into tensors, and runs (single, concurrent, stream, sequence) against the reference server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildModelForm, initialDraft } from '../../src/inference/inputs/modelForm';
import type { ModelForm } from '../../src/inference/inputs/modelForm';
import { resolveDraft } from '../../src/inference/inputs/resolveDraft';
import type { InputReaders } from '../../src/inference/inputs/resolveDraft';
import type { RequestDraft } from '../../src/inference/requestDraft';
import { writeNpy } from '../../src/inference/npy';
import type { ErrorView, ResponseView, RunSummary } from '../../src/shared/inferenceProtocol';
import { createTritonClient } from '../../src/triton/client';
import type { TritonClient } from '../../src/triton/clientTypes';
import { runInference } from '../../src/vscode/inference/runInference';
import { outputShapesFor } from '../../src/services/sharedMemory/shmInference';
import { readdirSync } from 'node:fs';
import { loadImageBatch } from '../../src/vscode/inference/imageInputs';
import { readInputFile, readNpyInput } from '../../src/vscode/inference/inputFiles';
import { solidPng } from '../support/solidImage';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

// The panel's own readers.
const readers: InputReaders = {
  readFile: readInputFile,
  readNpy: readNpyInput,
  loadImages: (request) => loadImageBatch(request),
};

describe('run inference against the reference server', () => {
  let server: ReferenceServer;
  let http: TritonClient;
  let grpc: TritonClient;

  before(async () => {
    server = await startReferenceServer();
    http = createTritonClient({ url: server.httpUrl, protocol: 'http' });
    grpc = createTritonClient({ url: server.grpcUrl, protocol: 'grpc' });
  });
  after(async () => {
    await http.close();
    await grpc.close();
    await server.stop();
  });

  async function formOf(model: string): Promise<ModelForm> {
    return buildModelForm(await http.modelMetadata(model), await http.modelConfig(model));
  }

  async function run(client: TritonClient, form: ModelForm, draft: RequestDraft): Promise<{ responses: ResponseView[]; errors: ErrorView[]; summary: RunSummary }> {
    const responses: ResponseView[] = [];
    const errors: ErrorView[] = [];
    const resolved = await resolveDraft(draft, form, readers);
    // As the panel does: a draft asking for shared memory runs through regions made for the call.
    const shm = draft.sharedMemory ? { plan: draft.sharedMemory, outputShapes: outputShapesFor(form, resolved.inputs), serverId: 'reference' } : undefined;
    const summary = await runInference(client, resolved, draft.mode, new AbortController().signal, { response: (r) => responses.push(r), error: (e) => errors.push(e) }, shm);
    return { responses, errors, summary };
  }

  it('simple: INT32 JSON inputs give sum and difference, with server timings and the raw HTTP request', async () => {
    const form = await formOf('simple');
    const draft = initialDraft(form, 'http');
    draft.inputs[0]!.source = { kind: 'fill', fill: 'range' };
    draft.inputs[1]!.source = { kind: 'json', text: JSON.stringify(Array(16).fill(1)) };
    const { responses, errors, summary } = await run(http, form, draft);
    assert.deepEqual(errors, []);
    const out0 = responses[0]!.outputs.find((o) => o.name === 'OUTPUT0');
    assert.ok(out0 && out0.kind === 'numeric');
    assert.deepEqual(out0.first, Array.from({ length: 16 }, (_, i) => String(i + 1)));
    assert.equal(summary.serverTimings?.requests, 1);
    assert.match(summary.raw!.request, /^POST \/v2\/models\/simple\/infer\nContent-Type/);
    assert.match(summary.raw!.request, /Inference-Header-Content-Length: \d+/);
    assert.match(summary.raw!.response, /"name": "OUTPUT1"/);
  });

  it('simple through system shared memory, over HTTP and gRPC: same answer, the bytes that skipped the socket counted, nothing left', async () => {
    const form = await formOf('simple');
    const shmBefore = readdirSync('/dev/shm').filter((f) => f.startsWith('triton_workbench_'));
    for (const client of [http, grpc]) {
      const draft = initialDraft(form, client.protocol);
      draft.inputs[0]!.source = { kind: 'fill', fill: 'range' };
      draft.inputs[1]!.source = { kind: 'json', text: JSON.stringify(Array(16).fill(2)) };
      draft.sharedMemory = { inputs: true, outputs: true };
      const { responses, errors, summary } = await run(client, form, draft);
      assert.deepEqual(errors, []);
      const out1 = responses[0]!.outputs.find((o) => o.name === 'OUTPUT1');
      assert.ok(out1 && out1.kind === 'numeric');
      assert.deepEqual(out1.first, Array.from({ length: 16 }, (_, i) => String(i - 2)));
      assert.deepEqual(summary.sharedMemory, { bytes: 4 * 64, notes: [] });
      assert.deepEqual(await client.systemSharedMemoryStatus(), []);
    }
    assert.deepEqual(readdirSync('/dev/shm').filter((f) => f.startsWith('triton_workbench_')), shmBefore);
    const concurrent = initialDraft(form, 'http');
    concurrent.mode = { kind: 'concurrent', count: 2, concurrency: 2 };
    concurrent.sharedMemory = { inputs: true, outputs: false };
    const { errors } = await run(http, form, concurrent);
    assert.match(errors[0]?.message ?? '', /shared memory runs one request at a time/);
  });

  it('simple_string: BYTES lines over HTTP JSON and over gRPC', async () => {
    const form = await formOf('simple_string');
    for (const [client, binary] of [[http, false], [grpc, true]] as const) {
      const draft = initialDraft(form, client.protocol);
      draft.binary = binary;
      draft.inputs[0]!.source = { kind: 'bytes', format: 'lines', text: Array.from({ length: 16 }, (_, i) => String(i)).join('\n') };
      draft.inputs[1]!.source = { kind: 'bytes', format: 'json', text: JSON.stringify(Array(16).fill('1')) };
      const { responses, errors } = await run(client, form, draft);
      assert.deepEqual(errors, []);
      const diff = responses[0]!.outputs.find((o) => o.name === 'OUTPUT1');
      assert.ok(diff && diff.kind === 'bytes', client.protocol);
      assert.deepEqual(diff.elements.map((e) => e.value), Array.from({ length: 16 }, (_, i) => String(i - 1)));
    }
  });

  it('repeat_int32: a decoupled stream reports each response as it arrives, then the final flag', async () => {
    const form = await formOf('repeat_int32');
    assert.equal(form.decoupled, true);
    const draft = initialDraft(form, 'http');
    assert.equal(draft.protocol, 'grpc');
    draft.inputs[0]!.shape = [3];
    draft.inputs[0]!.source = { kind: 'json', text: '[4, 5, 6]' };
    draft.inputs[1]!.shape = [3];
    draft.inputs[1]!.source = { kind: 'json', text: '[0, 50, 50]' };
    draft.inputs[2]!.source = { kind: 'json', text: '[0]' };
    const { responses, errors } = await run(grpc, form, draft);
    assert.deepEqual(errors, []);
    const values = responses.filter((r) => r.outputs.length > 0).map((r) => (r.outputs.find((o) => o.name === 'OUT') as { first: string[] }).first[0]);
    assert.deepEqual(values, ['4', '5', '6']);
    // Arrival times grow: the 50 ms delays show up between responses.
    assert.ok(responses[2]!.latencyMs - responses[0]!.latencyMs >= 80, `${responses.map((r) => r.latencyMs.toFixed(0)).join(', ')}`);
    assert.equal(responses.at(-1)!.final, true);
  });

  it('repeat_int32: Stop ends a stream while responses are still due', async () => {
    const form = await formOf('repeat_int32');
    const draft = initialDraft(form, 'grpc');
    draft.inputs[0]!.shape = [3];
    draft.inputs[0]!.source = { kind: 'json', text: '[1, 2, 3]' };
    draft.inputs[1]!.shape = [3];
    draft.inputs[1]!.source = { kind: 'json', text: '[0, 5000, 5000]' };
    draft.inputs[2]!.source = { kind: 'json', text: '[0]' };
    const resolved = await resolveDraft(draft, form, readers);
    const controller = new AbortController();
    const responses: ResponseView[] = [];
    const started = performance.now();
    const summary = await runInference(grpc, resolved, draft.mode, controller.signal, {
      response: (r) => {
        responses.push(r);
        controller.abort(); // the user presses Stop after the first response
      },
      error: () => undefined,
    });
    assert.equal(summary.stopped, true);
    assert.equal(responses.length, 1);
    assert.ok(performance.now() - started < 3000, 'Stop did not wait for the 5 s delays');
  });

  it('simple_sequence: control inputs are left to the server, start flag adds one', async () => {
    const form = await formOf('simple_sequence');
    assert.deepEqual(form.inputs.map((i) => i.name), ['INPUT']);
    const draft = initialDraft(form, 'http');
    const outputs: string[] = [];
    for (const [value, start, end] of [[0, true, false], [11, false, false], [7, false, true]] as const) {
      draft.inputs[0]!.source = { kind: 'json', text: `[[${value}]]` };
      draft.sequence = { id: 1001, start, end };
      const { responses, errors } = await run(http, form, draft);
      assert.deepEqual(errors, []);
      outputs.push((responses[0]!.outputs[0] as { first: string[] }).first[0]!);
    }
    assert.deepEqual(outputs, ['1', '11', '7']);
  });

  it('concurrent: N requests with at most C in flight, latency percentiles', async () => {
    const form = await formOf('simple');
    const draft = initialDraft(form, 'http');
    draft.mode = { kind: 'concurrent', count: 20, concurrency: 4 };
    const { responses, summary } = await run(http, form, draft);
    assert.equal(summary.requests, 20);
    assert.equal(summary.failed, 0);
    assert.equal(responses.length, 16);
    assert.ok(summary.latency && summary.latency.min <= summary.latency.p50 && summary.latency.p50 <= summary.latency.max);
  });

  it('color_classifier: top-k with labels from a .npy input', async () => {
    const form = await formOf('color_classifier');
    const draft = initialDraft(form, 'http');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    // Pure red at 0..255 scale (NCHW).
    const data = new Float32Array(3 * 224 * 224);
    data.fill(255, 0, 224 * 224);
    writeFileSync(join(dir, 'red.npy'), writeNpy('FP32', [3, 224, 224], data));
    draft.inputs[0]!.source = { kind: 'npy', path: 'red.npy' };
    const resolved = await resolveDraft(draft, form, { ...readers, baseDir: dir });
    const responses: ResponseView[] = [];
    await runInference(http, resolved, draft.mode, new AbortController().signal, { response: (r) => responses.push(r), error: (e) => assert.fail(e.message) });
    const cls = responses[0]!.outputs[0]!;
    assert.equal(cls.kind, 'classification');
    assert.equal((cls as { batches: { label?: string }[][] }).batches[0]![0]!.label, 'red');
  });

  it('color_classifier: image files preprocessed as image_client.py, top-1 label right, preview of what is sent', async () => {
    const form = await formOf('color_classifier');
    assert.deepEqual(form.inputs[0]!.image, { channels: 3, height: 224, width: 224, format: 'NCHW' });
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'img-'));
    for (const [name, rgb] of [['green', [0, 200, 0]], ['orange', [255, 140, 0]]] as const) {
      writeFileSync(join(dir, `${name}.png`), solidPng(64, 48, rgb));
      for (const scaling of ['NONE', 'INCEPTION'] as const) {
        const draft = initialDraft(form, 'http');
        draft.inputs[0]!.source = { kind: 'image', paths: [join(dir, `${name}.png`)], scaling };
        const { responses, errors } = await run(http, form, draft);
        assert.deepEqual(errors, []);
        const cls = responses[0]!.outputs[0]!;
        assert.ok(cls.kind === 'classification');
        assert.equal(cls.batches[0]![0]!.label, name, `${name} with ${scaling}`);
      }
    }
    const batch = await loadImageBatch({ paths: [join(dir, 'green.png')], channels: 3, height: 224, width: 224, format: 'NCHW', scaling: 'INCEPTION', datatype: 'FP32', batch: 1, batched: false });
    assert.deepEqual(batch.preview.shape, [3, 224, 224]);
    assert.equal(batch.preview.channels[1]!.max, Math.fround(Math.fround(200 / 127.5) - 1));
    assert.equal(batch.preview.image!.width, 224);
    await assert.rejects(loadImageBatch({ paths: [join(dir, 'green.png')], channels: 3, height: 8, width: 8, format: 'NCHW', scaling: 'INCEPTION', datatype: 'UINT8', batch: 1, batched: false }), /INCEPTION scaling gives values in -1..1/);
    writeFileSync(join(dir, 'not-an-image.png'), 'hello');
    await assert.rejects(loadImageBatch({ paths: [join(dir, 'not-an-image.png')], channels: 3, height: 8, width: 8, format: 'NCHW', scaling: 'NONE', datatype: 'FP32', batch: 1, batched: false }), /not-an-image\.png/);
  });

  it('files that are not regular files are refused by name, never read forever', async () => {
    const form = await formOf('simple_string');
    const draft = initialDraft(form, 'http');
    draft.inputs[0]!.source = { kind: 'files', paths: Array(16).fill('/dev/zero') };
    await assert.rejects(resolveDraft(draft, form, readers), /input 'INPUT0': cannot read \/dev\/zero: not a regular file/);
    const numeric = await formOf('simple');
    const npyDraft = initialDraft(numeric, 'http');
    npyDraft.inputs[0]!.source = { kind: 'npy', path: '/dev/zero' };
    await assert.rejects(resolveDraft(npyDraft, numeric, readers), /input 'INPUT0': \/dev\/zero: not a regular file/);
    npyDraft.inputs[0]!.source = { kind: 'npy', path: '/no/such.npy' };
    await assert.rejects(resolveDraft(npyDraft, numeric, readers), /input 'INPUT0': \/no\/such\.npy: ENOENT/);
  });

  it('an error comes back in place with the server message and a hint', async () => {
    const form = await formOf('simple');
    const draft = initialDraft(form, 'http');
    draft.model = 'no_such_model';
    const { errors } = await run(http, { ...form, model: 'no_such_model' }, draft);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.serverMessage ?? '', /Request for unknown model/);
    assert.match(errors[0]!.hint ?? '', /loaded/);
  });
});
