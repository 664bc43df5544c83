// System shared memory over both transports with real /dev/shm objects: register, infer with inputs
// and outputs in shared memory, read outputs back, status, unregister; clear errors for wrong keys and
// out-of-range offsets; CUDA shared memory answered the way a CPU-only Triton answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TritonClient } from '../../../src/triton/clientTypes';
import {
  createSharedMemoryRegion, destroySharedMemoryRegion, getSharedMemoryTensor, setSharedMemoryTensors, writeSharedMemory,
} from '../../../src/triton/sharedMemory';
import type { SharedMemoryRegionHandle } from '../../../src/triton/sharedMemory';
import type { InferInput, InferResult, RequestedOutput } from '../../../src/triton/types';
import { EXTERNAL, expectTritonError, REFERENCE_ONLY, TEST_TIMEOUT_MS, TRANSPORTS, useSuiteServer } from '../support/clientSuite';

const IN0 = Int32Array.from({ length: 16 }, (_, i) => i);
const IN1 = Int32Array.from({ length: 16 }, (_, i) => 100 - i);
const SUM = Array.from(IN0, (v, i) => v + IN1[i]!);
const DIFF = Array.from(IN0, (v, i) => v - IN1[i]!);
const TENSOR_BYTES = 64;

describe('client system shared memory', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  const server = useSuiteServer();

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      let cached: TritonClient | undefined;
      const client = (): TritonClient => (cached ??= server().client(transport));
      const tag = `tw_it_${process.pid}_${transport}`;

      /** Creates the objects, runs `body`, then unregisters and removes them whatever happened. */
      async function withRegions(sizes: Record<string, number>, body: (regions: Record<string, SharedMemoryRegionHandle>) => Promise<void>): Promise<void> {
        const regions: Record<string, SharedMemoryRegionHandle> = {};
        try {
          for (const [name, size] of Object.entries(sizes)) regions[name] = await createSharedMemoryRegion(`/${tag}_${name}`, size, { createOnly: true });
          await body(regions);
        } finally {
          for (const name of Object.keys(sizes)) await client().unregisterSystemSharedMemory(`${tag}_${name}`).catch(() => undefined);
          for (const region of Object.values(regions)) await destroySharedMemoryRegion(region);
        }
      }

      /** Registers a region; on servers that refuse client shared memory the test is skipped. */
      async function register(t: { skip(message: string): void }, name: string, region: SharedMemoryRegionHandle, byteSize: number, offset?: number): Promise<boolean> {
        try {
          await client().registerSystemSharedMemory(`${tag}_${name}`, region.key, byteSize, offset);
          return true;
        } catch (error) {
          if (EXTERNAL && (error as { kind?: string }).kind === 'unsupported') {
            t.skip('the server refuses client shared memory (start it with --allow-client-shm=true)');
            return false;
          }
          throw error;
        }
      }

      const shmInputs = (offset0: number, offset1: number): InferInput[] => [
        { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], sharedMemory: { region: `${tag}_in`, byteSize: TENSOR_BYTES, offset: offset0 } },
        { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], sharedMemory: { region: `${tag}_in`, byteSize: TENSOR_BYTES, offset: offset1 } },
      ];
      const shmOutputs: RequestedOutput[] = [
        { name: 'OUTPUT0', sharedMemory: { region: `${tag}_out`, byteSize: TENSOR_BYTES } },
        { name: 'OUTPUT1', sharedMemory: { region: `${tag}_out`, byteSize: TENSOR_BYTES, offset: TENSOR_BYTES } },
      ];

      async function readOutputs(result: InferResult, out: SharedMemoryRegionHandle, base = 0): Promise<[number[], number[]]> {
        const got: number[][] = [];
        for (const name of ['OUTPUT0', 'OUTPUT1']) {
          const tensor = result.outputs.find((o) => o.name === name);
          assert.ok(tensor, `${name} missing`);
          assert.equal(tensor.data, undefined, `${name} came back inline although it went to shared memory`);
          assert.ok(tensor.sharedMemory, `${name} does not say where it was written`);
          assert.deepEqual(tensor.shape, [1, 16]);
          const values = await getSharedMemoryTensor(out, 'INT32', tensor.shape, base + (tensor.sharedMemory.offset ?? 0));
          got.push(Array.from(values as Int32Array));
        }
        return [got[0]!, got[1]!];
      }

      it('infers with inputs and outputs in shared memory and reads the outputs back', async (t) => {
        await withRegions({ in: 2 * TENSOR_BYTES, out: 2 * TENSOR_BYTES }, async ({ in: input, out }) => {
          const placed = await setSharedMemoryTensors(input!, [
            { datatype: 'INT32', shape: [1, 16], data: IN0 }, { datatype: 'INT32', shape: [1, 16], data: IN1 },
          ]);
          assert.deepEqual(placed, [{ offset: 0, byteSize: TENSOR_BYTES }, { offset: TENSOR_BYTES, byteSize: TENSOR_BYTES }]);
          if (!(await register(t, 'in', input!, 2 * TENSOR_BYTES))) return;
          await register(t, 'out', out!, 2 * TENSOR_BYTES);

          const status = await client().systemSharedMemoryStatus();
          const mine = status.filter((s) => s.name.startsWith(tag)).map((s) => [s.name, s.key, Number(s.offset), Number(s.byte_size)]).sort();
          assert.deepEqual(mine, [[`${tag}_in`, `/${tag}_in`, 0, 128], [`${tag}_out`, `/${tag}_out`, 0, 128]]);
          const one = await client().systemSharedMemoryStatus(`${tag}_out`);
          assert.deepEqual(one.map((s) => s.name), [`${tag}_out`]);

          const result = await client().infer('simple', shmInputs(0, TENSOR_BYTES), shmOutputs);
          assert.deepEqual(await readOutputs(result, out!), [SUM, DIFF]);

          // Inputs from shared memory, outputs inline; then the same request objects with inline data.
          const inline = await client().infer('simple', shmInputs(0, TENSOR_BYTES));
          assert.deepEqual(Array.from(inline.outputs.find((o) => o.name === 'OUTPUT0')!.data as Int32Array), SUM);
          const swapped = await client().infer('simple', shmInputs(TENSOR_BYTES, 0), shmOutputs);
          assert.deepEqual((await readOutputs(swapped, out!))[1], DIFF.map((v) => -v));

          await client().unregisterSystemSharedMemory(`${tag}_in`);
          assert.deepEqual((await client().systemSharedMemoryStatus()).filter((s) => s.name.startsWith(tag)).map((s) => s.name), [`${tag}_out`]);
          await expectTritonError(client().infer('simple', shmInputs(0, TENSOR_BYTES)), 'not-found', /in/);
        });
      });

      it('carries BYTES tensors through shared memory (simple_string)', async (t) => {
        const a = Array.from({ length: 16 }, (_, i) => String(i * 11));
        const b = Array.from({ length: 16 }, () => '-3');
        const outSize = 1024;
        await withRegions({ in: 1024, out: 2 * outSize }, async ({ in: input, out }) => {
          const placed = await setSharedMemoryTensors(input!, [{ datatype: 'BYTES', shape: [1, 16], data: a }, { datatype: 'BYTES', shape: [1, 16], data: b }]);
          if (!(await register(t, 'in', input!, 1024))) return;
          await register(t, 'out', out!, 2 * outSize);
          const result = await client().infer('simple_string', [
            { name: 'INPUT0', datatype: 'BYTES', shape: [1, 16], sharedMemory: { region: `${tag}_in`, ...placed[0]! } },
            { name: 'INPUT1', datatype: 'BYTES', shape: [1, 16], sharedMemory: { region: `${tag}_in`, ...placed[1]! } },
          ], [
            { name: 'OUTPUT0', sharedMemory: { region: `${tag}_out`, byteSize: outSize } },
            { name: 'OUTPUT1', sharedMemory: { region: `${tag}_out`, byteSize: outSize, offset: outSize } },
          ]);
          const read = async (name: string, offset: number): Promise<number[]> => {
            const tensor = result.outputs.find((o) => o.name === name);
            assert.ok(tensor?.sharedMemory, `${name} does not say where it was written`);
            const values = await getSharedMemoryTensor(out!, 'BYTES', tensor.shape, offset);
            return (values as Uint8Array[]).map((v) => Number(Buffer.from(v).toString('utf8')));
          };
          assert.deepEqual(await read('OUTPUT0', 0), a.map((v) => Number(v) - 3));
          assert.deepEqual(await read('OUTPUT1', outSize), a.map((v) => Number(v) + 3));
        });
      });

      it('uses a region registered at an offset inside a larger object', async (t) => {
        const at = 4096;
        await withRegions({ in: at + 2 * TENSOR_BYTES, out: at + 2 * TENSOR_BYTES }, async ({ in: input, out }) => {
          await setSharedMemoryTensors(input!, [{ datatype: 'INT32', shape: [1, 16], data: IN0 }, { datatype: 'INT32', shape: [1, 16], data: IN1 }], at);
          if (!(await register(t, 'in', input!, 2 * TENSOR_BYTES, at))) return;
          await register(t, 'out', out!, 2 * TENSOR_BYTES, at);
          const status = await client().systemSharedMemoryStatus(`${tag}_in`);
          assert.equal(Number(status[0]!.offset), at);
          const result = await client().infer('simple', shmInputs(0, TENSOR_BYTES), shmOutputs);
          assert.deepEqual(await readOutputs(result, out!, at), [SUM, DIFF]);
        });
      });

      it('gives clear errors for a wrong key, a duplicate name, out-of-range offsets and unknown regions', async (t) => {
        await withRegions({ in: 2 * TENSOR_BYTES, out: TENSOR_BYTES }, async ({ in: input }) => {
          await expectTritonError(client().registerSystemSharedMemory(`${tag}_missing`, `/${tag}_no_such_object`, 64), 'server', /Unable to open shared memory region/);
          await expectTritonError(client().registerSystemSharedMemory(`${tag}_big`, input!.key, 4 * TENSOR_BYTES), 'invalid-argument', /invalid args/);
          if (!(await register(t, 'in', input!, 2 * TENSOR_BYTES))) return;
          await expectTritonError(client().registerSystemSharedMemory(`${tag}_in`, input!.key, TENSOR_BYTES), 'invalid-argument', /already in manager/);
          await expectTritonError(client().infer('simple', shmInputs(0, 2 * TENSOR_BYTES)), 'invalid-argument', /Invalid offset/);
          await expectTritonError(client().infer('simple', shmInputs(0, TENSOR_BYTES + 4)), 'invalid-argument', /offset \+ byte size/);
          await expectTritonError(client().infer('simple', [
            { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], sharedMemory: { region: `${tag}_in`, byteSize: 60 } },
            shmInputs(0, TENSOR_BYTES)[1]!,
          ]), 'invalid-argument', /byte size|INPUT0/);
          await expectTritonError(client().infer('simple', shmInputs(0, TENSOR_BYTES), [{ name: 'OUTPUT0', sharedMemory: { region: `${tag}_nowhere`, byteSize: TENSOR_BYTES } }]), 'not-found', /nowhere/);
          await expectTritonError(client().systemSharedMemoryStatus(`${tag}_nowhere`), 'not-found', /Unable to find system shared memory region/);
          // Unregistering a name that is not registered is not an error (Triton answers OK).
          await client().unregisterSystemSharedMemory(`${tag}_nowhere`);
        });
      });

      it('refuses bad keys and out-of-range writes locally, before touching the server', async () => {
        await expectTritonError(createSharedMemoryRegion('no_slash', 64), 'invalid-argument', /must start with/);
        await expectTritonError(createSharedMemoryRegion('/a/b', 64), 'invalid-argument', /'\/'/);
        await withRegions({ small: 16 }, async ({ small }) => {
          await expectTritonError(writeSharedMemory(small!, new Uint8Array(8), 12), 'invalid-argument', /do not fit/);
          await expectTritonError(getSharedMemoryTensor(small!, 'INT32', [8]), 'invalid-argument', /do not fit/);
        });
        assert.equal(existsSync(`/dev/shm/${tag}_small`), false, 'the object was not removed');
      });

      it('unregisters every system region at once', { skip: REFERENCE_ONLY }, async (t) => {
        await withRegions({ a: 64, b: 64 }, async ({ a, b }) => {
          await register(t, 'a', a!, 64);
          await register(t, 'b', b!, 64);
          assert.equal((await client().systemSharedMemoryStatus()).filter((s) => s.name.startsWith(tag)).length, 2);
          await client().unregisterSystemSharedMemory();
          assert.deepEqual(await client().systemSharedMemoryStatus(), []);
        });
      });

      it('answers CUDA shared memory like a CPU-only Triton', { skip: REFERENCE_ONLY }, async () => {
        assert.deepEqual(await client().cudaSharedMemoryStatus(), []);
        await expectTritonError(client().registerCudaSharedMemory(`${tag}_gpu`, new Uint8Array(64), 0, 64), 'invalid-argument', /GPUs not supported/);
        await expectTritonError(client().cudaSharedMemoryStatus(`${tag}_gpu`), 'not-found', /Unable to find cuda shared memory region/);
        await client().unregisterCudaSharedMemory(`${tag}_gpu`);
        await client().unregisterCudaSharedMemory();
        await withRegions({ sys: 64 }, async ({ sys }) => {
          await client().registerSystemSharedMemory(`${tag}_sys`, sys!.key, 64);
          await expectTritonError(client().cudaSharedMemoryStatus(`${tag}_sys`), 'not-found', /registered as system shared memory/);
        });
      });
    });
  }
});
