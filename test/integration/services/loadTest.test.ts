// The load-test engine against the reference server as a real process: request counts, percentiles
// on a delay the fault switch adds, server-side times from the statistics delta, cancellation, bounds
// and the refusal of sequence and decoupled models.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferInput } from '../../../src/triton/types';
import { LoadTestRefused, runLoadTest } from '../../../src/services/loadTest';
import type { LoadRequest, LoadSample, LoadStep } from '../../../src/services/loadTest';
import { httpRequest } from '../../support/httpRequest';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

const TIMEOUT = 60_000;
const inputs: InferInput[] = [{ name: 'INPUT0', datatype: 'FP32', shape: [16], data: Float32Array.from({ length: 16 }, (_, i) => i) }];
const plain: LoadRequest = { inputs };
const delayed = (ms: number): LoadRequest => ({ inputs, options: { headers: { 'x-fault': `delay=${ms}` } } });
const identityConfig = (delayMs: number): Record<string, unknown> => ({
  backend: 'identity', input: [{ name: 'INPUT0', data_type: 'TYPE_FP32', dims: [-1] }], output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [-1] }],
  parameters: { execute_delay_ms: { string_value: String(delayMs) } },
});

describe('load test engine', { timeout: 5 * TIMEOUT }, () => {
  let server: ReferenceServer;
  let http: TritonClient;
  let grpc: TritonClient;
  before(async () => {
    server = await startReferenceServer();
    http = createTritonClient({ url: server.httpUrl, protocol: 'http', concurrency: 8, deadlineMs: 20_000 });
    grpc = createTritonClient({ url: server.grpcUrl, protocol: 'grpc', deadlineMs: 20_000 });
  });
  after(async () => {
    await http.close();
    await grpc.close();
    await server.stop();
  });

  for (const protocol of ['http', 'grpc'] as const) {
    it(`${protocol}: stops at exactly maxRequests, and the server counted each one`, { timeout: TIMEOUT }, async () => {
      const client = protocol === 'http' ? http : grpc;
      const result = await runLoadTest(client, { model: 'identity_fp32', payload: plain, plan: { mode: 'concurrency', levels: [1, 2, 4], stepMs: 30_000 }, maxRequests: 150, maxDurationMs: 50_000 });
      assert.equal(result.stoppedBy, 'max-requests');
      assert.equal(result.requests, 150);
      assert.equal(result.errors, 0);
      // 150 requests end the first step (30 s would be far more), so only c=1 ran.
      assert.deepEqual(result.steps.map((s) => s.label), ['c=1']);
      assert.equal(result.server?.requests, 150, result.statisticsError);
      assert.ok(result.server!.computeInferUs >= 0 && result.server!.queueUs >= 0);
    });
  }

  it('percentiles sit on the delay the fault switch adds, per concurrency step, with live samples', { timeout: TIMEOUT }, async () => {
    const samples: LoadSample[] = [];
    const steps: LoadStep[] = [];
    const result = await runLoadTest(http, {
      model: 'identity_fp32', payload: delayed(60), plan: { mode: 'concurrency', levels: [1, 4], stepMs: 1200 },
      maxRequests: 10_000, maxDurationMs: 30_000, sampleIntervalMs: 200, onSample: (s) => samples.push(s), onStep: (s) => steps.push(s),
    });
    assert.equal(result.stoppedBy, 'done');
    assert.deepEqual(steps, result.steps);
    const [one, four] = result.steps as [LoadStep, LoadStep];
    for (const step of [one, four]) {
      assert.equal(step.errors, 0);
      assert.ok(step.latency.p50Ms >= 60, `${step.label} p50 ${step.latency.p50Ms} ms is below the 60 ms delay`);
      assert.ok(step.latency.p50Ms <= step.latency.p90Ms && step.latency.p90Ms <= step.latency.p99Ms);
      assert.ok(step.latency.p50Ms < 60 + 250, `${step.label} p50 ${step.latency.p50Ms} ms is far above the delay`);
    }
    // Each c=1 request takes ≥ 60 ms: at most 1.2 s / 60 ms of them fit.
    assert.ok(one.requests >= 3 && one.requests <= 21, `c=1 ran ${one.requests} requests`);
    assert.ok(four.throughput > 2 * one.throughput, `c=4 ${four.throughput}/s vs c=1 ${one.throughput}/s`);
    assert.ok(samples.length >= 4, `${samples.length} live samples`);
    assert.ok(samples.some((s) => s.step === 0) && samples.some((s) => s.step === 1));
    assert.ok(samples.every((s) => s.elapsedMs > 0 && s.requests >= 0));
  });

  it('reports the server-side compute time from the statistics of the run', { timeout: TIMEOUT }, async () => {
    await http.loadModel('identity_fp32', { config: identityConfig(25) });
    try {
      const result = await runLoadTest(http, { model: 'identity_fp32', payload: plain, plan: { mode: 'concurrency', levels: [2], stepMs: 20_000 }, maxRequests: 12, maxDurationMs: 30_000 });
      assert.equal(result.requests, 12);
      assert.equal(result.server?.requests, 12);
      assert.ok(result.server!.computeInferUs >= 24_000, `compute ${result.server!.computeInferUs} µs per request`);
      assert.ok(result.steps[0]!.latency.p50Ms >= 24);
    } finally {
      await http.loadModel('identity_fp32');
    }
  });

  for (const protocol of ['http', 'grpc'] as const) {
    it(`${protocol}: each sweep step carries the server's own count of exactly the requests it sent`, { timeout: TIMEOUT }, async () => {
      const client = protocol === 'http' ? http : grpc;
      const result = await runLoadTest(client, { model: 'identity_fp32', payload: plain, plan: { mode: 'concurrency', levels: [1, 2, 4], stepMs: 400 }, maxRequests: 100_000, maxDurationMs: 30_000 });
      assert.equal(result.stoppedBy, 'done');
      assert.equal(result.steps.length, 3);
      for (const step of result.steps) {
        assert.equal(step.errors, 0, step.firstError);
        assert.ok(step.requests > 0);
        assert.equal(step.statisticsError, undefined);
        assert.equal(step.server?.requests, step.requests, `${step.label}: the server counted ${step.server?.requests}, the step sent ${step.requests}`);
        assert.equal(step.server?.failed, 0);
        assert.ok(step.server!.computeInferUs >= 0 && step.server!.queueUs >= 0);
      }
      assert.equal(result.server?.requests, result.requests);
    });
  }

  for (const protocol of ['http', 'grpc'] as const) {
    it(`${protocol}: a compute delay from the fault switch shows in the step it was sent in, not the others`, { timeout: TIMEOUT }, async () => {
      const client = protocol === 'http' ? http : grpc;
      // The step being run is known to the payload: onStep reports a step before the next one starts.
      const delays = [2, 40, 10];
      let step = 0;
      const payload = (): LoadRequest => ({ inputs, options: { headers: { 'x-fault': `execute-delay=${delays[step]}` } } });
      const result = await runLoadTest(client, {
        model: 'identity_fp32', payload, plan: { mode: 'concurrency', levels: [1, 2, 1], stepMs: 500 }, maxRequests: 100_000, maxDurationMs: 30_000,
        onStep: () => { step++; },
      });
      assert.equal(result.steps.length, 3);
      for (const [i, s] of result.steps.entries()) {
        const delayUs = delays[i]! * 1000;
        const compute = s.server?.computeInferUs ?? Number.NaN;
        assert.equal(s.server?.requests, s.requests, s.statisticsError);
        assert.ok(compute >= 0.95 * delayUs && compute < delayUs + 15_000, `${s.label} (step ${i}): compute ${compute} µs per request for a ${delays[i]} ms delay`);
        assert.ok(s.latency.p50Ms >= 0.95 * delays[i]!);
      }
    });
  }

  it('statistics reads are not counted in a step\'s time, and a failed read empties only the steps it borders, with the reason', { timeout: TIMEOUT }, async () => {
    const fault = (body: Record<string, unknown>): Promise<unknown> => httpRequest(`${server.httpUrl}/__fault`, { body });
    // Every statistics read takes 700 ms; a step of 300 ms that counted one would last a second.
    await fault({ fault: 'delay=700', match: '/stats', count: -1 });
    try {
      const result = await runLoadTest(http, { model: 'identity_fp32', payload: plain, plan: { mode: 'concurrency', levels: [1, 2], stepMs: 300 }, maxRequests: 100_000, maxDurationMs: 30_000 });
      for (const s of result.steps) {
        assert.ok(s.seconds < 0.6, `${s.label} lasted ${s.seconds} s`);
        assert.ok(s.throughput > s.requests / 0.6 - 1, `${s.label}: ${s.throughput}/s for ${s.requests} requests`);
        assert.equal(s.server?.requests, s.requests, s.statisticsError);
      }
    } finally {
      await fault({ clear: true });
    }
    // The first two reads fail (before the run, and after c=1): c=1 and c=2 border a failed read, c=4 two good ones.
    await fault({ fault: 'status=500', match: '/stats', count: 2 });
    try {
      const result = await runLoadTest(http, { model: 'identity_fp32', payload: plain, plan: { mode: 'concurrency', levels: [1, 2, 4], stepMs: 300 }, maxRequests: 100_000, maxDurationMs: 30_000 });
      assert.equal(result.stoppedBy, 'done');
      assert.equal(result.errors, 0);
      const [first, second, third] = result.steps as [LoadStep, LoadStep, LoadStep];
      for (const s of [first, second]) {
        assert.equal(s.server, undefined);
        assert.match(s.statisticsError ?? '', /reading the statistics of 'identity_fp32' failed: .*injected fault/);
      }
      assert.equal(third.statisticsError, undefined);
      assert.equal(third.server?.requests, third.requests);
      assert.match(result.statisticsError ?? '', /injected fault/);
      assert.equal(result.server, undefined);
    } finally {
      await fault({ clear: true });
    }
  });

  it('counts failed requests and keeps the first error', { timeout: TIMEOUT }, async () => {
    let i = 0;
    const payload = (index: number): LoadRequest => {
      i = index;
      return index % 5 === 4 ? { inputs, options: { headers: { 'x-fault': 'status=500' } } } : plain;
    };
    const result = await runLoadTest(http, { model: 'identity_fp32', payload, plan: { mode: 'concurrency', levels: [1], stepMs: 20_000 }, maxRequests: 20, maxDurationMs: 30_000 });
    assert.equal(i, 19);
    assert.equal(result.requests, 20);
    assert.equal(result.errors, 4);
    assert.match(result.steps[0]!.firstError ?? '', /injected fault/);
  });

  it('stops at maxErrors when the server starts dropping every infer mid-run', { timeout: TIMEOUT }, async () => {
    setTimeout(() => {
      void httpRequest(`${server.httpUrl}/__fault`, { body: { fault: 'drop', match: '/infer', count: -1 } });
    }, 300);
    try {
      const t0 = Date.now();
      const result = await runLoadTest(http, { model: 'identity_fp32', payload: plain, plan: { mode: 'concurrency', levels: [2], stepMs: 30_000 }, maxRequests: 1_000_000, maxDurationMs: 50_000, maxErrors: 25 });
      assert.equal(result.stoppedBy, 'max-errors');
      assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
      assert.ok(result.errors >= 25 && result.errors <= 26, `${result.errors} errors`);
      assert.ok(result.requests > result.errors, 'requests before the fault succeeded');
      assert.match(result.steps[0]!.firstError ?? '', /identity_fp32/);
      // Statistics still come from the server, which counted only the answered requests.
      assert.equal(result.server?.requests, result.requests - result.errors);
    } finally {
      await httpRequest(`${server.httpUrl}/__fault`, { body: { clear: true } });
    }
  });

  it('cancels promptly through the AbortSignal, keeping what was measured', { timeout: TIMEOUT }, async () => {
    const controller = new AbortController();
    let t0 = 0;
    // The cancel comes 500 ms after the first request is built, whatever the machine's load before it.
    const payload = (index: number): LoadRequest => {
      if (index === 0) {
        t0 = Date.now();
        setTimeout(() => controller.abort(), 500);
      }
      return delayed(100);
    };
    const result = await runLoadTest(http, { model: 'identity_fp32', payload, plan: { mode: 'concurrency', levels: [2, 4], stepMs: 30_000 }, maxRequests: 10_000, maxDurationMs: 50_000, signal: controller.signal });
    const took = Date.now() - t0;
    assert.equal(result.stoppedBy, 'cancelled');
    assert.ok(took < 5000, `took ${took} ms from the first request, cancelled at 500 ms`);
    assert.equal(result.errors, 0, 'calls cut short by the cancel are not errors');
    assert.equal(result.steps.length, 1);
    assert.ok(result.requests >= 2 && result.requests < 30, `${result.requests} requests`);
  });

  it('the time bound ends a run whose plan would go on for a minute', { timeout: TIMEOUT }, async () => {
    const t0 = Date.now();
    const result = await runLoadTest(grpc, { model: 'identity_fp32', payload: delayed(50), plan: { mode: 'concurrency', levels: [1, 2], stepMs: 60_000 }, maxRequests: 100_000, maxDurationMs: 700 });
    assert.equal(result.stoppedBy, 'max-duration');
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.ok(result.requests >= 1 && result.requests <= 15, `${result.requests} requests`);
  });

  it('a fixed rate sends about rate × duration requests', { timeout: TIMEOUT }, async () => {
    const result = await runLoadTest(http, { model: 'identity_fp32', payload: plain, plan: { mode: 'rate', requestsPerSecond: 40, durationMs: 1500 }, maxRequests: 10_000, maxDurationMs: 30_000 });
    assert.equal(result.stoppedBy, 'done');
    const step = result.steps[0]!;
    assert.equal(step.label, '40 req/s');
    assert.ok(step.requests >= 45 && step.requests <= 62, `${step.requests} requests at 40/s for 1.5 s`);
    assert.equal(step.errors, 0);
  });

  it('a fixed rate over a slow model counts the sends that had to wait for a slot', { timeout: TIMEOUT }, async () => {
    const result = await runLoadTest(http, { model: 'identity_fp32', payload: delayed(200), plan: { mode: 'rate', requestsPerSecond: 50, durationMs: 1000, maxInFlight: 2 }, maxRequests: 10_000, maxDurationMs: 30_000 });
    const step = result.steps[0]!;
    // Two slots of 200 ms each allow about 10 sends a second instead of 50.
    assert.ok(step.requests <= 16, `${step.requests} requests`);
    assert.ok((step.lateSends ?? 0) >= 3, `${step.lateSends} late sends`);
  });

  it('refuses sequence models unless confirmed, and decoupled models always', { timeout: TIMEOUT }, async () => {
    const base = { payload: plain, plan: { mode: 'concurrency' as const, levels: [1], stepMs: 200 }, maxRequests: 3, maxDurationMs: 5000 };
    await assert.rejects(runLoadTest(http, { ...base, model: 'simple_sequence' }), (e: unknown) => e instanceof LoadTestRefused && /sequence model/.test(e.message) && /simple_sequence/.test(e.message));
    await assert.rejects(runLoadTest(grpc, { ...base, model: 'repeat_int32', confirmSequence: true }), (e: unknown) => e instanceof LoadTestRefused && /decoupled/.test(e.message));
    // Confirmed, the sequence model is driven (its wrong inputs come back as counted errors, not a refusal).
    const confirmed = await runLoadTest(http, { ...base, model: 'simple_sequence', confirmSequence: true });
    assert.equal(confirmed.requests, 3);
  });

  it('refuses plans outside its bounds before sending anything', async () => {
    const base = { model: 'identity_fp32', payload: plain, maxDurationMs: 1000 };
    await assert.rejects(runLoadTest(http, { ...base, plan: { mode: 'concurrency', levels: [1], stepMs: 100 }, maxRequests: 0 }), LoadTestRefused);
    await assert.rejects(runLoadTest(http, { ...base, plan: { mode: 'concurrency', levels: [0], stepMs: 100 }, maxRequests: 5 }), /concurrency 0/);
    await assert.rejects(runLoadTest(http, { ...base, plan: { mode: 'rate', requestsPerSecond: 1e9, durationMs: 100 }, maxRequests: 5 }), /request rate/);
    await assert.rejects(runLoadTest(http, { ...base, plan: { mode: 'concurrency', levels: [1], stepMs: 100 }, maxRequests: 5, maxDurationMs: 1e12 }), /maxDurationMs/);
  });
});
