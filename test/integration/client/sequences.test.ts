// Sequences over both transports, checked the way Triton's sequence examples check them:
// simple_sequence (OUTPUT = INPUT + START), simple_dyna_sequence (plus the correlation id on END),
// simple_string_dyna_sequence (running sum since START, plus int(id) on END, string ids).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferOptions, InferResult } from '../../../src/triton/types';
import { expectTritonError, requireModel, TEST_TIMEOUT_MS, TRANSPORTS, useSuiteServer } from '../support/clientSuite';

const VALUES = [0, 11, 7, 5, 3, 2, 0, 1];

function outputValue(result: InferResult): number {
  const out = result.outputs.find((o) => o.name === 'OUTPUT');
  assert.ok(out?.data, 'OUTPUT missing');
  assert.deepEqual(out.shape, [1, 1]);
  return Number((out.data as Int32Array)[0]);
}

function step(client: TritonClient, model: string, value: number, sequenceId: InferOptions['sequenceId'], index: number, count: number): Promise<InferResult> {
  return client.infer(model, [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1], data: Int32Array.of(value) }], undefined, {
    sequenceId, sequenceStart: index === 0, sequenceEnd: index === count - 1,
  });
}

/** Runs several sequences with their requests interleaved, one request at a time; outputs per sequence. */
async function interleaved(client: TritonClient, model: string, sequences: { id: InferOptions['sequenceId']; values: number[] }[]): Promise<number[][]> {
  const outputs = sequences.map(() => [] as number[]);
  const longest = Math.max(...sequences.map((s) => s.values.length));
  for (let i = 0; i < longest; i++) {
    for (const [k, seq] of sequences.entries()) {
      if (i >= seq.values.length) continue;
      outputs[k]!.push(outputValue(await step(client, model, seq.values[i]!, seq.id, i, seq.values.length)));
    }
  }
  return outputs;
}

describe('client sequences', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  const server = useSuiteServer();

  TRANSPORTS.forEach((transport, t) => {
    describe(transport, () => {
      let cached: TritonClient | undefined;
      const client = (): TritonClient => (cached ??= server().client(transport));
      // Distinct ids per transport, so a leftover sequence of one cannot meet the other.
      const base = 1000 + 100 * t;

      it('simple_sequence: two interleaved sequences give INPUT + START', async (ctx) => {
        if (!(await requireModel(ctx, client(), 'simple_sequence'))) return;
        const negated = VALUES.map((v) => -v);
        const [a, b] = await interleaved(client(), 'simple_sequence', [{ id: base, values: VALUES }, { id: base + 1, values: negated }]);
        assert.deepEqual(a, [1, 11, 7, 5, 3, 2, 0, 1]);
        assert.deepEqual(b, [1, -11, -7, -5, -3, -2, 0, -1]);
      });

      it('simple_dyna_sequence: INPUT + START, plus the correlation id on the END request', async (ctx) => {
        if (!(await requireModel(ctx, client(), 'simple_dyna_sequence'))) return;
        const idA = base + 10;
        const idB = BigInt(base + 11);
        const [a, b] = await interleaved(client(), 'simple_dyna_sequence', [{ id: idA, values: VALUES }, { id: idB, values: VALUES.map((v) => -v) }]);
        assert.deepEqual(a, [1, 11, 7, 5, 3, 2, 0, 1 + idA]);
        assert.deepEqual(b, [1, -11, -7, -5, -3, -2, 0, -1 + Number(idB)]);
      });

      it('simple_string_dyna_sequence: running sums with string correlation ids', async (ctx) => {
        if (!(await requireModel(ctx, client(), 'simple_string_dyna_sequence'))) return;
        const idA = String(base + 20);
        const idB = String(base + 21);
        const [a, b] = await interleaved(client(), 'simple_string_dyna_sequence', [{ id: idA, values: VALUES }, { id: idB, values: [5, 5, 5] }]);
        const sums = VALUES.map((_, i) => VALUES.slice(0, i + 1).reduce((x, y) => x + y, 0));
        sums[sums.length - 1]! += Number(idA);
        assert.deepEqual(a, sums);
        assert.deepEqual(b, [5, 10, 15 + Number(idB)]);
      });

      it('a sequence restarted with START begins again', async (ctx) => {
        if (!(await requireModel(ctx, client(), 'simple_string_dyna_sequence'))) return;
        const id = `restart-${transport}`;
        const run = async (): Promise<number[]> => {
          const out: number[] = [];
          for (let i = 0; i < 3; i++) out.push(outputValue(await step(client(), 'simple_string_dyna_sequence', 4, id, i, 3)));
          return out;
        };
        assert.deepEqual(await run(), [4, 8, 12]);
        assert.deepEqual(await run(), [4, 8, 12]);
      });

      it('a request for a sequence that was never started is refused', async (ctx) => {
        if (!(await requireModel(ctx, client(), 'simple_sequence'))) return;
        await expectTritonError(client().infer('simple_sequence', [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1], data: Int32Array.of(1) }], undefined, {
          sequenceId: base + 99,
        }), 'invalid-argument', /START/);
      });
    });
  });
});
