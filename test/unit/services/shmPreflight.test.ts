import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, offsetProblem, parseByteSize } from '../../../src/services/sharedMemory/preflight';
import { regionView } from '../../../src/services/sharedMemory/shmNodes';
import { validateRegionName } from '../../../src/services/sharedMemory/regionService';

test('sizes typed by a user', () => {
  assert.equal(parseByteSize('4096'), 4096);
  assert.equal(parseByteSize(' 64 KiB '), 65536);
  assert.equal(parseByteSize('1.5MiB'), 1572864);
  assert.equal(parseByteSize('2 GB'), 2e9);
  assert.equal(parseByteSize('64m'), 64 * 1024 * 1024);
  for (const bad of ['', '0', '-1', '1.5', '12 parsecs', '0x10', '1e3']) assert.equal(parseByteSize(bad), undefined, bad);
  assert.equal(formatBytes(65536), '64 KiB');
  assert.equal(formatBytes(1572864), '1.5 MiB');
  assert.equal(formatBytes(100), '100 bytes');
});

test('offsets on old and new servers', () => {
  assert.deepEqual(offsetProblem(0, '2.59.1'), {});
  assert.match(offsetProblem(100, '2.59.1').error ?? '', /Triton 2\.59\.1 accepts only page-aligned offsets \(multiples of 4096\); 100 is not/);
  assert.match(offsetProblem(8192, '2.40.0').warning ?? '', /register at offset 0 and give each tensor its offset instead/);
  assert.deepEqual(offsetProblem(100, '2.60.0'), {});
  assert.deepEqual(offsetProblem(100, undefined), {});
});

test('region names', () => {
  assert.doesNotThrow(() => validateRegionName('input_simple'));
  assert.throws(() => validateRegionName('a/b'), /must not contain '\/'/);
  assert.throws(() => validateRegionName('a\nb'), /control characters/);
  assert.throws(() => validateRegionName('  '), /a region name is required/);
});

test('region rows say registered, created here and orphaned, with hostile names kept as text', () => {
  const v = regionView({ name: '<img src=x onerror=alert(1)>', kind: 'system', key: '/k', offset: 0, byteSize: 4096, registered: false, createdHere: true, orphaned: 'not-registered' });
  assert.equal(v.contextValue, 'shmRegion system createdHere orphaned');
  assert.equal(v.icon?.id, 'warning');
  assert.match(v.description ?? '', /\/k · 4 KiB · not registered, created here, orphaned/);
  assert.ok(v.tooltip?.startsWith('**\\<img src\\=x onerror\\=alert\\(1\\)\\>**'), v.tooltip);
  const c = regionView({ name: 'gpu', kind: 'cuda', deviceId: 1, byteSize: 1 << 20, registered: true, createdHere: false });
  assert.equal(c.contextValue, 'shmRegion cuda registered');
  assert.match(c.description ?? '', /^CUDA device 1 · 1 MiB · registered$/);
});
