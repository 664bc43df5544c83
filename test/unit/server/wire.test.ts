// Wire helpers of the server: RapidJSON-like JSON, tensor JSON conversion, fault specs, /dev/shm regions.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BufferPool, Lease } from '../../server/bufferPool';
import { parseFault, FaultStore } from '../../server/faults';
import { parseJson, stringifyJson } from '../../server/jsonCodec';
import { Logger } from '../../server/logger';
import { SharedMemoryManager } from '../../server/sharedMemory';
import { tensorFromJson, tensorToJson } from '../../server/tensor';

describe('server wire helpers', () => {
  it('parses NaN/Infinity and exact 64-bit integers, and writes them back', () => {
    const v = parseJson('{"a":[NaN,-Infinity,9007199254740993,-9223372036854775808,1.5e3]}') as { a: unknown[] };
    assert.ok(Number.isNaN(v.a[0] as number));
    assert.equal(v.a[2], 9007199254740993n);
    assert.equal(stringifyJson(v), '{"a":[NaN,-Infinity,9007199254740993,-9223372036854775808,1500]}');
    assert.throws(() => parseJson('{"a":1,}'), /Missing a name for object member\. at 7/);
    assert.throws(() => parseJson(''), /The document is empty\. at 0/);
    // RapidJSON: a value cut off inside an object or array is "Invalid value.", at the end of the text.
    assert.throws(() => parseJson('{"inputs": ', true), (e: Error) => e.message === 'Invalid value. at 11');
    assert.throws(() => parseJson('{"inputs": [', true), (e: Error) => e.message === 'Invalid value. at 12');
    assert.throws(() => parseJson('  '), (e: Error) => e.message === 'The document is empty. at 2');
    assert.throws(() => parseJson('['.repeat(1000)), /Nesting too deep/);
    assert.deepEqual(parseJson('{"a":1} trailing', true), { a: 1 });
  });

  it('converts JSON data by datatype with Triton errors', () => {
    const buf = tensorFromJson('X', 'INT64', [2, 2], [[1, 2], [3, 9007199254740993n]]);
    assert.deepEqual(tensorToJson({ name: 'X', datatype: 'INT64', shape: [4], data: buf }), [1, 2, 3, 9007199254740993n]);
    assert.throws(() => tensorFromJson('X', 'FP32', [3], [1, 2]), /Shape does not match true shape of 'data' field/);
    assert.throws(() => tensorFromJson('X', 'FP16', [1], [1]), /receiving FP16 data via JSON is not supported/);
    assert.throws(() => tensorFromJson('X', 'BOOL', [1], [1]), /non-boolean/);
    assert.throws(() => tensorFromJson('X', 'UINT8', [1], [-1]), /non-unsigned-integer/);
    assert.throws(() => tensorFromJson('X', 'BYTES', [1], [5]), /non-string as string/);
    assert.deepEqual(tensorToJson({ name: 'X', datatype: 'UINT8', shape: [1], data: tensorFromJson('X', 'UINT8', [1], [300]) }), [44]);
    assert.equal(tensorFromJson('X', 'FP32', [0], []).length, 0);
  });

  it('parses fault specs and hands out sticky faults the given number of times', () => {
    assert.deepEqual(parseFault('delay=500, drop'), { delayMs: 500, drop: true });
    assert.deepEqual(parseFault('bad-header-length'), { badHeaderLength: -1 });
    assert.deepEqual(parseFault('drop-after=2,status=503'), { dropAfter: 2, status: 503 });
    assert.throws(() => parseFault('explode'), /unknown fault 'explode'/);
    assert.throws(() => parseFault('delay=abc'), /whole number/);
    const store = new FaultStore();
    store.add({ truncate: true }, '/infer', 2);
    assert.equal(store.take('/v2/health/live', undefined), undefined);
    assert.deepEqual(store.take('/v2/models/simple/infer', { delayMs: 1 }), { truncate: true, delayMs: 1 });
    assert.ok(store.take('/v2/models/simple/infer', undefined));
    assert.equal(store.take('/v2/models/simple/infer', undefined), undefined);
  });

  it('registers /dev/shm regions only when key and size fit, and reads/writes at offsets', () => {
    const key = `/reference_unit_${process.pid}`;
    const file = `/dev/shm${key}`;
    writeFileSync(file, Buffer.alloc(64));
    try {
      const shm = new SharedMemoryManager();
      assert.throws(() => shm.register('r', '/reference_missing_key', 0, 8), /Unable to open shared memory region: '\/reference_missing_key'/);
      assert.throws(() => shm.register('r', key, 32, 64), /failed to register shared memory region 'r': invalid args/);
      shm.register('r', key, 16, 48);
      assert.throws(() => shm.register('r', key, 0, 8), /already in manager/);
      shm.write('r', 4, Buffer.from([1, 2, 3]));
      assert.deepEqual([...readFileSync(file).subarray(20, 23)], [1, 2, 3]);
      assert.deepEqual([...shm.read('r', 4, 3)], [1, 2, 3]);
      assert.throws(() => shm.read('r', 40, 16), /Invalid offset \+ byte size/);
      assert.throws(() => shm.read('nope', 0, 1), /Unable to find shared memory region: 'nope'/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('server log lines', () => {
  it('formats the default and ISO8601 prefixes from one microsecond clock', () => {
    const log = new Logger();
    const t = Date.UTC(2026, 10, 24, 22, 21, 45) * 1000 + 383000;
    assert.equal(log.prefix('I', 'model_lifecycle.cc:473', t), `I1124 22:21:45.383000 ${process.pid} model_lifecycle.cc:473]`);
    log.settings.log_format = 'ISO8601';
    assert.equal(log.prefix('E', 'server.cc:1', t + 999_999), `2026-11-24T22:21:46Z E ${process.pid} server.cc:1]`);
  });
});

describe('server buffer pool', () => {
  it('a lease whose buffer still backs an answer leaves it out of the pool', () => {
    const pool = new BufferPool();
    const kept = new Lease(pool);
    const answer = kept.acquire(2 * 1024 * 1024);
    kept.releaseUnlessIn([answer.subarray(8, 16)]);
    assert.notEqual(pool.acquire(2 * 1024 * 1024).buffer, answer.buffer, 'a buffer an answer still uses is never handed out');
    const done = new Lease(pool);
    const input = done.acquire(2 * 1024 * 1024);
    done.releaseUnlessIn([Buffer.alloc(0), Buffer.alloc(16)]);
    assert.equal(pool.acquire(2 * 1024 * 1024).buffer, input.buffer, 'a buffer no answer uses goes back');
  });

  it('hands big released buffers out again and leaves small ones to the allocator', () => {
    const pool = new BufferPool();
    const lease = new Lease(pool);
    const big = lease.acquire(4 * 1024 * 1024);
    big[0] = 42;
    const small = lease.acquire(100);
    assert.equal(small.length, 100);
    assert.notEqual(pool.acquire(4 * 1024 * 1024).buffer, big.buffer, 'a held buffer is never handed out twice');
    lease.release();
    const again = pool.acquire(3 * 1024 * 1024);
    assert.equal(again.buffer, big.buffer);
    assert.equal(again.length, 3 * 1024 * 1024);
    assert.notEqual(pool.acquire(3 * 1024 * 1024).buffer, big.buffer);
    pool.release(again);
    assert.notEqual(pool.acquire(9 * 1024 * 1024).buffer, big.buffer, 'a buffer more than twice too big is not used');
  });
});
