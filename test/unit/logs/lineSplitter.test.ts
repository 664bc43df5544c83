import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../../src/logs/lineSplitter';

test('lines split across chunks, and a UTF-8 character split across chunks, come out whole', () => {
  const s = new LineSplitter();
  const bytes = Buffer.from('first\nsec€ond\nthi');
  const cut = bytes.indexOf(Buffer.from('€')) + 1;
  assert.deepEqual(s.push(bytes.subarray(0, cut)), ['first']);
  assert.deepEqual(s.push(bytes.subarray(cut)), ['sec€ond']);
  assert.deepEqual(s.push('rd\n'), ['third']);
  assert.deepEqual(s.end(), []);
});

test('output that never ends a line is handed on in pieces instead of growing without bound', () => {
  const s = new LineSplitter(10);
  assert.deepEqual(s.push('a'.repeat(25)), ['a'.repeat(10), 'a'.repeat(10)]);
  assert.deepEqual(s.push('\n'), ['a'.repeat(5)]);
  assert.deepEqual(s.push('tail'), []);
  assert.deepEqual(s.end(), ['tail']);
});
