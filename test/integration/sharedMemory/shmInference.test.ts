// Inference with tensors through system shared memory against the reference server, over HTTP and
// gRPC: answers equal the socket's, the bytes that skipped the socket are counted, and nothing stays
// registered or in /dev/shm afterwards, also when the call fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { bytesToStrings } from '../../../src/triton/bytesCodec';
import { RegionLedger } from '../../../src/services/sharedMemory/regionLedger';
import { inferThroughSharedMemory } from '../../../src/services/sharedMemory/shmInference';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';
import { fileRecordStore } from './fileRecordStore';

const ours = (): string[] => readdirSync('/dev/shm').filter((f) => f.startsWith('triton_workbench_')).sort();
const IN0 = Int32Array.from({ length: 16 }, (_, i) => i);
const IN1 = Int32Array.from({ length: 16 }, (_, i) => 3 * i - 7);

describe('inference through system shared memory', { timeout: 120_000 }, () => {
  let server: ReferenceServer;
  let dir: string;
  const before0 = ours();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tw-shm-infer-'));
    server = await startReferenceServer();
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(ours(), before0, 'nothing of ours is left in /dev/shm');
  });

  for (const protocol of ['http', 'grpc'] as const) {
    describe(protocol, () => {
      let client: TritonClient;
      let ledger: RegionLedger;
      before(() => {
        client = createTritonClient({ url: protocol === 'http' ? server.httpUrl : server.grpcUrl, protocol, deadlineMs: 10_000 });
        ledger = new RegionLedger(fileRecordStore(join(dir, `${protocol}.json`)));
      });
      after(() => client.close());

      it('simple: inputs and outputs through shared memory give the socket answer', async () => {
        const inputs = [
          { name: 'INPUT0', datatype: 'INT32' as const, shape: [1, 16], data: IN0 },
          { name: 'INPUT1', datatype: 'INT32' as const, shape: [1, 16], data: IN1 },
        ];
        const outputShapes = [{ name: 'OUTPUT0', datatype: 'INT32' as const, shape: [1, 16] }, { name: 'OUTPUT1', datatype: 'INT32' as const, shape: [1, 16] }];
        const outcome = await inferThroughSharedMemory({ client, serverId: 'ref', ledger }, { model: 'simple', inputs, outputs: [], outputShapes }, { inputs: true, outputs: true });
        const byName = new Map(outcome.result.outputs.map((o) => [o.name, Array.from(o.data as Int32Array)]));
        assert.deepEqual(byName.get('OUTPUT0'), Array.from(IN0, (v, i) => v + IN1[i]!));
        assert.deepEqual(byName.get('OUTPUT1'), Array.from(IN0, (v, i) => v - IN1[i]!));
        assert.equal(outcome.bytesViaShm, 4 * 64);
        assert.deepEqual(outcome.notes, []);
        assert.deepEqual(await client.systemSharedMemoryStatus(), []);
        assert.deepEqual(ledger.all(), []);
        assert.deepEqual(ours(), before0);
      });

      it('only inputs: outputs come over the socket', async () => {
        const inputs = [
          { name: 'INPUT0', datatype: 'INT32' as const, shape: [1, 16], data: IN0 },
          { name: 'INPUT1', datatype: 'INT32' as const, shape: [1, 16], data: IN1 },
        ];
        const outcome = await inferThroughSharedMemory({ client, serverId: 'ref', ledger }, { model: 'simple', inputs, outputs: [{ name: 'OUTPUT0' }], outputShapes: [] }, { inputs: true, outputs: false });
        assert.deepEqual(Array.from(outcome.result.outputs[0]!.data as Int32Array), Array.from(IN0, (v, i) => v + IN1[i]!));
        assert.equal(outcome.bytesViaShm, 2 * 64);
      });

      it('BYTES inputs through shared memory; a BYTES output has no size before the call and stays on the socket', async () => {
        const inputs = [
          { name: 'INPUT0', datatype: 'BYTES' as const, shape: [1, 16], data: Array.from(IN0, String) },
          { name: 'INPUT1', datatype: 'BYTES' as const, shape: [1, 16], data: Array.from(IN1, String) },
        ];
        const outputShapes = [{ name: 'OUTPUT0', datatype: 'BYTES' as const, shape: [1, 16] }];
        const outcome = await inferThroughSharedMemory({ client, serverId: 'ref', ledger }, { model: 'simple_string', inputs, outputs: [{ name: 'OUTPUT0' }], outputShapes }, { inputs: true, outputs: true });
        assert.deepEqual(bytesToStrings(outcome.result.outputs[0]!.data as Uint8Array[]), Array.from(IN0, (v, i) => String(v + IN1[i]!)));
        assert.match(outcome.notes.join('\n'), /output 'OUTPUT0' \(BYTES \[1,16\]\) has no size known before the call: it comes over the socket/);
      });

      it('a failed call leaves nothing registered, recorded or in /dev/shm', async () => {
        const inputs = [{ name: 'INPUT0', datatype: 'INT32' as const, shape: [1, 8], data: new Int32Array(8) }, { name: 'INPUT1', datatype: 'INT32' as const, shape: [1, 8], data: new Int32Array(8) }];
        await assert.rejects(inferThroughSharedMemory({ client, serverId: 'ref', ledger }, { model: 'simple', inputs, outputs: [], outputShapes: [{ name: 'OUTPUT0', datatype: 'INT32', shape: [1, 16] }] }, { inputs: true, outputs: true }), /unexpected shape for input 'INPUT[01]'/); // gRPC names the last wrong input, as Triton does
        assert.deepEqual(await client.systemSharedMemoryStatus(), []);
        assert.deepEqual(ledger.all(), []);
        assert.deepEqual(ours(), before0);
      });
    });
  }
});
