// Many calls in flight on one client (answers must reach their own callers), and a client that
// outlives a server restart: calls fail clearly while it is down and work again once it is back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferInput, InferResult } from '../../../src/triton/types';
import { httpRequest } from '../../support/httpRequest';
import { REFERENCE_ONLY, TEST_TIMEOUT_MS, TRANSPORTS, useSuiteServer } from '../support/clientSuite';

function inputsFor(k: number): InferInput[] {
  return [
    { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: Int32Array.from({ length: 16 }, (_, i) => k * 100 + i) },
    { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: Int32Array.from({ length: 16 }, () => k) },
  ];
}

function sumOf(result: InferResult): number[] {
  return Array.from(result.outputs.find((o) => o.name === 'OUTPUT0')!.data as Int32Array);
}

/** Repeats `call` until it fails (the server went down), then until it succeeds again; both phases bounded. */
async function acrossOutage<T>(call: () => Promise<T>, limitMs: number): Promise<{ value: T; failures: unknown[] }> {
  const failures: unknown[] = [];
  const end = Date.now() + limitMs;
  // A short back-off keeps both loops from spinning; each call has its own deadline besides.
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));
  while (failures.length === 0) {
    if (Date.now() > end) throw new Error(`the server did not go down within ${limitMs} ms`);
    await call().catch((error: unknown) => failures.push(error));
    await pause();
  }
  for (;;) {
    try {
      return { value: await call(), failures };
    } catch (error) {
      failures.push(error);
      if (Date.now() > end) throw new Error(`still failing after ${limitMs} ms: ${String(error)}`, { cause: error });
      await pause();
    }
  }
}

describe('client resilience', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  const server = useSuiteServer();

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      let cached: TritonClient | undefined;
      const client = (): TritonClient => (cached ??= server().client(transport, { concurrency: 4 }));

      it('answers 64 concurrent requests, each with its own result', async () => {
        const results = await Promise.all(Array.from({ length: 64 }, (_, k) => client().infer('simple', inputsFor(k), undefined, { requestId: `c${k}` })));
        results.forEach((result, k) => {
          assert.equal(result.id, `c${k}`);
          assert.deepEqual(sumOf(result), Array.from({ length: 16 }, (_, i) => k * 100 + i + k));
        });
      });

      it('works again after the server restarts its listeners', { skip: REFERENCE_ONLY }, async () => {
        assert.deepEqual(sumOf(await client().infer('simple', inputsFor(1))), Array.from({ length: 16 }, (_, i) => 100 + i + 1));
        const answer = await httpRequest(`${server().httpUrl}/__control/restart`, { body: { delay_ms: 500 }, timeoutMs: 10_000 });
        assert.equal(answer.status, 200);
        const { value, failures } = await acrossOutage(() => client().infer('simple', inputsFor(2), undefined, { deadlineMs: 5_000 }), 20_000);
        assert.deepEqual(sumOf(value), Array.from({ length: 16 }, (_, i) => 200 + i + 2));
        assert.ok(failures.length > 0);
        for (const failure of failures) {
          assert.equal((failure as { kind?: string }).kind, 'unavailable', `unclear failure during the restart: ${String(failure)}`);
        }
        assert.equal(await client().isServerLive(), true);
      });
    });
  }
});
