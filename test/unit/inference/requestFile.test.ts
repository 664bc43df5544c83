import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonErrorOffset, parseRequestFile, pathsOutside, requestFileText } from '../../../src/inference/requestFile';
import type { RequestDraft } from '../../../src/inference/requestDraft';

const draft: RequestDraft = {
  version: 1, model: 'color_classifier', protocol: 'grpc', binary: true, mode: { kind: 'single' },
  outputs: [{ name: 'fc6_1', classCount: 3 }],
  inputs: [
    { name: 'data_0', datatype: 'FP32', shape: [3, 224, 224], source: { kind: 'image', paths: ['/ws/images/cat.png', '/ws/requests/dog.jpg', '/elsewhere/x.png'], scaling: 'INCEPTION' } },
    { name: 'extra', datatype: 'INT32', shape: [4], source: { kind: 'npy', path: '/ws/data/a.npy' } },
    { name: 'text', datatype: 'BYTES', shape: [1], source: { kind: 'bytes', text: 'hello', format: 'lines' } },
  ],
};

test('saved paths are relative to the file; reading the file resolves them back', () => {
  const text = requestFileText(draft, '/ws/requests/cat.json');
  const saved = JSON.parse(text) as RequestDraft;
  const image = saved.inputs[0]!.source;
  assert.equal(image.kind, 'image');
  if (image.kind === 'image') assert.deepEqual(image.paths, ['../images/cat.png', 'dog.jpg', '../../elsewhere/x.png']);
  const npy = saved.inputs[1]!.source;
  if (npy.kind === 'npy') assert.equal(npy.path, '../data/a.npy');
  assert.deepEqual(saved.inputs[2], draft.inputs[2]);
  assert.deepEqual(parseRequestFile(text, '/ws/requests/cat.json'), draft);
  // The same file moved with its folder keeps pointing at the moved images.
  const moved = parseRequestFile(text, '/other/requests/cat.json').inputs[0]!.source;
  if (moved.kind === 'image') assert.deepEqual(moved.paths, ['/other/images/cat.png', '/other/requests/dog.jpg', '/elsewhere/x.png']);
});

test('a broken file names the file and where the JSON breaks', () => {
  assert.throws(() => parseRequestFile('{\n  "version": 1,\n  "model": oops\n}', '/ws/r.json'), (e: Error) => {
    assert.match(e.message, /^\/ws\/r\.json is not valid JSON at line 3, column \d+/);
    return true;
  });
});

test('a file with wrong fields names each one', () => {
  const bad = { ...draft, protocol: 'ftp', inputs: [{ ...draft.inputs[0]!, source: { kind: 'image', paths: 'cat.png', scaling: 'NONE' } }] };
  assert.throws(() => parseRequestFile(JSON.stringify(bad), '/ws/bad.json'), /\/ws\/bad\.json is not an inference request: .*'protocol'.*inputs\[0\]\.source has no string array 'paths'/);
  assert.throws(() => parseRequestFile('[1, 2]', '/ws/list.json'), /not a JSON object/);
  assert.throws(() => requestFileText({ ...draft, model: '' }, '/ws/x.json'), /cannot be saved: 'model'/);
});

test('a byte-order mark at the start is accepted', () => {
  const text = `\uFEFF${requestFileText(draft, '/ws/requests/cat.json')}`;
  assert.equal(parseRequestFile(text, '/ws/requests/cat.json').model, 'color_classifier');
});

test('the JSON error offset agrees with JSON.parse on what is valid', () => {
  const cases: [string, number][] = [['{"a": [1, 2,]}', 12], ['{"a" 1}', 5], ['[1, 2', 5], ['{} x', 3], ['"\\q"', 2], ['-01', 2], ['{"a": tru}', 6]];
  for (const [text, offset] of cases) {
    assert.throws(() => JSON.parse(text));
    assert.equal(jsonErrorOffset(text), offset, text);
  }
  for (const ok of ['{"a": [1, -2.5e+3, true, false, null, "\\u00e9\\n"]}', '  []  ', '0']) {
    JSON.parse(ok);
    assert.equal(jsonErrorOffset(ok), -1, ok);
  }
});

test('paths outside the workspace are listed, so opening such a request can ask first', () => {
  assert.deepEqual(pathsOutside(draft, ['/ws']), ['/elsewhere/x.png']);
  assert.deepEqual(pathsOutside(draft, ['/ws', '/elsewhere']), []);
  assert.deepEqual(pathsOutside(draft, ['/ws/images']), ['/ws/requests/dog.jpg', '/elsewhere/x.png', '/ws/data/a.npy']);
  assert.deepEqual(pathsOutside({ ...draft, inputs: [{ ...draft.inputs[1]!, source: { kind: 'npy', path: '/wsx/a.npy' } }] }, ['/ws']), ['/wsx/a.npy']);
});
