// Saved load-test runs: real runs against the reference server written, read back and compared, and
// files that are not saved runs refused with what is wrong.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runLoadTest } from '../../../src/services/loadTest';
import type { LoadRequest, LoadTestResult } from '../../../src/services/loadTest';
import type { LoadPlan } from '../../../src/services/loadTestTypes';
import { compareLoadTests, parseSavedLoadTest, serializeLoadTest } from '../../../src/services/loadTestRuns';
import type { SavedLoadTest } from '../../../src/services/loadTestRuns';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

const request = (delayMs: number): LoadRequest => ({
  inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [4], data: new Float32Array(4) }],
  // The delay is the model's own execution time, so it shows in the server's compute figures too.
  options: { headers: { 'x-fault': `execute-delay=${delayMs}` } },
});

describe('saved load-test runs', { timeout: 120_000 }, () => {
  let server: ReferenceServer;
  let client: TritonClient;
  before(async () => {
    server = await startReferenceServer();
    client = createTritonClient({ url: server.httpUrl, protocol: 'http', deadlineMs: 20_000 });
  });
  after(async () => {
    await client.close();
    await server.stop();
  });

  const run = async (delayMs: number, plan: LoadPlan): Promise<SavedLoadTest> => {
    const result: LoadTestResult = await runLoadTest(client, { model: 'identity_fp32', payload: request(delayMs), plan, maxRequests: 10_000, maxDurationMs: 30_000 });
    return { version: 1, savedAt: new Date().toISOString(), model: 'identity_fp32', protocol: 'http', url: client.url, plan, result };
  };

  it('reads back exactly what was written, and compares a slower run with a faster one', { timeout: 60_000 }, async () => {
    const plan: LoadPlan = { mode: 'concurrency', levels: [1, 2], stepMs: 600 };
    const fast = await run(5, plan);
    const slow = await run(60, plan);
    const back = parseSavedLoadTest(serializeLoadTest(slow), 'slow.json');
    assert.deepEqual(back, slow);
    const rows = compareLoadTests(fast.result, back.result);
    assert.deepEqual(rows.map((r) => r.label), ['c=1', 'c=2']);
    for (const r of rows) {
      assert.ok(r.p50Ratio > 2, `${r.label}: p50 ${r.next?.latency.p50Ms} ms vs ${r.base?.latency.p50Ms} ms`);
      assert.ok(r.throughputRatio < 0.5, `${r.label}: throughput ratio ${r.throughputRatio}`);
      assert.equal(r.errorsDelta, 0);
      assert.ok(r.computeRatio > 4, `${r.label}: server compute ratio ${r.computeRatio}`);
      assert.ok(r.next?.server !== undefined && r.base?.server !== undefined, 'each step keeps its server times through the file');
    }
  });

  it('keeps a step with no answers (NaN percentiles) through the JSON, and lists steps only one run has', { timeout: 60_000 }, async () => {
    // A cancel before the first answer leaves a step without latencies.
    const controller = new AbortController();
    const payload = (index: number): LoadRequest => {
      if (index === 0) setTimeout(() => controller.abort(), 100);
      return request(2000);
    };
    const plan: LoadPlan = { mode: 'concurrency', levels: [1, 4], stepMs: 10_000 };
    const result = await runLoadTest(client, { model: 'identity_fp32', payload, plan, maxRequests: 100, maxDurationMs: 30_000, signal: controller.signal });
    assert.equal(result.stoppedBy, 'cancelled');
    assert.ok(Number.isNaN(result.steps[0]!.latency.p50Ms));
    const saved: SavedLoadTest = { version: 1, savedAt: new Date().toISOString(), model: 'identity_fp32', protocol: 'http', url: client.url, plan, result };
    const back = parseSavedLoadTest(serializeLoadTest(saved), 'cancelled.json');
    assert.ok(Number.isNaN(back.result.steps[0]!.latency.p50Ms));
    const other = await run(1, { mode: 'concurrency', levels: [2], stepMs: 300 });
    const rows = compareLoadTests(back.result, other.result);
    assert.deepEqual(rows.map((r) => [r.label, r.base !== undefined, r.next !== undefined]), [['c=1', true, false], ['c=2', false, true]]);
    assert.ok(Number.isNaN(rows[0]!.throughputRatio));
  });

  it('refuses files that are not saved runs, saying what and where', () => {
    assert.throws(() => parseSavedLoadTest('{"version": 1', 'a.json'), /^Error: a\.json: not a saved load test: not JSON/);
    assert.throws(() => parseSavedLoadTest('[]', 'b.json'), /b\.json: .*the file is not an object/);
    assert.throws(() => parseSavedLoadTest('{"version": 2}', 'c.json'), /version 2 is not 1/);
    const good = { version: 1, savedAt: 'x', model: 'm', protocol: 'grpc', url: 'h:1', plan: { mode: 'rate', requestsPerSecond: 5, durationMs: 100 }, result: { steps: [], stoppedBy: 'done', requests: 0, errors: 0, seconds: 0 } };
    assert.equal(parseSavedLoadTest(JSON.stringify(good), 'ok.json').plan.mode, 'rate');
    const bad = (patch: (g: typeof good & Record<string, unknown>) => void): string => {
      const copy = JSON.parse(JSON.stringify(good)) as typeof good & Record<string, unknown>;
      patch(copy);
      return JSON.stringify(copy);
    };
    assert.throws(() => parseSavedLoadTest(bad((g) => { g.result.steps = [{ label: 'c=1' }] as never; }), 'd.json'), /result\.steps\[0\]\.latency is not an object/);
    assert.throws(() => parseSavedLoadTest(bad((g) => { g.result.stoppedBy = 'exploded'; }), 'e.json'), /stoppedBy 'exploded' is unknown/);
    assert.throws(() => parseSavedLoadTest(bad((g) => { g.plan = { mode: 'burst' } as never; }), 'f.json'), /plan\.mode 'burst'/);
    assert.throws(() => parseSavedLoadTest(bad((g) => { g.result.steps = new Array(2000).fill(null) as never; }), 'g.json'), /at most 1024 steps/);
    assert.throws(() => parseSavedLoadTest(bad((g) => { (g.result as Record<string, unknown>).requests = '12'; }), 'h.json'), /result\.requests is not a number/);
    const step = { label: 'c=1', requests: 3, errors: 0, seconds: 1, throughput: 3, latency: { p50Ms: 1, p90Ms: 1, p99Ms: 1, meanMs: 1 } };
    const times = { requests: 3, failed: 0, queueUs: 1, computeInputUs: 1, computeInferUs: null, computeOutputUs: 1 };
    const withStep = (s: Record<string, unknown>): string => bad((g) => { g.result.steps = [{ ...step, ...s }] as never; });
    assert.ok(Number.isNaN(parseSavedLoadTest(withStep({ server: times }), 'i.json').result.steps[0]!.server!.computeInferUs));
    assert.equal(parseSavedLoadTest(withStep({ statisticsError: 'no statistics' }), 'j.json').result.steps[0]!.statisticsError, 'no statistics');
    assert.throws(() => parseSavedLoadTest(withStep({ server: { ...times, queueUs: 'slow' } }), 'k.json'), /k\.json: .*result\.steps\[0\]\.server\.queueUs is not a number/);
    assert.throws(() => parseSavedLoadTest(withStep({ statisticsError: 5 }), 'l.json'), /result\.steps\[0\]\.statisticsError is not a string/);
  });
});
