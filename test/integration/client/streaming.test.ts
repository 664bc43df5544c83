// Decoupled streaming with repeat_int32: many responses per request and the final flag over a gRPC
// stream, in-stream errors that leave the stream usable, cancel/deadline/failure ending iteration;
// over HTTP the same model through generate_stream (server-sent events).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferInput, InferResult, InferStream, StreamResponse } from '../../../src/triton/types';
import { expectTritonError, fault, REFERENCE_ONLY, requireModel, TEST_TIMEOUT_MS, useSuiteServer, within } from '../support/clientSuite';

const STREAM_WAIT_MS = 20_000;

function repeatInputs(values: number[], delays: number[], waitMs: number): InferInput[] {
  return [
    { name: 'IN', datatype: 'INT32', shape: [values.length], data: Int32Array.from(values) },
    { name: 'DELAY', datatype: 'UINT32', shape: [delays.length], data: Uint32Array.from(delays) },
    { name: 'WAIT', datatype: 'UINT32', shape: [1], data: Uint32Array.of(waitMs) },
  ];
}

function scalar(result: InferResult, name: string): number {
  const out = result.outputs.find((o) => o.name === name);
  assert.ok(out?.data, `output ${name} missing`);
  return Number((out.data as ArrayLike<number>)[0]);
}

function isFinal(item: StreamResponse): boolean {
  return item.result !== undefined && item.final;
}

function requestIdOf(item: StreamResponse): string | undefined {
  return item.error !== undefined ? item.requestId : item.result.id;
}

/** Reads until `done` says enough, bounded in time. */
async function collect(stream: InferStream, done: (seen: StreamResponse[]) => boolean): Promise<StreamResponse[]> {
  const seen: StreamResponse[] = [];
  const iterator = stream[Symbol.asyncIterator]();
  await within((async () => {
    while (!done(seen)) {
      const next = await iterator.next();
      if (next.done) break;
      seen.push(next.value);
    }
  })(), STREAM_WAIT_MS, 'reading the stream');
  return seen;
}

/** Drains the stream to its end (after end()), bounded in time. */
async function drain(stream: InferStream): Promise<StreamResponse[]> {
  const seen: StreamResponse[] = [];
  await within((async () => {
    for await (const item of stream) seen.push(item);
  })(), STREAM_WAIT_MS, 'draining the stream');
  return seen;
}

