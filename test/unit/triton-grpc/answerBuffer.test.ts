// The answer gatherer against a server that sends its answer in tiny DATA frames: what it holds
// stays near the answer's size, not one buffer object per frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerBuffer } from '../../../src/triton/grpc/answerBuffer';

test('an answer in 1-byte chunks is held compactly (not one object per chunk) and comes out whole', () => {
  const count = 2_000_000;
  const wire = Buffer.alloc(count);
  wire.writeUInt32BE(count - 5, 1);
  for (let i = 5; i < count; i++) wire[i] = i & 0xff;
  const buffer = new AnswerBuffer(64 << 20, undefined);
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) assert.equal(buffer.push(wire.subarray(i, i + 1)), undefined);
  const grown = process.memoryUsage().heapUsed - before;
  // One Buffer object per byte would be well over 100 MB of heap for 2,000,000 chunks.
  assert.ok(grown < 40 * 1024 * 1024, `the heap grew by ${(grown / 1048576).toFixed(1)} MB while holding a 2 MB answer`);
  const out = buffer.finish();
  assert.ok('data' in out);
  assert.ok(out.data.equals(wire));
});

test('big chunks are held as they came (no extra copy) and small ones between them keep their order', () => {
  const parts: Buffer[] = [Buffer.from([0, 0, 0, 0, 0])];
  for (let i = 0; i < 300; i++) parts.push(i % 3 === 0 ? Buffer.alloc(20000, i & 0xff) : Buffer.from([i & 0xff]));
  const whole = Buffer.concat(parts);
  whole.writeUInt32BE(whole.length - 5, 1);
  parts[0] = whole.subarray(0, 5);
  const buffer = new AnswerBuffer(64 << 20, undefined);
  for (const part of parts) assert.equal(buffer.push(part), undefined);
  const out = buffer.finish();
  assert.ok('data' in out);
  assert.ok(out.data.equals(whole));
});
