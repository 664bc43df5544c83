import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBytesElements } from '../../../src/triton/bytesCodec';
import { TritonError } from '../../../src/triton/errors';
import {
  createSharedMemoryRegion, destroySharedMemoryRegion, getSharedMemoryTensor, readSharedMemory,
  setSharedMemoryTensors, validateShmKey, writeSharedMemory,
} from '../../../src/triton/sharedMemory';

const hasDevShm = existsSync('/dev/shm');
const key = (): string => `/triton_wb_test_${process.pid}_${Math.random().toString(36).slice(2)}`;

test('shm keys: one leading slash, no other slash, no "..", bounded length', () => {
  validateShmKey('/input_simple');
  for (const bad of ['input', '/', '/a/b', '/..', '/a..b', `/${'x'.repeat(256)}`, '/triton_python_backend_shm_region_1', '/a\0b']) {
    assert.throws(() => validateShmKey(bad), (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument', JSON.stringify(bad));
  }
});

test('a region is a real /dev/shm object: tensors written back to back, read back, destroyed', { skip: hasDevShm ? false : 'this system has no /dev/shm' }, async () => {
  const k = key();
  const region = await createSharedMemoryRegion(k, 128);
  try {
    assert.equal(region.path, `/dev/shm${k}`);
    assert.equal(statSync(region.path).size, 128);
    const placed = await setSharedMemoryTensors(region, [
      { datatype: 'INT32', shape: [4], data: [1, 2, 3, -4] },
      { datatype: 'BYTES', shape: [2], data: ['ab', 'c'] },
    ], 8);
    assert.deepEqual(placed, [{ offset: 8, byteSize: 16 }, { offset: 24, byteSize: 11 }]);
    // What another process (the server) would see in the file.
    const file = readFileSync(region.path);
    assert.deepEqual([...file.subarray(8, 24)], [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xfc, 0xff, 0xff, 0xff]);
    assert.deepEqual(file.subarray(24, 35), encodeBytesElements(['ab', 'c']));
    assert.deepEqual(await getSharedMemoryTensor(region, 'INT32', [2, 2], 8), Int32Array.of(1, 2, 3, -4));
    const strings = (await getSharedMemoryTensor(region, 'BYTES', [2], 24)) as Uint8Array[];
    assert.deepEqual(strings.map((s) => Buffer.from(s).toString()), ['ab', 'c']);
    await writeSharedMemory(region, Buffer.from([9, 9]), 126);
    assert.deepEqual([...await readSharedMemory(region, 126, 2)], [9, 9]);
  } finally {
    await destroySharedMemoryRegion(region);
  }
  assert.equal(existsSync(`/dev/shm${k}`), false);
});

test('tensors and bytes are read into a caller-supplied array, which is returned and reused', { skip: hasDevShm ? false : 'this system has no /dev/shm' }, async () => {
  const region = await createSharedMemoryRegion(key(), 64);
  try {
    await setSharedMemoryTensors(region, [{ datatype: 'FP32', shape: [4], data: Float32Array.of(1.5, -2, 3.25, 1e30) }], 16);
    // A view at a non-zero offset of a larger buffer: the bytes land in the view, nothing around it.
    const backing = new Float32Array(8).fill(7);
    const into = backing.subarray(2, 6);
    const got = await getSharedMemoryTensor(region, 'FP32', [2, 2], 16, { into });
    assert.equal(got, into, 'the supplied array itself comes back');
    assert.deepEqual([...backing], [7, 7, 1.5, -2, 3.25, 1e30, 7, 7].map((v) => Math.fround(v)));
    await setSharedMemoryTensors(region, [{ datatype: 'FP32', shape: [4], data: [9, 8, 7, 6] }], 16);
    await getSharedMemoryTensor(region, 'FP32', [4], 16, { into });
    assert.deepEqual([...into], [9, 8, 7, 6], 'a second read overwrites the same array');
    await setSharedMemoryTensors(region, [{ datatype: 'INT64', shape: [2], data: [-1n, 2n ** 40n] }], 40);
    const big = new BigInt64Array(2);
    assert.deepEqual(await getSharedMemoryTensor(region, 'INT64', [2], 40, { into: big }), BigInt64Array.of(-1n, 2n ** 40n));
    const raw = Buffer.alloc(4);
    assert.equal(await readSharedMemory(region, 16, 4, raw), raw);
    assert.deepEqual(raw, Buffer.from(Float32Array.of(9).buffer));
  } finally {
    await destroySharedMemoryRegion(region);
  }
});

test('reading into an array of the wrong size or kind is a clear error that leaves the array alone', { skip: hasDevShm ? false : 'this system has no /dev/shm' }, async () => {
  const region = await createSharedMemoryRegion(key(), 64);
  try {
    await writeSharedMemory(region, new Uint8Array(64).fill(1));
    const bad = (pattern: RegExp) => (e: unknown): boolean => e instanceof TritonError && e.kind === 'invalid-argument' && pattern.test(e.message);
    const short = new Float32Array(3);
    await assert.rejects(getSharedMemoryTensor(region, 'FP32', [4], 0, { into: short }), bad(/has 3 element\(s\) but the shape needs 4/));
    assert.deepEqual([...short], [0, 0, 0]);
    await assert.rejects(getSharedMemoryTensor(region, 'FP32', [4], 0, { into: new Int32Array(4) }), bad(/needs a Float32Array, got Int32Array/));
    await assert.rejects(getSharedMemoryTensor(region, 'BYTES', [1], 0, { into: new Uint8Array(4) }), bad(/BYTES values are not a typed array/));
    await assert.rejects(getSharedMemoryTensor(region, 'BOOL', [4], 0, { into: new Uint8Array(4) }), bad(/BOOL values are not a typed array/));
    await assert.rejects(readSharedMemory(region, 0, 8, new Uint8Array(9)), bad(/holds 9 byte\(s\), not 8/));
    // The range is checked against the region before the target: a read past its end says so.
    await assert.rejects(getSharedMemoryTensor(region, 'FP64', [16], 0, { into: new Float64Array(16) }), bad(/do not fit/));
  } finally {
    await destroySharedMemoryRegion(region);
  }
});

test('out-of-range access, createOnly on an existing key and a lying BYTES prefix are clear errors', { skip: hasDevShm ? false : 'this system has no /dev/shm' }, async () => {
  const k = key();
  const region = await createSharedMemoryRegion(k, 16, { createOnly: true });
  try {
    await assert.rejects(createSharedMemoryRegion(k, 16, { createOnly: true }), (e: unknown) => e instanceof TritonError && /cannot create/.test(e.message));
    const reused = await createSharedMemoryRegion(k, 32);
    assert.equal(reused.created, false);
    assert.equal(statSync(region.path).size, 32, 'reusing a smaller object grows it');
    await destroySharedMemoryRegion(reused);
    assert.ok(existsSync(region.path), 'a handle that did not create the object leaves it in place');
    await assert.rejects(writeSharedMemory(region, new Uint8Array(4), 14), (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument');
    await assert.rejects(readSharedMemory(region, -1, 1), TritonError);
    await assert.rejects(setSharedMemoryTensors(region, [{ datatype: 'FP64', shape: [3], data: [1, 2, 3] }]), (e: unknown) => e instanceof TritonError && /do not fit/.test(e.message));
    await writeSharedMemory(region, Buffer.from([200, 0, 0, 0, 1]), 0);
    await assert.rejects(getSharedMemoryTensor(region, 'BYTES', [1], 0), (e: unknown) => e instanceof TritonError && e.kind === 'protocol' && /claims 200/.test(e.message));
  } finally {
    await destroySharedMemoryRegion(region);
  }
});

test('a symbolic link or a non-file planted at the key is refused, and the link target is left untouched', { skip: hasDevShm ? false : 'this system has no /dev/shm' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-shm-victim-'));
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  const k = key();
  const planted = `/dev/shm${k}`;
  symlinkSync(victim, planted);
  try {
    for (const createOnly of [false, true]) {
      await assert.rejects(createSharedMemoryRegion(k, 16, { createOnly }), (e: unknown) => {
        assert.ok(e instanceof TritonError, String(e));
        assert.equal(e.kind, 'invalid-argument');
        assert.ok(e.message.includes(`'${k}'`), e.message);
        if (!createOnly) assert.match(e.message, /symbolic link/);
        return true;
      });
    }
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(statSync(victim).size, 8, 'the target was not grown either');
    unlinkSync(planted);
    mkdirSync(planted);
    const notAFile = (e: unknown): boolean => e instanceof TritonError && e.kind === 'invalid-argument' && /not a regular file/.test(e.message);
    await assert.rejects(createSharedMemoryRegion(k, 16), notAFile);
    rmSync(planted, { recursive: true });
    const fifo = spawnSync('mkfifo', [planted]);
    if (fifo.status === 0) await assert.rejects(createSharedMemoryRegion(k, 16), notAFile);
    rmSync(planted, { force: true });
    if (process.getuid?.() === 0) {
      // Only root can hand a file to another user; that user could read whatever tensors went into it.
      writeFileSync(planted, Buffer.alloc(16));
      chownSync(planted, 65534, 65534);
      await assert.rejects(createSharedMemoryRegion(k, 16), (e: unknown) => e instanceof TritonError && e.kind === 'invalid-argument' && /belongs to user 65534/.test(e.message));
    }
  } finally {
    rmSync(planted, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
