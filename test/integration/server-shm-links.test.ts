// The reference server opens /dev/shm regions the way shm_open does: a planted symbolic link is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpRequest } from '../support/httpRequest';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

const int32 = (xs: number[]): Buffer => {
  const b = Buffer.alloc(xs.length * 4);
  xs.forEach((x, i) => b.writeInt32LE(x, i * 4));
  return b;
};
const range16 = Array.from({ length: 16 }, (_, i) => i);

describe('reference server shared memory behind symbolic links', () => {
  let server: ReferenceServer;
  let dir: string;
  const url = (p: string): string => server.httpUrl + p;

  before(async () => {
    server = await startReferenceServer();
    dir = mkdtempSync(join(tmpdir(), 'tw-shm-link-'));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to register a key that is a symbolic link, and to use a region later swapped for one', async () => {
    const victim = join(dir, 'victim.bin');
    const original = Buffer.concat([int32(range16), int32(range16), Buffer.alloc(128)]);
    writeFileSync(victim, original);
    const key = `/reference_link_${process.pid}`;
    const file = join('/dev/shm', key.slice(1));
    symlinkSync(victim, file);
    try {
      const reg = await httpRequest(url('/v2/systemsharedmemory/region/linked/register'), { body: { key, offset: 0, byte_size: 256 } });
      assert.equal(reg.status, 500, reg.body.toString());
      assert.deepEqual(reg.json, { error: `Unable to open shared memory region: '${key}'` });

      // A region registered while it was a plain file, then replaced by a link before inference.
      unlinkSync(file);
      writeFileSync(file, original);
      assert.equal((await httpRequest(url('/v2/systemsharedmemory/region/swapped/register'), { body: { key, offset: 0, byte_size: 256 } })).status, 200);
      unlinkSync(file);
      symlinkSync(victim, file);
      const shm = (offset: number): object => ({ shared_memory_region: 'swapped', shared_memory_byte_size: 64, shared_memory_offset: offset });
      const res = await httpRequest(url('/v2/models/simple/infer'), { body: {
        inputs: [{ name: 'INPUT0', shape: [1, 16], datatype: 'INT32', parameters: shm(0) }, { name: 'INPUT1', shape: [1, 16], datatype: 'INT32', parameters: shm(64) }],
        outputs: [{ name: 'OUTPUT0', parameters: shm(128) }, { name: 'OUTPUT1', parameters: shm(192) }],
      } });
      assert.equal(res.status, 500, res.body.toString());
      assert.deepEqual(res.json, { error: `Unable to open shared memory region: '${key}'` });
      assert.deepEqual(readFileSync(victim), original, 'nothing was written through the link');
    } finally {
      await httpRequest(url('/v2/systemsharedmemory/unregister'), { body: '' });
      rmSync(file, { force: true });
    }
  });
});
