// A run-inference request draft as the load test's payload, against the reference server over both
// transports, and its perf_analyzer export (the run-inference exporter's data file plus the load).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResolvedTensor } from '../../../src/inference/exports/resolvedRequest';
import type { RequestDraft } from '../../../src/inference/requestDraft';
import { REQUEST_DRAFT_VERSION } from '../../../src/inference/requestDraft';
import { runLoadTest, sweepLevels } from '../../../src/services/loadTest';
import { loadRequestFromDraft, loadTestPerfAnalyzerExport } from '../../../src/services/loadTestExport';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

const inputs: ResolvedTensor[] = [
  { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: Int32Array.from({ length: 16 }, (_, i) => i) },
  { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: Int32Array.from({ length: 16 }, () => 2) },
];

function draft(protocol: 'http' | 'grpc', extra: Partial<RequestDraft> = {}): RequestDraft {
  return {
    version: REQUEST_DRAFT_VERSION, model: 'simple', protocol, binary: true,
    inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape], source: { kind: 'json', text: JSON.stringify(Array.from(t.data as Int32Array)) } })),
    outputs: [], mode: { kind: 'single' }, ...extra,
  };
}

describe('load test of a request draft', { timeout: 120_000 }, () => {
  let server: ReferenceServer;
  const clients: TritonClient[] = [];
  before(async () => {
    server = await startReferenceServer();
  });
  after(async () => {
    for (const c of clients) await c.close();
    await server.stop();
  });

  for (const protocol of ['http', 'grpc'] as const) {
    it(`${protocol}: the draft's request is what every call sends, and the server answers each`, { timeout: 60_000 }, async () => {
      const client = createTritonClient({ url: protocol === 'http' ? server.httpUrl : server.grpcUrl, protocol, deadlineMs: 20_000 });
      clients.push(client);
      const d = draft(protocol, { outputs: [{ name: 'OUTPUT1' }], modelVersion: '1' });
      const payload = loadRequestFromDraft(d, inputs);
      // The payload sent once by hand gives exactly the requested output: INPUT0 - INPUT1.
      const once = await client.infer('simple', payload.inputs, payload.outputs, { ...payload.options, modelVersion: '1' });
      assert.deepEqual(once.outputs.map((o) => o.name), ['OUTPUT1']);
      assert.deepEqual(Array.from(once.outputs[0]!.data as Int32Array), Array.from({ length: 16 }, (_, i) => i - 2));
      const result = await runLoadTest(client, { model: d.model, version: d.modelVersion, payload, plan: { mode: 'concurrency', levels: [1, 2], stepMs: 20_000 }, maxRequests: 30, maxDurationMs: 30_000 });
      assert.equal(result.requests, 30);
      assert.equal(result.errors, 0, result.steps[0]?.firstError);
      assert.equal(result.server?.requests, 30);
    });
  }

  it('refuses a stream draft', () => {
    assert.throws(() => loadRequestFromDraft(draft('grpc', { mode: { kind: 'stream' } }), inputs), /stream request/);
  });

  it('exports the perf_analyzer data file with the plan as options', () => {
    const d = draft('grpc');
    const sweep = loadTestPerfAnalyzerExport(d, inputs, { url: server.grpcUrl, protocol: 'grpc', batched: true }, { mode: 'concurrency', levels: sweepLevels(8), stepMs: 5000 });
    assert.match(sweep.command, /^for c in 1 2 4 8; do perf_analyzer -m 'simple' .*-i grpc --input-data input-data\.json -b 1 .*--measurement-interval 5000 --percentile=99 --concurrency-range "\$c"; done$/);
    const data = JSON.parse(sweep.data) as { data: Array<Record<string, { content: number[]; shape: number[] }>> };
    assert.deepEqual(data.data[0]!.INPUT1!.content, Array.from({ length: 16 }, () => 2));
    assert.deepEqual(data.data[0]!.INPUT0!.shape, [16]);
    assert.equal(sweep.files[0]!.name, 'input-data.json');
    const rate = loadTestPerfAnalyzerExport(d, inputs, { url: server.grpcUrl, protocol: 'grpc', batched: true }, { mode: 'rate', requestsPerSecond: 100, durationMs: 3000 });
    assert.match(rate.command, /--measurement-interval 3000 --percentile=99 --request-rate-range 100$/);
  });
});
