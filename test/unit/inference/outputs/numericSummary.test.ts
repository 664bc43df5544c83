import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistogramBuilder } from '../../../../src/inference/outputs/histogram';
import { summarizeNumeric } from '../../../../src/inference/outputs/numericSummary';
import { summarizeResult } from '../../../../src/inference/outputs/resultSummary';
import type { OutputTensor } from '../../../../src/triton/types';

/** A small deterministic generator so the test data is varied but repeatable. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('min, max, mean, NaN and Inf counts of an FP32 output match a direct computation', () => {
  const rand = lcg(7);
  const values = new Float32Array(10_000);
  for (let i = 0; i < values.length; i++) values[i] = (rand() - 0.3) * 1000;
  values[17] = NaN;
  values[18] = Infinity;
  values[19] = -Infinity;
  values[20] = NaN;
  const s = summarizeNumeric({ name: 'y', datatype: 'FP32', shape: [100, 100], data: values }, { firstCount: 5 })!;
  const finite = [...values].filter((v) => Number.isFinite(v));
  assert.equal(s.count, 10_000);
  assert.equal(s.nanCount, 2);
  assert.equal(s.infCount, 2);
  assert.equal(Number(s.min), Math.min(...finite));
  assert.equal(Number(s.max), Math.max(...finite));
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  assert.ok(Math.abs(s.mean! - mean) < 1e-9 * Math.abs(mean) + 1e-9);
  assert.deepEqual(s.first, [...values.subarray(0, 5)].map(String));
  assert.deepEqual(s.shape, [100, 100]);
});

test('the histogram holds every finite value, each in the bin its edges say', () => {
  const rand = lcg(3);
  const values = Array.from({ length: 5000 }, () => Math.floor((rand() * 2 - 1) ** 3 * 1e6) / 7);
  const s = summarizeNumeric({ name: 'y', datatype: 'FP64', shape: [5000], data: Float64Array.from(values) }, { bins: 16 })!;
  const h = s.histogram!;
  assert.ok(h.counts.length <= 16 && h.counts.length >= 2, `${h.counts.length} bins`);
  const expected = new Array<number>(h.counts.length).fill(0);
  for (const v of values) {
    const bin = Math.min(h.counts.length - 1, Math.floor((v - h.start) / h.width));
    assert.ok(bin >= 0, `${v} is below the first edge ${h.start}`);
    expected[bin]!++;
  }
  assert.deepEqual(h.counts, expected);
  // Empty end bins are trimmed: the data reaches into both the first and the last bin.
  assert.ok(h.counts[0]! > 0 && h.counts[h.counts.length - 1]! > 0);
  // The range is tight: with power-of-two growth, the data spans more than a quarter of the bins.
  const spread = (Math.max(...values) - Math.min(...values)) / h.width;
  assert.ok(spread > 16 / 4, `data spans ${spread} bin widths`);
});

test('a histogram of one repeated value is a single bin; values arriving in any order give the same counts total', () => {
  const one = new HistogramBuilder(8);
  for (let i = 0; i < 10; i++) one.add(4.5);
  assert.deepEqual(one.result(), { start: 4.5, width: 0, counts: [10] });
  const up = new HistogramBuilder(8);
  const down = new HistogramBuilder(8);
  for (let i = 0; i < 100; i++) up.add(i);
  for (let i = 99; i >= 0; i--) down.add(i);
  for (const h of [up.result()!, down.result()!]) assert.equal(h.counts.reduce((a, b) => a + b, 0), 100);
  assert.equal(new HistogramBuilder(8).result(), undefined);
});

test('INT64 and UINT64 values beyond 2^53 keep every digit in first, min and max', () => {
  const big = [2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n, 5n];
  const s = summarizeNumeric({ name: 'i', datatype: 'INT64', shape: [4], data: BigInt64Array.from(big) })!;
  assert.deepEqual(s.first, ['9223372036854775807', '-9223372036854775808', '9007199254740993', '5']);
  assert.equal(s.min, '-9223372036854775808');
  assert.equal(s.max, '9223372036854775807');
  const u = summarizeNumeric({ name: 'u', datatype: 'UINT64', shape: [2], data: BigUint64Array.from([2n ** 64n - 1n, 3n]) })!;
  assert.equal(u.max, '18446744073709551615');
  assert.equal(u.min, '3');
});

test('FP16 and BF16 outputs are decoded from their bits', () => {
  // FP16: 0x3C00 = 1, 0xC000 = -2, 0x7E00 = NaN, 0x7C00 = +Inf, 0x3555 ≈ 0.333251953125.
  const h = summarizeNumeric({ name: 'h', datatype: 'FP16', shape: [5], data: Uint16Array.from([0x3c00, 0xc000, 0x7e00, 0x7c00, 0x3555]) })!;
  assert.deepEqual(h.first, ['1', '-2', 'NaN', 'Infinity', String(1 / 4 + 0x155 / 1024 / 4)]);
  assert.equal(h.min, '-2');
  assert.equal(h.max, '1');
  assert.equal(h.nanCount, 1);
  assert.equal(h.infCount, 1);
  // BF16: the high half of a float32; 0x4049 = 3.140625, 0xBF80 = -1.
  const b = summarizeNumeric({ name: 'b', datatype: 'BF16', shape: [2], data: Uint16Array.from([0x4049, 0xbf80]) })!;
  assert.deepEqual(b.first, ['3.140625', '-1']);
  assert.equal(b.mean, (3.140625 - 1) / 2);
});

test('a 64 MiB output is summarised in a few KB', () => {
  const values = new Float32Array(16 * 1024 * 1024);
  for (let i = 0; i < values.length; i += 4096) values[i] = i % 7;
  const started = performance.now();
  const summary = summarizeResult({ modelName: 'm', modelVersion: '1', outputs: [{ name: 'big', datatype: 'FP32', shape: [4096, 4096], data: values }] });
  const ms = performance.now() - started;
  const size = JSON.stringify(summary).length;
  assert.ok(size < 4096, `summary is ${size} bytes`);
  const view = summary.outputs[0]!;
  assert.equal(view.kind, 'numeric');
  if (view.kind === 'numeric') {
    assert.equal(view.count, values.length);
    assert.equal(view.max, '6');
    assert.equal(view.first.length, 32);
  }
  assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
});

test('BOOL outputs read as true/false with 0/1 statistics', () => {
  const s = summarizeNumeric({ name: 'b', datatype: 'BOOL', shape: [3], data: [true, false, true] } as OutputTensor)!;
  assert.deepEqual(s.first, ['true', 'false', 'true']);
  assert.equal(s.min, 'false');
  assert.equal(s.max, 'true');
  assert.equal(s.mean, 2 / 3);
});
