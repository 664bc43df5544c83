import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followFile } from '../../../src/logs/fileFollower';
import type { LogSink } from '../../../src/logs/logSource';

/** A sink that records lines and notices and lets a test wait for a condition. */
function recorder(): LogSink & { lines_: string[]; notices: string[]; until(pred: () => boolean, what: string, ms?: number): Promise<void> } {
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  const r = {
    lines_: [] as string[],
    notices: [] as string[],
    lines(l: string[]) {
      r.lines_.push(...l);
      wake();
    },
    notice(t: string) {
      r.notices.push(t);
      wake();
    },
    until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pred()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; lines=${JSON.stringify(r.lines_)} notices=${JSON.stringify(r.notices)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
  return r;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tw-follow-'));
}

test('starts from the last N lines, then follows appends (including a line written in two parts)', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'triton.log');
  writeFileSync(file, Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n') + '\n');
  const sink = recorder();
  const tail = await followFile(file, sink, { tailLines: 3, pollMs: 200 });
  t.after(() => tail.stop());
  await sink.until(() => sink.lines_.length >= 3, 'the initial tail');
  assert.deepEqual(sink.lines_, ['line 7', 'line 8', 'line 9']);
  appendFileSync(file, 'line 10\nline ');
  await sink.until(() => sink.lines_.includes('line 10'), 'an appended line');
  appendFileSync(file, '11\n');
  await sink.until(() => sink.lines_.includes('line 11'), 'the second half of a split line');
  assert.deepEqual(sink.lines_.slice(3), ['line 10', 'line 11']);
});

test('a truncated file is read again from its start, with a notice', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'triton.log');
  writeFileSync(file, 'old 1\nold 2\nold 3\n');
  const sink = recorder();
  const tail = await followFile(file, sink, { tailLines: 10, pollMs: 200 });
  t.after(() => tail.stop());
  await sink.until(() => sink.lines_.length === 3, 'the initial content');
  truncateSync(file, 0);
  appendFileSync(file, 'new 1\n');
  await sink.until(() => sink.lines_.includes('new 1'), 'the line after truncation');
  assert.ok(sink.notices.some((n) => /truncated/.test(n)), sink.notices.join('; '));
  assert.deepEqual(sink.lines_, ['old 1', 'old 2', 'old 3', 'new 1']);
});

test('rotation (file renamed away, new file created) finishes the old file and reads the new one from its start', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'triton.log');
  writeFileSync(file, 'a\n');
  const sink = recorder();
  const tail = await followFile(file, sink, { tailLines: 10, pollMs: 200 });
  t.after(() => tail.stop());
  await sink.until(() => sink.lines_.includes('a'), 'the initial line');
  renameSync(file, join(dir, 'triton.log.1'));
  appendFileSync(join(dir, 'triton.log.1'), 'b (written to the old file after the move)\n');
  writeFileSync(file, 'c\nd\n');
  await sink.until(() => sink.lines_.includes('d'), 'the new file');
  assert.deepEqual(sink.lines_, ['a', 'b (written to the old file after the move)', 'c', 'd']);
  assert.ok(sink.notices.some((n) => /rotated/.test(n)), sink.notices.join('; '));
  appendFileSync(file, 'e\n');
  await sink.until(() => sink.lines_.includes('e'), 'appends to the new file');
});

test('a file that does not exist yet is waited for, and read once it appears', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'later.log');
  const sink = recorder();
  const tail = await followFile(file, sink, { tailLines: 10, pollMs: 200 });
  t.after(() => tail.stop());
  assert.match(sink.notices[0] ?? '', /Waiting for .*later\.log: the file does not exist yet/);
  writeFileSync(file, 'first\n');
  await sink.until(() => sink.lines_.includes('first'), 'the created file');
});

test('stop releases the file: nothing is read afterwards', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'triton.log');
  writeFileSync(file, 'x\n');
  const sink = recorder();
  const tail = await followFile(file, sink, { tailLines: 10, pollMs: 100 });
  await sink.until(() => sink.lines_.length === 1, 'the initial line');
  await tail.stop();
  await tail.stop();
  appendFileSync(file, 'after stop\n');
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(sink.lines_, ['x']);
});
