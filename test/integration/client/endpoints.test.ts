// The client against a real server over both transports: health, metadata, config, index, infer on
// `simple` / `simple_string`, classification, statistics counting real requests, log and trace settings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { bytesToStrings } from '../../../src/triton/bytesCodec';
import type { InferInput, InferResult, OutputTensor } from '../../../src/triton/types';
import { EXTERNAL, expectTritonError, REFERENCE_ONLY, TEST_TIMEOUT_MS, TRANSPORTS, useSuiteServer } from '../support/clientSuite';

const IN0 = Int32Array.from({ length: 16 }, (_, i) => i);
const IN1 = Int32Array.from({ length: 16 }, () => 1);

function simpleInputs(in1: Int32Array = IN1): InferInput[] {
  return [
    { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: IN0 },
    { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: in1 },
  ];
}

function output(result: InferResult, name: string): OutputTensor {
  const found = result.outputs.find((o) => o.name === name);
  assert.ok(found, `output ${name} missing from ${JSON.stringify(result.outputs.map((o) => o.name))}`);
  return found;
}

function numbers(tensor: OutputTensor): number[] {
  assert.ok(tensor.data !== undefined, `output ${tensor.name} has no data`);
  return Array.from(tensor.data as ArrayLike<number>, Number);
}

function assertSumDiff(result: InferResult, in1: Int32Array = IN1): void {
  assert.equal(result.modelName, 'simple');
  assert.deepEqual(output(result, 'OUTPUT0').shape, [1, 16]);
  assert.equal(output(result, 'OUTPUT0').datatype, 'INT32');
  assert.deepEqual(numbers(output(result, 'OUTPUT0')), Array.from(IN0, (v, i) => v + in1[i]!));
  assert.deepEqual(numbers(output(result, 'OUTPUT1')), Array.from(IN0, (v, i) => v - in1[i]!));
}

