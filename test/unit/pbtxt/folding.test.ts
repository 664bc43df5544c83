import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldingRanges } from '../../../src/pbtxt/folding';
import { parse } from '../../../src/pbtxt/parser';

test('multi-line blocks and lists fold, keeping the closing bracket line visible', () => {
  const text = [
    'name: "m"', //              0
    'input [', //                1
    '  {', //                    2
    '    name: "A"', //          3
    '    dims: [ 1 ]', //        4
    '  }', //                    5
    ']', //                      6
    'output { name: "B" }', //   7
    'optimization {', //         8
    '  cuda { graphs: true }', //9
    '}', //                     10
  ].join('\n');
  assert.deepEqual(foldingRanges(parse(text)).map((r) => [r.startLine, r.endLine, r.kind]), [
    [1, 5, 'block'],
    [2, 4, 'block'],
    [8, 9, 'block'],
  ]);
});

test('runs of whole-line comments fold; trailing comments do not join them', () => {
  const text = ['# a', '# b', '# c', 'name: "m"  # trailing', '# d', 'max_batch_size: 1', '# e', '# f'].join('\n');
  assert.deepEqual(foldingRanges(parse(text)).map((r) => [r.startLine, r.endLine, r.kind]), [
    [0, 2, 'comment'],
    [6, 7, 'comment'],
  ]);
});

test('an unclosed block folds to the end of the text', () => {
  const ranges = foldingRanges(parse('input {\n  name: "x"\n  dims: [ 1 ]\n'));
  assert.deepEqual(ranges.map((r) => [r.startLine, r.endLine]), [[0, 2]]);
});

test('# region / # endregion markers fold as regions', () => {
  const text = ['# region inputs', 'input { name: "a" }', 'input { name: "b" }', '# endregion', 'name: "m"'].join('\n');
  assert.deepEqual(foldingRanges(parse(text)).filter((r) => r.kind === 'region').map((r) => [r.startLine, r.endLine]), [[0, 3]]);
});
