// The reference models and the inference core: add/sub, identity, sequences, repeat, colours, classification.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../../server/backends';
import type { ExecRequest } from '../../server/backends';
import { classify } from '../../server/classification';
import { colorLabels, colorScores, COLORS, meanColor } from '../../server/colorClassifier';
import { parseConfigText } from '../../server/configSchema';
import { fromNumbers, joinBytes, splitBytes, toNumbers } from '../../server/tensor';
import type { Tensor } from '../../server/tensor';

const cfg = (text: string): Record<string, unknown> => parseConfigText(text);
const req = (...tensors: Tensor[]): ExecRequest => ({ inputs: new Map(tensors.map((t) => [t.name, t])), parameters: {} });
const SIMPLE = 'max_batch_size: 8 input [ { name: "INPUT0" data_type: TYPE_INT32 dims: [16] }, { name: "INPUT1" data_type: TYPE_INT32 dims: [16] } ] output [ { name: "OUTPUT0" data_type: TYPE_INT32 dims: [16] }, { name: "OUTPUT1" data_type: TYPE_INT32 dims: [16] } ]';

describe('reference models', () => {
  it('addsub adds and subtracts INT32, wraps INT8 and computes on decimal strings', () => {
    const m = BACKENDS['addsub']!(cfg(SIMPLE), '');
    const [sum, diff] = m.execute!(req(fromNumbers('INPUT0', 'INT32', [1, 3], [1, 2, 3]), fromNumbers('INPUT1', 'INT32', [1, 3], [10, 20, 30])));
    assert.deepEqual(toNumbers(sum!), [11, 22, 33]);
    assert.deepEqual(toNumbers(diff!), [-9, -18, -27]);
    const int8 = BACKENDS['addsub']!(cfg(SIMPLE.replace(/TYPE_INT32/g, 'TYPE_INT8')), '');
    assert.deepEqual(toNumbers(int8.execute!(req(fromNumbers('INPUT0', 'INT8', [2], [100, -100]), fromNumbers('INPUT1', 'INT8', [2], [100, 100])))[0]!), [-56, 0]);
    const str = BACKENDS['addsub']!(cfg(SIMPLE.replace(/TYPE_INT32/g, 'TYPE_STRING')), '');
    const s = (xs: string[]): Buffer => joinBytes(xs.map((x) => Buffer.from(x)));
    const out = str.execute!(req({ name: 'INPUT0', datatype: 'BYTES', shape: [2], data: s(['5', '-7']) }, { name: 'INPUT1', datatype: 'BYTES', shape: [2], data: s(['1', '3']) }));
    assert.deepEqual(splitBytes(out[0]!.data)!.map(String), ['6', '-4']);
    assert.deepEqual(splitBytes(out[1]!.data)!.map(String), ['4', '-10']);
    assert.throws(() => str.execute!(req({ name: 'INPUT0', datatype: 'BYTES', shape: [1], data: s(['x']) }, { name: 'INPUT1', datatype: 'BYTES', shape: [1], data: s(['1']) })), /unable to convert 'x'/);
  });

  it('sequence adds START, accumulates when asked, and adds the correlation id on END', () => {
    const plain = BACKENDS['sequence']!(cfg('input { name: "INPUT" data_type: TYPE_INT32 dims: [1] } output { name: "OUTPUT" data_type: TYPE_INT32 dims: [1] }'), '');
    const state = new Map<string, unknown>();
    const run = (v: number, start: boolean, end = false, extra: Tensor[] = [], id: bigint | string = 1000n, m = plain): number => {
      const r = req(fromNumbers('INPUT', 'INT32', [1, 1], [v]), ...extra);
      r.sequence = { correlationId: id, start, end, state };
      return Number(toNumbers(m.execute!(r)[0]!)[0]);
    };
    assert.deepEqual([run(0, true), run(11, false), run(7, false)], [1, 11, 7]);
    assert.equal(run(5, false, true, [fromNumbers('CORRID', 'UINT64', [1, 1], [1000n])]), 1005);
    const acc = BACKENDS['sequence']!(cfg('input { name: "INPUT" data_type: TYPE_INT32 dims: [1] } output { name: "OUTPUT" data_type: TYPE_INT32 dims: [1] } parameters { key: "accumulate" value { string_value: "true" } }'), '');
    assert.deepEqual([run(1, true, false, [], '7', acc), run(2, false, false, [], '7', acc), run(3, false, true, [fromNumbers('CORRID', 'INT32', [1], [0])], '7', acc)], [1, 3, 13]);
  });

  it('repeat streams one response per element and can be cancelled', async () => {
    const m = BACKENDS['repeat']!(cfg('output [ { name: "OUT" data_type: TYPE_INT32 dims: [1] }, { name: "IDX" data_type: TYPE_UINT32 dims: [1] } ]'), '');
    const inputs = req(fromNumbers('IN', 'INT32', [3], [4, 5, 6]), fromNumbers('DELAY', 'UINT32', [3], [0, 0, 0]), fromNumbers('WAIT', 'UINT32', [1], [0]));
    const got: Array<[number, number]> = [];
    for await (const r of m.stream!(inputs, new AbortController().signal)) got.push([Number(toNumbers(r[0]!)[0]), Number(toNumbers(r[1]!)[0])]);
    assert.deepEqual(got, [[4, 0], [5, 1], [6, 2]]);
    const abort = new AbortController();
    const slow = req(fromNumbers('IN', 'INT32', [1], [1]), fromNumbers('DELAY', 'UINT32', [1], [60_000]), fromNumbers('WAIT', 'UINT32', [1], [0]));
    const pending = m.stream!(slow, abort.signal).next();
    abort.abort();
    await assert.rejects(pending, /cancelled/);
  });

  it('color classifier: mean colour undoes INCEPTION scaling and ranks the nearest named colour first', () => {
    const plane = 4;
    const image = [...Array(plane).fill(20 / 127.5 - 1), ...Array(plane).fill(40 / 127.5 - 1), ...Array(plane).fill(230 / 127.5 - 1)];
    const mean = meanColor(image, 2, 2);
    assert.ok(Math.abs(mean[0] - 20) < 1e-9 && Math.abs(mean[2] - 230) < 1e-9);
    const scores = colorScores(mean);
    assert.equal(scores.length, 1000);
    assert.equal(COLORS[scores.indexOf(Math.max(...scores))]![0], 'blue');
    assert.deepEqual(meanColor([255, 255, 0, 0, 0, 0], 1, 2), [255, 0, 0]);
    assert.equal(colorLabels().split('\n')[0], 'red');
  });

  it('classification formats values like std::to_string and adds labels', () => {
    const t = fromNumbers('P', 'FP32', [2, 3], [0.5, 3.3, 1, 7, 8, 9]);
    const r = classify(t, 2, true, ['a', 'b', '']);
    assert.deepEqual(r.shape, [2, 2]);
    assert.deepEqual(splitBytes(r.data)!.map(String), ['3.300000:1:b', '1.000000:2', '9.000000:2', '8.000000:1:b']);
    assert.deepEqual(splitBytes(classify(fromNumbers('I', 'INT64', [3], [5n, 100n, 7n]), 10, false, undefined).data)!.map(String), ['100:1', '7:2', '5:0']);
    assert.throws(() => classify({ name: 'S', datatype: 'BYTES', shape: [1], data: joinBytes([Buffer.from('x')]) }, 1, false, undefined), /unsupported type 'BYTES'/);
  });
});
