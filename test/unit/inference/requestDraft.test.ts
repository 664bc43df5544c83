import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRequestDraft, requestDraftProblems } from '../../../src/inference/requestDraft';

const good = {
  version: 1,
  model: 'simple',
  protocol: 'http',
  binary: true,
  inputs: [
    { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], source: { kind: 'fill', fill: 'range', start: 0, step: 1 } },
    { name: 'INPUT1', datatype: 'BYTES', shape: [2], source: { kind: 'bytes', text: 'a\nb', format: 'lines' } },
  ],
  outputs: [{ name: 'OUTPUT0', classCount: 3 }],
  mode: { kind: 'concurrent', count: 10, concurrency: 2 },
  sequence: { id: 'abc', start: true, end: false },
  parameters: { p: 1, q: 'x', r: true },
};

test('a complete draft is accepted', () => {
  assert.deepEqual(requestDraftProblems(good), []);
  assert.equal(isRequestDraft(good), true);
});

test('each wrong field is named', () => {
  const bad = {
    ...good,
    version: 2,
    protocol: 'ftp',
    inputs: [{ name: 'X', datatype: 'FLOAT', shape: [-1], source: { kind: 'image', paths: ['a.png'], scaling: 'ZOOM' } }],
    outputs: [{ name: 'O', classCount: 0 }],
    mode: { kind: 'concurrent', count: 0, concurrency: 1 },
    sequence: { id: -1, start: true, end: 'no' },
    parameters: { deep: { a: 1 } },
  };
  const problems = requestDraftProblems(bad);
  for (const expected of ["'version' is 2", "'protocol'", 'inputs[0] has datatype "FLOAT"', 'inputs[0].shape', 'inputs[0].source has scaling "ZOOM"', 'outputs[0].classCount', "'mode.count'", "'sequence.id'", "'sequence.start'", 'parameters.deep']) {
    assert.ok(problems.some((p) => p.includes(expected)), `no problem mentions ${expected}: ${problems.join(' | ')}`);
  }
  assert.equal(isRequestDraft(bad), false);
  assert.deepEqual(requestDraftProblems([]), ['the request is not a JSON object']);
});

test('shared memory is a pair of switches, for one request at a time', () => {
  const single = { ...good, mode: { kind: 'single' }, sharedMemory: { inputs: true, outputs: false } };
  assert.deepEqual(requestDraftProblems(single), []);
  assert.ok(requestDraftProblems({ ...single, sharedMemory: { inputs: 'yes' } }).some((p) => p.startsWith("'sharedMemory' must be")));
  assert.ok(requestDraftProblems({ ...single, mode: { kind: 'stream' } }).some((p) => p.includes('runs one request at a time')));
  assert.deepEqual(requestDraftProblems({ ...single, mode: { kind: 'stream' }, sharedMemory: { inputs: false, outputs: false } }), []);
});
