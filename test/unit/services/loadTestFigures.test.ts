// Load-test figures: nearest-rank percentiles, the statistics delta and the perf_analyzer command.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentileOf, perfAnalyzerCommand, serverTimesBetween, summarizeLatencies } from '../../../src/services/loadTestFigures';
import { LoadTestRefused, perfAnalyzerFor, refusalFor, sweepLevels } from '../../../src/services/loadTest';
import type { ModelStatistics } from '../../../src/triton/types';

function stats(version: string, success: number, queueNs: number, inferNs: number, fail = 0): ModelStatistics {
  const d = (count: number, ns: number): { count: number; ns: number } => ({ count, ns });
  return {
    name: 'm', version, last_inference: 0, inference_count: success, execution_count: success,
    inference_stats: {
      success: d(success, 0), fail: d(fail, 0), queue: d(success, queueNs), compute_input: d(success, success * 1000),
      compute_infer: d(success, inferNs), compute_output: d(success, 0), cache_hit: d(0, 0), cache_miss: d(0, 0),
    },
    response_stats: {}, batch_stats: [], memory_usage: [],
  };
}

describe('load test figures', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    const s = summarizeLatencies(values);
    assert.deepEqual([s.p50Ms, s.p90Ms, s.p99Ms, s.meanMs], [50, 90, 99, 50.5]);
    assert.equal(percentileOf([7], 0.99), 7);
    assert.ok(Number.isNaN(percentileOf([], 0.5)));
    assert.equal(summarizeLatencies([1, 2, 3, 1000]).p99Ms, 1000);
  });

  it('averages the server time of the run from two snapshots, over every version', () => {
    const before = [stats('1', 10, 10_000, 50_000), stats('2', 5, 0, 0)];
    const after = [stats('1', 30, 50_000, 2_050_000, 2), stats('2', 25, 20_000, 2_000_000)];
    const t = serverTimesBetween(before, after);
    assert.equal(t.requests, 40);
    assert.equal(t.failed, 2);
    assert.equal(t.queueUs, 60_000 / 40 / 1000);
    assert.equal(t.computeInferUs, 4_000_000 / 40 / 1000);
    assert.equal(t.computeInputUs, 1);
    assert.ok(Number.isNaN(serverTimesBetween(before, before).queueUs), 'no requests: no average');
  });

  it('writes the matching perf_analyzer command line', () => {
    assert.equal(
      perfAnalyzerCommand({ model: 'identity_fp32', url: 'http://127.0.0.1:8000', protocol: 'http', concurrency: [1, 2, 3, 4], measurementMs: 2000 }),
      "perf_analyzer -m 'identity_fp32' -u '127.0.0.1:8000' -i http --measurement-interval 2000 --percentile=99 --concurrency-range 1:4:1",
    );
    assert.equal(
      perfAnalyzerCommand({ model: "it's", version: '2', url: 'grpc://h:8001', protocol: 'grpc', concurrency: [1, 2, 4, 8], measurementMs: 500, inputDataFile: 'input data.json', batchSize: 4 }),
      "for c in 1 2 4 8; do perf_analyzer -m 'it'\\''s' -x '2' -u 'h:8001' -i grpc -b 4 --input-data 'input data.json' --measurement-interval 500 --percentile=99 --concurrency-range \"$c\"; done",
    );
    assert.match(perfAnalyzerCommand({ model: 'm', url: 'localhost:8000/base', protocol: 'http', requestRate: 250, measurementMs: 1000 }), /-u 'localhost:8000' .* --request-rate-range 250$/);
  });

  it('turns a load plan into its perf_analyzer command', () => {
    const client = { url: '127.0.0.1:8001', protocol: 'grpc' as const };
    assert.equal(
      perfAnalyzerFor(client, { model: 'm', plan: { mode: 'concurrency', levels: sweepLevels(4), stepMs: 3000 } }, { inputDataFile: 'in.json' }),
      "for c in 1 2 4; do perf_analyzer -m 'm' -u '127.0.0.1:8001' -i grpc --input-data 'in.json' --measurement-interval 3000 --percentile=99 --concurrency-range \"$c\"; done",
    );
    assert.equal(
      perfAnalyzerFor({ url: 'https://h:8000', protocol: 'http' }, { model: 'm', version: '3', plan: { mode: 'rate', requestsPerSecond: 20, durationMs: 10_000 } }),
      "perf_analyzer -m 'm' -x '3' -u 'h:8000' -i http --measurement-interval 10000 --percentile=99 --request-rate-range 20  # the server uses TLS: add perf_analyzer's --ssl-* options",
    );
  });

  it('sweeps by doubling up to the highest level and refuses odd bounds', () => {
    assert.deepEqual(sweepLevels(1), [1]);
    assert.deepEqual(sweepLevels(16), [1, 2, 4, 8, 16]);
    assert.deepEqual(sweepLevels(12), [1, 2, 4, 8, 12]);
    assert.throws(() => sweepLevels(0), LoadTestRefused);
    assert.throws(() => sweepLevels(5000), /1 to 1024/);
  });

  it('refuses decoupled models, and sequence models unless confirmed', () => {
    assert.match(refusalFor({ sequence_batching: { max_sequence_idle_microseconds: 5 } }, false) ?? '', /sequence/);
    assert.equal(refusalFor({ sequence_batching: {} }, true), undefined);
    assert.match(refusalFor({ model_transaction_policy: { decoupled: true } }, true) ?? '', /decoupled/);
    assert.equal(refusalFor({ name: 'm', max_batch_size: 8 }, false), undefined);
  });
});
