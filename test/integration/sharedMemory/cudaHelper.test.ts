// The CUDA helper process: on a machine without CUDA every call says so plainly; with CUDA, a region
// is allocated, written, and read back by a second process through its IPC handle (as Triton opens it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CUDA_UNAVAILABLE, CudaHelper } from '../../../src/services/sharedMemory/cudaHelper';

const SCRIPT = join(__dirname, '..', '..', '..', 'src', 'cuda', 'cuda-helper.py');

describe('CUDA helper', { timeout: 60_000 }, () => {
  let helper: CudaHelper;
  let unavailable: string | undefined;

  before(async () => {
    helper = new CudaHelper(SCRIPT);
    unavailable = await helper.probe().then(() => undefined, (e: Error) => e.message);
  });

  after(() => helper.dispose());

  it('without CUDA, every call says "CUDA not available on this machine" and why', async (t) => {
    if (unavailable === undefined) return t.skip('CUDA is available here');
    assert.match(unavailable, new RegExp(`^${CUDA_UNAVAILABLE}: .+`));
    await assert.rejects(helper.create(1024, 0), (e: Error) => e.message === unavailable);
    const noPython = new CudaHelper(SCRIPT, '/nonexistent/python3');
    await assert.rejects(noPython.probe(), /CUDA not available on this machine: \/nonexistent\/python3 was not found \(the CUDA helper runs on Python's ctypes\)/);
    noPython.dispose();
  });

  it('refuses bad sizes and devices before calling CUDA', async () => {
    await assert.rejects(helper.create(0, 0), /size 0 must be a whole number of bytes > 0/);
    await assert.rejects(helper.create(64, -1), /device id -1 must be a whole number ≥ 0/);
  });

  it('allocates, writes, exports an IPC handle that a second process opens and reads back', async (t) => {
    if (unavailable !== undefined) return t.skip(CUDA_UNAVAILABLE);
    const size = 1 << 20;
    const region = await helper.create(size, 0);
    assert.equal(Buffer.from(region.handle, 'base64').length, 64);
    const pattern = Buffer.alloc(size);
    for (let i = 0; i < size; i++) pattern[i] = (i * 31 + 7) & 0xff;
    await helper.write(region.allocation, 0, pattern);
    assert.deepEqual(await helper.read(region.allocation, 4096, 16), pattern.subarray(4096, 4112));
    const reader = new CudaHelper(SCRIPT);
    try {
      const opened = await reader.open(region.handle, 0, size);
      const back = await reader.read(opened, 0, size);
      assert.ok(back.equals(pattern), 'the second process reads the bytes the first one wrote');
      await reader.free(opened);
    } finally {
      reader.dispose();
    }
    await assert.rejects(helper.read(region.allocation, size - 8, 16), /16 bytes at offset \d+ do not fit the 1048576-byte allocation/);
    await helper.free(region.allocation);
  });
});
