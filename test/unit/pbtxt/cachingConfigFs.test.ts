import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCachingConfigFs } from '../../../src/pbtxt/cachingConfigFs';
import type { ConfigFs } from '../../../src/pbtxt/configFs';
import { nodeConfigFs } from '../../../src/pbtxt/configFs';

/** Counts the reads that reach the disk. */
function counting(): { fs: ConfigFs; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    fs: { ...nodeConfigFs, readFile: (p: string) => (reads.push(p), nodeConfigFs.readFile(p)) },
  };
}

test('a file is read once while it is unchanged, and again after it changes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pbtxt-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'model.onnx');
  writeFileSync(file, 'first');
  const { fs, reads } = counting();
  const cached = createCachingConfigFs(fs);
  assert.equal(Buffer.from((await cached.readFile(file))!).toString(), 'first');
  assert.equal(Buffer.from((await cached.readFile(file))!).toString(), 'first');
  assert.equal(reads.length, 1);
  writeFileSync(file, 'second!');
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);
  assert.equal(Buffer.from((await cached.readFile(file))!).toString(), 'second!');
  assert.equal(reads.length, 2);
});

test('missing files, folders and files over the size limit read as undefined', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pbtxt-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(2048));
  const cached = createCachingConfigFs(nodeConfigFs, { maxFileBytes: 1024 });
  assert.equal(await cached.readFile(join(dir, 'nope')), undefined);
  assert.equal(await cached.readFile(dir), undefined);
  assert.equal(await cached.readFile(join(dir, 'big.bin')), undefined);
  assert.deepEqual((await cached.readDir(dir))?.map((e) => e.name), ['big.bin']);
});

test('the cache stays within its byte budget, dropping the least recently used file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pbtxt-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, n), Buffer.alloc(400, n));
  const { fs, reads } = counting();
  const cached = createCachingConfigFs(fs, { maxCachedBytes: 1000 });
  await cached.readFile(join(dir, 'a'));
  await cached.readFile(join(dir, 'b'));
  await cached.readFile(join(dir, 'a'));
  await cached.readFile(join(dir, 'c'));
  assert.equal(reads.length, 3);
  await cached.readFile(join(dir, 'a'));
  assert.equal(reads.length, 3, 'a was used recently and is still cached');
  await cached.readFile(join(dir, 'b'));
  assert.equal(reads.length, 4, 'b was dropped to make room for c');
});