describe('client endpoints', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  const server = useSuiteServer();

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      let cached: TritonClient | undefined;
      const client = (): TritonClient => (cached ??= server().client(transport));

      it('reports the server live, ready unless a model failed to load, and simple ready', async () => {
        assert.equal(await client().isServerLive(), true);
        // Strict readiness (tritonserver's default): a model that failed to load (broken_config) makes the server not ready.
        const failed = (await client().repositoryIndex()).some((e) => e.state === 'UNAVAILABLE' && e.reason !== undefined && e.reason !== '' && e.reason !== 'unloaded');
        assert.equal(await client().isServerReady(), !failed);
        assert.equal(await client().isModelReady('simple'), true);
        assert.equal(await client().isModelReady('simple', { version: 1 }), true);
      });

      it('answers false, not an error, for the readiness of an unknown model', async () => {
        // Newer servers answer gRPC ModelReady for unknown models with NOT_FOUND; both forms mean "not ready".
        const ready = await client().isModelReady('wrong_model_name').catch((error: { kind?: string }) => {
          assert.equal(error.kind, 'not-found');
          return false;
        });
        assert.equal(ready, false);
      });

      it('reads server metadata', async () => {
        const meta = await client().serverMetadata();
        assert.equal(meta.name, 'triton');
        assert.match(meta.version, /^\d+\.\d+\.\d+/);
        for (const ext of ['binary_tensor_data', 'model_repository', 'system_shared_memory', 'statistics']) {
          assert.ok(meta.extensions.includes(ext), `extension ${ext} missing from ${meta.extensions.join(' ')}`);
        }
      });

      it('reads model metadata and config of simple', async () => {
        const meta = await client().modelMetadata('simple');
        assert.equal(meta.name, 'simple');
        assert.ok(meta.versions.includes('1'));
        assert.deepEqual(meta.inputs.map((t) => [t.name, t.datatype, t.shape]), [['INPUT0', 'INT32', [-1, 16]], ['INPUT1', 'INT32', [-1, 16]]]);
        assert.deepEqual(meta.outputs.map((t) => t.name).sort(), ['OUTPUT0', 'OUTPUT1']);
        const config = await client().modelConfig('simple');
        assert.equal(config.name, 'simple');
        assert.equal(config.max_batch_size, 8);
        const inputs = config.input as { name: string; data_type: string; dims: number[] }[];
        assert.deepEqual(inputs.map((i) => [i.name, i.data_type, i.dims]), [['INPUT0', 'TYPE_INT32', [16]], ['INPUT1', 'TYPE_INT32', [16]]]);
        const versioned = await client().modelConfig('simple', { version: '1' });
        assert.equal(versioned.name, 'simple');
      });

      it('fails with not-found and the server message for an unknown model', async () => {
        const request = (): Promise<unknown> => client().infer('wrong_model_name', simpleInputs());
        const error = await expectTritonError(request(), 'not-found', /Request for unknown model/);
        assert.match(error.message, /wrong_model_name/);
        await expectTritonError(client().modelMetadata('wrong_model_name'), 'not-found', /Request for unknown model/);
        await expectTritonError(client().modelConfig('wrong_model_name'), 'not-found', /Request for unknown model/);
        await expectTritonError(client().modelMetadata('simple', { version: 7 }), 'not-found', /version 7/);
      });

      it('lists the repository index with states', async () => {
        const index = await client().repositoryIndex();
        const simple = index.find((e) => e.name === 'simple');
        assert.ok(simple, 'simple missing from the index');
        assert.equal(simple.state, 'READY');
        assert.equal(simple.version, '1');
        const readyOnly = await client().repositoryIndex({ ready: true });
        assert.ok(readyOnly.every((e) => e.state === 'READY'), JSON.stringify(readyOnly));
        assert.ok(readyOnly.length <= index.length);
      });

      it('shows a model whose config is broken as UNAVAILABLE with the reason', { skip: REFERENCE_ONLY }, async () => {
        const broken = (await client().repositoryIndex()).find((e) => e.name === 'broken_config');
        assert.ok(broken, 'broken_config missing from the index');
        assert.equal(broken.state, 'UNAVAILABLE');
        assert.ok(broken.reason !== undefined && broken.reason.length > 0, 'no reason given');
        assert.equal(await client().isModelReady('broken_config'), false);
      });

      it('infers simple: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1', async () => {
        const minusOnes = Int32Array.from({ length: 16 }, () => -1);
        assertSumDiff(await client().infer('simple', simpleInputs()));
        assertSumDiff(await client().infer('simple', simpleInputs(minusOnes), undefined, { requestId: 'r-1' }), minusOnes);
        const only1 = await client().infer('simple', simpleInputs(), [{ name: 'OUTPUT1' }]);
        assert.deepEqual(only1.outputs.map((o) => o.name), ['OUTPUT1']);
        assert.deepEqual(numbers(only1.outputs[0]!), Array.from(IN0, (v) => v - 1));
      });

      it('echoes the request id and accepts plain arrays as data', async () => {
        const result = await client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: Array.from(IN0) },
          { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: Array.from(IN1) },
        ], undefined, { requestId: 'my-request-7' });
        assert.equal(result.id, 'my-request-7');
        assertSumDiff(result);
      });

      it('passes infer options through: version, priority, queue timeout, custom parameters and headers', async () => {
        assertSumDiff(await client().infer('simple', simpleInputs(), undefined, { modelVersion: 1 }));
        const result = await client().infer('simple', simpleInputs(), undefined, {
          priority: 1, timeoutMicros: 5_000_000, parameters: { my_flag: true, my_count: 3, my_text: 'x' }, headers: { 'x-request-tag': 'endpoints' },
        });
        assertSumDiff(result);
        await expectTritonError(client().infer('simple', simpleInputs(), undefined, { modelVersion: 3 }), 'not-found', /version 3/);
        await expectTritonError(client().infer('simple', simpleInputs(), undefined, { parameters: { sequence_id: 1 } }), 'invalid-argument', /sequence_id/);
        const stats = await client().modelStatistics('simple', { version: 1 });
        assert.deepEqual(stats.map((s) => [s.name, s.version]), [['simple', '1']]);
      });

      it('infers a batch of two', async () => {
        const a = Int32Array.from({ length: 32 }, (_, i) => i);
        const b = Int32Array.from({ length: 32 }, (_, i) => 2 * i);
        const result = await client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [2, 16], data: a },
          { name: 'INPUT1', datatype: 'INT32', shape: [2, 16], data: b },
        ]);
        assert.deepEqual(output(result, 'OUTPUT0').shape, [2, 16]);
        assert.deepEqual(numbers(output(result, 'OUTPUT0')), Array.from(a, (v, i) => v + b[i]!));
        assert.deepEqual(numbers(output(result, 'OUTPUT1')), Array.from(a, (v, i) => v - b[i]!));
      });

      if (transport === 'http') {
        it('mixes a binary and a JSON output, and runs in all-JSON mode', async () => {
          const mixed = await client().infer('simple', simpleInputs(), [{ name: 'OUTPUT0', binary: true }, { name: 'OUTPUT1', binary: false }]);
          assertSumDiff(mixed);
          const json = await client().infer('simple', simpleInputs(), undefined, { binaryData: false });
          assertSumDiff(json);
          const compressed = await client().infer('simple', simpleInputs(), undefined, { compression: 'gzip', acceptCompression: 'deflate' });
          assertSumDiff(compressed);
        });
      } else {
        it('infers with a gzip-compressed request', async () => {
          assertSumDiff(await client().infer('simple', simpleInputs(), undefined, { compression: 'gzip' }));
        });
      }

      it('adds and subtracts numbers written as strings (simple_string)', async () => {
        const a = Array.from({ length: 16 }, (_, i) => String(i));
        const b = Array.from({ length: 16 }, () => '1');
        const result = await client().infer('simple_string', [
          { name: 'INPUT0', datatype: 'BYTES', shape: [1, 16], data: a },
          { name: 'INPUT1', datatype: 'BYTES', shape: [1, 16], data: b },
        ]);
        const sum = bytesToStrings(output(result, 'OUTPUT0').data as Uint8Array[]).map(Number);
        const diff = bytesToStrings(output(result, 'OUTPUT1').data as Uint8Array[]).map(Number);
        assert.deepEqual(sum, a.map((v) => Number(v) + 1));
        assert.deepEqual(diff, a.map((v) => Number(v) - 1));
      });

      it('returns top-k classification entries', async () => {
        const result = await client().infer('simple', simpleInputs(), [{ name: 'OUTPUT0', classCount: 3 }]);
        const top = output(result, 'OUTPUT0').classification;
        assert.ok(top, 'no classification entries parsed');
        assert.deepEqual(top.map((e) => e.index), [15, 14, 13]);
        assert.deepEqual(top.map((e) => e.score), [16, 15, 14]);
      });

      it('runs many requests with bounded concurrency, outcomes in request order', async () => {
        const requests = Array.from({ length: 24 }, (_, k) => ({
          model: k % 5 === 4 ? 'wrong_model_name' : 'simple',
          inputs: simpleInputs(Int32Array.from({ length: 16 }, () => k)),
        }));
        const outcomes = await client().inferMany(requests, { concurrency: 4 });
        assert.equal(outcomes.length, requests.length);
        outcomes.forEach((outcome, k) => {
          if (k % 5 === 4) {
            assert.equal(outcome.ok, false);
            if (!outcome.ok) assert.equal(outcome.error.kind, 'not-found');
            return;
          }
          assert.ok(outcome.ok, `request ${k} failed: ${outcome.ok ? '' : outcome.error.message}`);
          assert.deepEqual(numbers(output(outcome.result, 'OUTPUT0')), Array.from(IN0, (v) => v + k));
        });
      });

      it('counts real requests in the statistics', async () => {
        const stat = async (): Promise<{ inference: number; execution: number; success: number; fail: number; last: number }> => {
          const stats = await client().modelStatistics('simple');
          assert.equal(stats.length, 1);
          const s = stats[0]!;
          assert.equal(s.name, 'simple');
          assert.equal(s.version, '1');
          return {
            inference: Number(s.inference_count), execution: Number(s.execution_count),
            success: Number(s.inference_stats.success.count), fail: Number(s.inference_stats.fail.count), last: Number(s.last_inference),
          };
        };
        const before = await stat();
        const started = Date.now();
        for (let i = 0; i < 3; i++) await client().infer('simple', simpleInputs());
        // A batch of two counts as two inferences in one execution.
        await client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [2, 16], data: new Int32Array(32) },
          { name: 'INPUT1', datatype: 'INT32', shape: [2, 16], data: new Int32Array(32) },
        ]);
        await expectTritonError(client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: IN0 },
          { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16) },
        ]), 'invalid-argument');
        const after = await stat();
        assert.equal(after.success - before.success, 4);
        assert.equal(after.inference - before.inference, 5);
        assert.equal(after.execution - before.execution, 4);
        assert.ok(after.fail - before.fail <= 1, 'a request refused before execution counted more than once');
        assert.ok(after.last >= started - 5_000, `last_inference ${after.last} is older than the requests`);
        const all = await client().modelStatistics();
        assert.ok(all.some((s) => s.name === 'simple'), 'simple missing from all-model statistics');
        await expectTritonError(client().modelStatistics('wrong_model_name'), 'invalid-argument', /not available/);
      });

      it('reads and changes log settings', async () => {
        const original = await client().getLogSettings();
        assert.equal(typeof original.log_info, 'boolean');
        assert.equal(typeof original.log_verbose_level, 'number');
        try {
          const changed = await client().updateLogSettings({ log_verbose_level: 1, log_warning: !original.log_warning });
          assert.equal(changed.log_verbose_level, 1);
          assert.equal(changed.log_warning, !original.log_warning);
          assert.equal((await client().getLogSettings()).log_verbose_level, 1);
        } finally {
          await client().updateLogSettings({ log_verbose_level: original.log_verbose_level, log_warning: original.log_warning });
        }
        assert.deepEqual(await client().getLogSettings(), original);
      });

      it('reads and changes trace settings, globally and per model', async (t) => {
        let global;
        try {
          global = await client().getTraceSettings();
        } catch (error) {
          // CPU-only Triton builds come without tracing and say so with 'unavailable'. The reference
          // server traces, so there the same kind means a dead connection: a failure, not a skip.
          if (EXTERNAL && (error as { kind?: string }).kind === 'unavailable') return t.skip('the server is built without tracing');
          throw error;
        }
        assert.ok('trace_level' in global && 'trace_rate' in global, JSON.stringify(global));
        const rate = String(global.trace_rate);
        const otherRate = rate === '7' ? '9' : '7';
        const perModel = await client().updateTraceSettings({ trace_rate: otherRate }, 'simple');
        try {
          assert.equal(perModel.trace_rate, otherRate);
          assert.equal((await client().getTraceSettings('simple')).trace_rate, otherRate);
          assert.equal((await client().getTraceSettings()).trace_rate, rate, 'a per-model change leaked into the global settings');
        } finally {
          const cleared = await client().updateTraceSettings({ trace_rate: null }, 'simple');
          assert.equal(cleared.trace_rate, rate);
        }
      });

      it(transport === 'http' ? 'refuses streamInfer as unsupported over HTTP' : 'refuses generate as unsupported over gRPC', async () => {
        if (transport === 'http') {
          assert.throws(() => client().streamInfer(), (error: { kind?: string }) => error.kind === 'unsupported');
        } else {
          await expectTritonError(client().generate('simple', {}), 'unsupported');
        }
      });

      it('rejects calls with cancelled once closed', async () => {
        const own = server().client(transport);
        assert.equal(await own.isServerLive(), true);
        await own.close();
        await expectTritonError(own.isServerLive(), 'cancelled');
      });
    });
  }
});
