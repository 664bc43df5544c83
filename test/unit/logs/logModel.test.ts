import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allSeverities, entryText, LogModel } from '../../../src/webview-ui/logs/logModel';
import type { LogEntry } from '../../../src/shared/logViewProtocol';

const entry = (seq: number, severity: LogEntry['severity'], message: string, extra: Partial<LogEntry> = {}): LogEntry => ({ seq, severity, message, ...extra });

test('filters by severity, model and text; offsets count the lines of multi-line entries', () => {
  const m = new LogModel(100);
  m.reset([
    entry(0, 'info', 'loading: a:1', { model: 'a', timeMs: 1000 }),
    entry(1, 'info', 'table\n| x |\n| y |', { timeMs: 2000 }),
    entry(2, 'error', "failed to load 'b' version 1: boom", { model: 'b', loadFailure: true, timeMs: 3000 }),
    entry(3, 'text', '[libprotobuf ERROR] Expected identifier'),
  ]);
  assert.equal(m.totalLines, 6);
  assert.equal(m.lineOf(2), 4);
  assert.equal(m.positionAtLine(0), 0);
  assert.equal(m.positionAtLine(2), 1);
  assert.equal(m.positionAtLine(4), 2);
  assert.equal(m.positionAtLine(5), 3);
  assert.deepEqual(m.models(), ['a', 'b']);
  assert.equal(m.positionAtTime(2500), 2);
  m.setFilters({ severities: new Set(['error']), model: '', text: '' });
  assert.equal(m.shownCount, 1);
  m.setFilters({ severities: new Set(allSeverities), model: 'a', text: '' });
  assert.equal(m.at(0).seq, 0);
  m.setFilters({ severities: new Set(allSeverities), model: '', text: 'EXPECTED' });
  assert.deepEqual([m.shownCount, m.at(0).seq], [1, 3]);
  // Appends are filtered as they arrive.
  m.append([entry(4, 'text', 'expected again'), entry(5, 'info', 'other')]);
  assert.equal(m.shownCount, 2);
  assert.equal(m.shownText(), '[libprotobuf ERROR] Expected identifier\nexpected again');
});

test('memory stays bounded: old entries are evicted past maxLines', () => {
  const m = new LogModel(1000);
  for (let b = 0; b < 50; b++) m.append(Array.from({ length: 100 }, (_, i) => entry(b * 100 + i, 'info', `line ${b * 100 + i}`)));
  assert.ok(m.total <= 1000 + 125, String(m.total));
  assert.equal(m.at(m.shownCount - 1).seq, 4999);
  assert.equal(m.totalLines, m.shownCount);
});

test('Copy text looks like the log it came from', () => {
  assert.equal(entryText(entry(0, 'error', 'boom', { time: '12-06 10:00:00.000001', pid: 7, source: 'a.cc:1' })), 'E 12-06 10:00:00.000001 7 a.cc:1] boom');
  assert.equal(entryText(entry(0, 'notice', 'rotated')), '-- rotated');
});
