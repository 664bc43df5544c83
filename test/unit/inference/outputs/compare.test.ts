import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResults, compareSummaries } from '../../../../src/inference/outputs/compare';
import { summarizeResult } from '../../../../src/inference/outputs/resultSummary';
import type { InferResult } from '../../../../src/triton/types';

function result(model: string, version: string, outputs: InferResult['outputs']): InferResult {
  return { modelName: model, modelVersion: version, outputs };
}

test('same input on two versions: max abs difference and where, over every element', () => {
  const a = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  const b = Float32Array.from(a);
  b[123] = b[123]! + 0.25;
  b[500] = b[500]! - 0.125;
  const expected = Math.max(...[...a].map((v, i) => Math.abs(v - b[i]!)));
  const c = compareResults(result('m', '1', [{ name: 'y', datatype: 'FP32', shape: [1000], data: a }]), result('m', '2', [{ name: 'y', datatype: 'FP32', shape: [1000], data: b }]));
  const y = c.outputs[0]!;
  assert.equal(y.datatypeEqual && y.shapeEqual, true);
  assert.equal(y.maxAbsDiff, expected);
  assert.equal(y.maxAbsDiffAt, 123);
  assert.equal(y.compared, 1000);
  assert.equal(y.complete, true);
  assert.equal(c.same, false);
  assert.deepEqual([c.a, c.b], [{ model: 'm', version: '1' }, { model: 'm', version: '2' }]);
});

test('outputs missing on one side, different shapes or datatypes are reported; identical results are the same', () => {
  const a = result('a', '1', [
    { name: 'x', datatype: 'INT32', shape: [2], data: Int32Array.from([1, 2]) },
    { name: 'only_a', datatype: 'FP32', shape: [1], data: Float32Array.from([0]) },
  ]);
  const b = result('b', '1', [{ name: 'x', datatype: 'INT64', shape: [1, 2], data: BigInt64Array.from([1n, 2n]) }]);
  const c = compareResults(a, b);
  const x = c.outputs.find((o) => o.name === 'x')!;
  assert.deepEqual([x.datatypeEqual, x.shapeEqual, x.maxAbsDiff], [false, false, undefined]);
  const onlyA = c.outputs.find((o) => o.name === 'only_a')!;
  assert.deepEqual([onlyA.inA, onlyA.inB], [true, false]);
  assert.equal(compareResults(a, a).same, true);
});

test('64-bit integers differ exactly; NaN on one side is counted apart; BYTES count differing elements', () => {
  const c = compareResults(
    result('m', '1', [
      { name: 'i', datatype: 'INT64', shape: [2], data: BigInt64Array.from([2n ** 62n + 1n, 0n]) },
      { name: 'f', datatype: 'FP64', shape: [3], data: Float64Array.from([NaN, NaN, 1]) },
      { name: 's', datatype: 'BYTES', shape: [3], data: [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')] },
    ]),
    result('m', '2', [
      { name: 'i', datatype: 'INT64', shape: [2], data: BigInt64Array.from([2n ** 62n, 0n]) },
      { name: 'f', datatype: 'FP64', shape: [3], data: Float64Array.from([NaN, 5, 1]) },
      { name: 's', datatype: 'BYTES', shape: [3], data: [Buffer.from('a'), Buffer.from('B'), Buffer.from('C')] },
    ]),
  );
  assert.equal(c.outputs[0]!.maxAbsDiff, 1);
  assert.equal(c.outputs[1]!.maxAbsDiff, 0);
  assert.equal(c.outputs[1]!.nanMismatches, 1);
  assert.equal(c.outputs[2]!.differentElements, 2);
});

test('top-k agreement per batch entry: top-1 and the classes in common', () => {
  const c = compareResults(
    result('v1', '1', [{ name: 'p', datatype: 'BYTES', shape: [2, 3], data: [], classification: [
      { score: 9, index: 4, label: 'cat' }, { score: 5, index: 1 }, { score: 1, index: 7 },
      { score: 3, index: 2 }, { score: 2, index: 0 }, { score: 1, index: 9 },
    ] }]),
    result('v2', '1', [{ name: 'p', datatype: 'BYTES', shape: [2, 3], data: [], classification: [
      { score: 8, index: 4, label: 'cat' }, { score: 6, index: 7 }, { score: 2, index: 3 },
      { score: 3, index: 0 }, { score: 2, index: 2 }, { score: 1, index: 9 },
    ] }]),
  );
  assert.deepEqual(c.outputs[0]!.topK, [
    { batch: 0, top1Same: true, common: 2, k: 3 },
    { batch: 1, top1Same: false, common: 3, k: 3 },
  ]);
});

test('summaries compare the values they kept and say the comparison is incomplete', () => {
  const a = Float32Array.from({ length: 100 }, (_, i) => i);
  const b = Float32Array.from(a);
  b[3] = 10;
  b[90] = 1000; // beyond the kept values
  const sa = summarizeResult(result('m', '1', [{ name: 'y', datatype: 'FP32', shape: [100], data: a }]), { firstCount: 16 });
  const sb = summarizeResult(result('m', '2', [{ name: 'y', datatype: 'FP32', shape: [100], data: b }]), { firstCount: 16 });
  const c = compareSummaries(JSON.parse(JSON.stringify(sa)) as typeof sa, JSON.parse(JSON.stringify(sb)) as typeof sb);
  const y = c.outputs[0]!;
  assert.equal(y.maxAbsDiff, 7);
  assert.equal(y.compared, 16);
  assert.equal(y.complete, false);
});
