// Model control over both transports: unload/load and the index states they leave, load with a
// config override (and override files), and the failures Triton reports for bad loads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TritonClient } from '../../../src/triton/clientTypes';
import type { InferInput } from '../../../src/triton/types';
import { expectTritonError, REFERENCE_ONLY, TEST_TIMEOUT_MS, TRANSPORTS, useSuiteServer } from '../support/clientSuite';

function simpleInputs(batch: number): InferInput[] {
  const data = Int32Array.from({ length: 16 * batch }, (_, i) => i);
  return [
    { name: 'INPUT0', datatype: 'INT32', shape: [batch, 16], data },
    { name: 'INPUT1', datatype: 'INT32', shape: [batch, 16], data },
  ];
}

// These tests unload and reload models, which an operator would not want done to their own server.
describe('client model control', { timeout: TEST_TIMEOUT_MS * 4, skip: REFERENCE_ONLY }, () => {
  const server = useSuiteServer();

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      let cached: TritonClient | undefined;
      const client = (): TritonClient => (cached ??= server().client(transport));
      const entry = async (name: string): Promise<{ state?: string; reason?: string } | undefined> =>
        (await client().repositoryIndex()).find((e) => e.name === name);

      it('unload makes a model unavailable (reason "unloaded"); load brings it back', async () => {
        assert.equal(await client().isModelReady('simple_int8'), true);
        await client().unloadModel('simple_int8');
        assert.equal(await client().isModelReady('simple_int8'), false);
        assert.deepEqual(await entry('simple_int8'), { name: 'simple_int8', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });
        assert.ok(!(await client().repositoryIndex({ ready: true })).some((e) => e.name === 'simple_int8'));
        await expectTritonError(client().infer('simple_int8', [
          { name: 'INPUT0', datatype: 'INT8', shape: [1, 16], data: new Int8Array(16) },
          { name: 'INPUT1', datatype: 'INT8', shape: [1, 16], data: new Int8Array(16) },
        ]), 'not-found', /has no available versions/);
        // Unloading again is not an error.
        await client().unloadModel('simple_int8', { unloadDependents: true });
        await client().loadModel('simple_int8');
        assert.equal(await client().isModelReady('simple_int8'), true);
        assert.equal((await entry('simple_int8'))?.state, 'READY');
        const result = await client().infer('simple_int8', [
          { name: 'INPUT0', datatype: 'INT8', shape: [1, 16], data: Int8Array.from({ length: 16 }, (_, i) => i) },
          { name: 'INPUT1', datatype: 'INT8', shape: [1, 16], data: Int8Array.from({ length: 16 }, () => 1) },
        ]);
        assert.deepEqual(Array.from(result.outputs.find((o) => o.name === 'OUTPUT0')!.data as Int8Array), Array.from({ length: 16 }, (_, i) => i + 1));
      });

      it('loads with a config override, which the served config then shows; a plain load restores it', async () => {
        const original = await client().modelConfig('simple');
        assert.equal(original.max_batch_size, 8);
        await expectTritonError(client().infer('simple', simpleInputs(12)), 'invalid-argument', /batch/);
        try {
          await client().loadModel('simple', { config: { ...original, max_batch_size: 16 } });
          assert.equal((await client().modelConfig('simple')).max_batch_size, 16);
          const result = await client().infer('simple', simpleInputs(12));
          assert.deepEqual(result.outputs[0]!.shape, [12, 16]);
          // The override may also be given as JSON text.
          await client().loadModel('simple', { config: JSON.stringify({ ...original, max_batch_size: 4 }) });
          assert.equal((await client().modelConfig('simple')).max_batch_size, 4);
        } finally {
          await client().loadModel('simple');
        }
        assert.equal((await client().modelConfig('simple')).max_batch_size, 8);
      });

      it('loads a new model from override files', async () => {
        const config = { ...(await client().modelConfig('simple')), name: `simple_files_${transport}` };
        await client().loadModel(`simple_files_${transport}`, { config, files: { '1/weights.bin': Uint8Array.of(1, 2, 3) } });
        try {
          assert.equal(await client().isModelReady(`simple_files_${transport}`), true);
          const result = await client().infer(`simple_files_${transport}`, simpleInputs(1));
          assert.equal(result.modelName, `simple_files_${transport}`);
        } finally {
          await client().unloadModel(`simple_files_${transport}`);
        }
        await expectTritonError(client().loadModel('simple', { files: { '1/x': new Uint8Array(1) } }), 'invalid-argument', /needs a config|config/);
      });

      it('reports failed loads with the server reason and keeps serving', async () => {
        await expectTritonError(client().loadModel('wrong_model_name'), 'server', /failed to load 'wrong_model_name'/);
        await expectTritonError(client().loadModel('simple', { config: '{"max_batch_size": 16,' }), 'server', /failed to load/);
        const broken = await expectTritonError(client().loadModel('broken_config'), 'invalid-argument', /load failed for model 'broken_config'/);
        assert.ok(broken.serverMessage?.includes('UNAVAILABLE'), broken.message);
        assert.equal((await entry('broken_config'))?.state, 'UNAVAILABLE');
        await expectTritonError(client().loadModel('simple', {
          config: await client().modelConfig('simple'),
          files: { [`1/${'x'.repeat(256)}`]: Uint8Array.of(1) },
        }), 'server', /failed to poll from model repository/);
        assert.equal(await client().isServerLive(), true);
        assert.equal(await client().isModelReady('simple'), true);
      });
    });
  }
});