describe('client streaming', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  const server = useSuiteServer();

  describe('grpc', () => {
    let cached: TritonClient | undefined;
    const client = (): TritonClient => (cached ??= server().client('grpc'));

    it('delivers one response per input element, then an empty final response', async (t) => {
      if (!(await requireModel(t, client(), 'repeat_int32'))) return;
      const values = [4, -2, 0, 2 ** 31 - 1, 7];
      const stream = client().streamInfer();
      stream.send({ model: 'repeat_int32', inputs: repeatInputs(values, [0, 5, 0, 5, 0], 10), options: { requestId: 'r1', enableEmptyFinalResponse: true } });
      stream.end();
      const seen = await drain(stream);
      const errors = seen.filter((s) => s.error !== undefined);
      assert.deepEqual(errors, []);
      const results = seen.map((s) => s.result!);
      assert.equal(results.length, values.length + 1);
      const data = results.slice(0, -1);
      assert.deepEqual(data.map((r) => scalar(r, 'OUT')), values);
      assert.deepEqual(data.map((r) => scalar(r, 'IDX')), values.map((_, i) => i));
      assert.ok(data.every((r) => r.id === 'r1'));
      assert.deepEqual(seen.map(isFinal), [...values.map(() => false), true]);
      assert.deepEqual(results.at(-1)!.outputs, []);
    });

    it('holds back a fast producer for a slow reader without losing responses', async (t) => {
      if (!(await requireModel(t, client(), 'repeat_int32'))) return;
      const count = 600;
      const values = Array.from({ length: count }, (_, i) => i * 7 - 1000);
      const stream = client().streamInfer();
      stream.send({ model: 'repeat_int32', inputs: repeatInputs(values, values.map(() => 0), 0), options: { requestId: 'many', enableEmptyFinalResponse: true } });
      stream.end();
      const got: number[] = [];
      let finals = 0;
      await within((async () => {
        for await (const item of stream) {
          assert.equal(item.error, undefined);
          if (isFinal(item)) finals++;
          else got.push(scalar(item.result!, 'OUT'));
          // Yield to the event loop between reads, so responses pile up past the stream's buffer mark.
          if (got.length % 4 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        }
      })(), STREAM_WAIT_MS, 'reading 600 responses');
      assert.deepEqual(got, values);
      assert.equal(finals, 1);
    });

    it('interleaves two requests on one stream, told apart by request id', async (t) => {
      if (!(await requireModel(t, client(), 'repeat_int32'))) return;
      const stream = client().streamInfer();
      stream.send({ model: 'repeat_int32', inputs: repeatInputs([1, 2, 3], [100, 100, 100], 0), options: { requestId: 'slow', enableEmptyFinalResponse: true } });
      stream.send({ model: 'repeat_int32', inputs: repeatInputs([10, 20], [0, 0], 0), options: { requestId: 'fast', enableEmptyFinalResponse: true } });
      stream.end();
      const seen = await drain(stream);
      const byId = (id: string): number[] => seen.filter((s) => s.result?.id === id && !isFinal(s)).map((s) => scalar(s.result!, 'OUT'));
      assert.deepEqual(byId('slow'), [1, 2, 3]);
      assert.deepEqual(byId('fast'), [10, 20]);
      assert.equal(seen.filter(isFinal).length, 2);
      // The fast request finished while the slow one was still producing.
      const fastFinal = seen.findIndex((s) => isFinal(s) && s.result?.id === 'fast');
      const slowLast = seen.findIndex((s) => s.result?.id === 'slow' && scalar(s.result, 'OUT') === 3);
      assert.ok(fastFinal < slowLast, 'responses were not delivered as they were produced');
    });

    it('reports a bad request in-band and keeps the stream usable', async (t) => {
      if (!(await requireModel(t, client(), 'repeat_int32'))) return;
      const stream = client().streamInfer();
      stream.send({ model: 'wrong_model_name', inputs: repeatInputs([1], [0], 0), options: { requestId: 'bad-model' } });
      const first = await collect(stream, (s) => s.length >= 1);
      assert.equal(first[0]!.error?.kind, 'server');
      assert.equal(requestIdOf(first[0]!), 'bad-model');
      assert.match(first[0]!.error!.message, /unknown model/);
      stream.send({ model: 'repeat_int32', inputs: repeatInputs([1, 2], [0], 0), options: { requestId: 'bad-delay' } });
      stream.send({ model: 'repeat_int32', inputs: repeatInputs([5], [0], 0), options: { requestId: 'good', enableEmptyFinalResponse: true } });
      stream.end();
      const rest = await drain(stream);
      const bad = rest.find((s) => s.error !== undefined && requestIdOf(s) === 'bad-delay');
      assert.ok(bad?.error, `no error for the mismatched DELAY: ${JSON.stringify(rest.map((s) => s.error?.message ?? s.result?.id))}`);
      assert.match(bad.error.message, /DELAY|same number/);
      const good = rest.filter((s) => s.result?.id === 'good');
      assert.deepEqual(good.map((s) => (isFinal(s) ? 'final' : scalar(s.result!, 'OUT'))), [5, 'final']);
    });

    it('refuses a reserved triton_ parameter in-band', async (t) => {
      if (!(await requireModel(t, client(), 'repeat_int32'))) return;
      const stream = client().streamInfer();
      let refusedLocally = false;
      try {
        stream.send({ model: 'repeat_int32', inputs: repeatInputs([1], [0], 0), options: { requestId: 'reserved', parameters: { triton_x: 1 } } });
      } catch (error) {
        refusedLocally = true;
        assert.equal((error as { kind?: string }).kind, 'invalid-argument');
      }
      stream.end();
      const seen = await drain(stream);
      if (!refusedLocally) assert.match(seen[0]?.error?.message ?? '', /reserved/);
    });

    it('cancel() ends iteration with cancelled, while the server is still producing', async (t) => {
      if (!(await requireModel(t, client(), 'repeat_int32'))) return;
      const stream = client().streamInfer();
      stream.send({ model: 'repeat_int32', inputs: repeatInputs([1, 2, 3], [0, 10_000, 10_000], 0), options: { requestId: 'c' } });
      const iterator = stream[Symbol.asyncIterator]();
      const first = await within(iterator.next(), STREAM_WAIT_MS, 'the first response');
      assert.equal(scalar(first.value!.result!, 'OUT'), 1);
      const pending = iterator.next();
      stream.cancel();
      await expectTritonError(within(pending, 5_000, 'iteration after cancel'), 'cancelled');
      assert.throws(() => stream.send({ model: 'repeat_int32', inputs: repeatInputs([1], [0], 0) }), (error: { kind?: string }) => error.kind === 'cancelled');
    });

    it('an AbortSignal and a deadline end the stream', async (t) => {
      if (!(await requireModel(t, client(), 'repeat_int32'))) return;
      const controller = new AbortController();
      const aborted = client().streamInfer({ signal: controller.signal });
      aborted.send({ model: 'repeat_int32', inputs: repeatInputs([1], [10_000], 0), options: { requestId: 'a' } });
      setTimeout(() => controller.abort(), 100);
      await expectTritonError(drain(aborted), 'cancelled');

      const started = Date.now();
      const timed = client().streamInfer({ deadlineMs: 1_000 });
      timed.send({ model: 'repeat_int32', inputs: repeatInputs([1, 2], [0, 10_000], 0), options: { requestId: 'd' } });
      const seen: StreamResponse[] = [];
      await expectTritonError(within((async () => {
        for await (const item of timed) seen.push(item);
      })(), STREAM_WAIT_MS, 'the timed stream'), 'deadline');
      assert.equal(seen.length, 1, 'the response before the deadline was lost');
      assert.ok(Date.now() - started < 8_000);
    });

    it('a stream refused by the server ends iteration with its status', { skip: REFERENCE_ONLY }, async () => {
      const stream = client().streamInfer(fault('status=14'));
      stream.send({ model: 'repeat_int32', inputs: repeatInputs([1], [0], 0), options: { requestId: 'x' } });
      await expectTritonError(drain(stream), 'unavailable', /injected fault/);
    });

    it('a dropped stream is a clear error, not a hang', { skip: REFERENCE_ONLY }, async () => {
      const stream = client().streamInfer(fault('drop'));
      stream.send({ model: 'repeat_int32', inputs: repeatInputs([1], [0], 0), options: { requestId: 'x' } });
      const error = await expectTritonError(drain(stream), 'server');
      assert.match(error.message, /RST_STREAM|stream/);
    });
  });

  describe('http', () => {
    let cached: TritonClient | undefined;
    const client = (): TritonClient => (cached ??= server().client('http'));

    it('streams repeat_int32 responses as server-sent events', { skip: REFERENCE_ONLY }, async () => {
      const events: Record<string, unknown>[] = [];
      await within((async () => {
        for await (const event of client().generateStream('repeat_int32', { IN: [3, 1, 4], DELAY: [0, 5, 0], WAIT: 0 })) events.push(event);
      })(), STREAM_WAIT_MS, 'the event stream');
      assert.deepEqual(events.map((e) => e.OUT), [3, 1, 4]);
      assert.deepEqual(events.map((e) => e.IDX), [0, 1, 2]);
      assert.ok(events.every((e) => e.model_name === 'repeat_int32'));
    });

    it('an error in the event stream is thrown with the server message', { skip: REFERENCE_ONLY }, async () => {
      const read = async (): Promise<void> => {
        for await (const event of client().generateStream('repeat_int32', { IN: [1, 2], DELAY: [0], WAIT: 0 })) assert.fail(`unexpected event ${JSON.stringify(event)}`);
      };
      await expectTritonError(within(read(), STREAM_WAIT_MS, 'the failing stream'), 'server', /same number/);
    });

    it('generate answers a single-response model, and refuses a decoupled one', { skip: REFERENCE_ONLY }, async () => {
      const answer = await client().generate('identity_fp32', { INPUT0: [1.5, 2] });
      assert.deepEqual(answer.OUTPUT0, [1.5, 2]);
      await expectTritonError(client().generate('repeat_int32', { IN: [1, 2], DELAY: [0, 0], WAIT: 0 }), 'invalid-argument', /generate stream/);
    });

    it('cancelling the event stream with an AbortSignal', { skip: REFERENCE_ONLY }, async () => {
      const controller = new AbortController();
      const seen: unknown[] = [];
      const read = async (): Promise<void> => {
        for await (const event of client().generateStream('repeat_int32', { IN: [1, 2], DELAY: [0, 10_000], WAIT: 0 }, { signal: controller.signal })) {
          seen.push(event);
          controller.abort();
        }
      };
      await expectTritonError(within(read(), STREAM_WAIT_MS, 'the cancelled stream'), 'cancelled');
      assert.equal(seen.length, 1);
    });
  });
});
