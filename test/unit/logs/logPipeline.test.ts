import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogPipeline, LogRing } from '../../../src/logs/logPipeline';
import type { LogEntry } from '../../../src/logs/logParser';

const line = (i: number): string => `I1206 10:00:00.${String(i % 1_000_000).padStart(6, '0')} 42 model_lifecycle.cc:473] "loading: m${i}:1"`;

test('the ring keeps only the newest maxLines entries, oldest first, and can be resized', () => {
  const ring = new LogRing(3);
  for (let i = 0; i < 5; i++) ring.push({ seq: i, severity: 'text', message: String(i) });
  assert.deepEqual(ring.toArray().map((e) => e.seq), [2, 3, 4]);
  ring.resize(2);
  assert.deepEqual(ring.toArray().map((e) => e.seq), [3, 4]);
  ring.resize(5);
  ring.push({ seq: 5, severity: 'text', message: '5' });
  assert.deepEqual(ring.toArray().map((e) => e.seq), [3, 4, 5]);
  ring.clear();
  assert.equal(ring.size, 0);
});

test('lines arrive in a few timed batches, not one message per line; history stays bounded', async () => {
  const batches: LogEntry[][] = [];
  const pipeline = new LogPipeline({ maxLines: 500, batchMs: 30, onBatch: (b) => batches.push(b) });
  for (let chunk = 0; chunk < 10; chunk++) pipeline.lines(Array.from({ length: 100 }, (_, i) => line(chunk * 100 + i)));
  assert.equal(batches.length, 0, 'nothing is sent synchronously');
  await new Promise((r) => setTimeout(r, 120));
  assert.ok(batches.length >= 1 && batches.length <= 3, `${batches.length} batches`);
  const sent = batches.flat();
  // A view that has not taken anything yet only needs the newest maxLines.
  assert.ok(sent.length >= 500 && sent.length <= 1000, String(sent.length));
  assert.equal(sent.at(-1)!.model, 'm999');
  assert.equal(pipeline.history().length, 500);
  assert.equal(pipeline.history()[0]!.model, 'm500');
  pipeline.dispose();
});

test('a table still open when input pauses is released by the timer; notices are entries', async () => {
  const batches: LogEntry[][] = [];
  const pipeline = new LogPipeline({ maxLines: 100, batchMs: 20, onBatch: (b) => batches.push(b) });
  pipeline.lines(['I1206 10:00:00.000001 1 server.cc:676] ', '+---+', '| a |']);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(batches.flat().map((e) => e.message), ['+---+\n| a |']);
  pipeline.notice('file rotated');
  pipeline.flushNow();
  const last = batches.flat().at(-1)!;
  assert.equal(last.severity, 'notice');
  assert.equal(last.seq, 1);
  pipeline.dispose();
});

test('stdout and stderr chunks arriving out of order are put back in time order', () => {
  const batches: LogEntry[][] = [];
  const pipeline = new LogPipeline({ maxLines: 100, batchMs: 1000, onBatch: (b) => batches.push(b) });
  pipeline.lines(['I1206 10:00:00.000001 1 a.cc:1] "loading: m:1"', 'I1206 10:00:00.000300 1 a.cc:3] "failed to load \'m\'"']);
  pipeline.lines(['E1206 10:00:00.000200 1 a.cc:2] "failed to load \'m\' version 1: boom"']);
  pipeline.flushNow();
  assert.deepEqual(batches.flat().map((e) => e.source), ['a.cc:1', 'a.cc:2', 'a.cc:3']);
  assert.deepEqual(batches.flat().map((e) => e.seq), [0, 1, 2]);
  assert.deepEqual(pipeline.history().map((e) => e.source), ['a.cc:1', 'a.cc:2', 'a.cc:3']);
  pipeline.dispose();
});
