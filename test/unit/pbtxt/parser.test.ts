// Parser: the text-format grammar, ranges on every node, and recovery after errors.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { FieldNode, ListNode, MessageNode, ScalarNode } from '../../../src/pbtxt/ast';
import { MAX_NESTING, parse } from '../../../src/pbtxt/parser';

function field(body: MessageNode, name: string, index = 0): FieldNode {
  const f = body.fields.filter((x) => x.name === name)[index];
  assert.ok(f !== undefined, `field ${name}`);
  return f;
}

function scalar(body: MessageNode, name: string): ScalarNode {
  const v = field(body, name).value;
  assert.equal(v?.kind, 'scalar');
  return v as ScalarNode;
}

test('parses the canonical example without errors and keeps comments aside', () => {
  const text = [
    '# minimal ONNX model, batching',
    'name: "simple"',
    'platform: "onnxruntime_onnx"          # or backend',
    'max_batch_size: 8',
    'input [',
    '  { name: "INPUT0", data_type: TYPE_INT32, dims: [ 16 ] },',
    '  { name: "INPUT1"  data_type: TYPE_INT32  dims: [ 16 ] }',
    ']',
    'output { name: "OUTPUT0" data_type: TYPE_INT32 dims: 16 }',
    'output: { name: "OUTPUT1"; data_type: TYPE_INT32; dims: [16] }',
    'version_policy: { specific: { versions: [ 1, 3 ] } }',
    'parameters { key: "execute_delay_ms" value: { string_value: "3" } }',
  ].join('\n');
  const doc = parse(text);
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(doc.root.fields.map((f) => f.name), ['name', 'platform', 'max_batch_size', 'input', 'output', 'output', 'version_policy', 'parameters']);
  assert.equal(doc.comments.length, 2);
  assert.equal(doc.comments[1].text, ' or backend');
  assert.equal(doc.comments[1].range.start.line, 2);
  const input = field(doc.root, 'input').value as ListNode;
  assert.equal(input.kind, 'list');
  assert.equal(input.items.length, 2);
  const second = input.items[1] as MessageNode;
  assert.equal(second.fields.length, 3);
  const dims = field(second, 'dims').value as ListNode;
  assert.equal((dims.items[0] as ScalarNode).value, 16n);
});

test('every node carries line/character and offsets that point at its text', () => {
  const text = 'name: "a"\ninput {\n  dims: [ -1, 0x10 ]\n}\n';
  const doc = parse(text);
  const input = field(doc.root, 'input');
  assert.deepEqual(input.nameRange.start, { line: 1, character: 0, offset: 10 });
  const body = input.value as MessageNode;
  assert.equal(text.slice(body.range.start.offset, body.range.end.offset), '{\n  dims: [ -1, 0x10 ]\n}');
  const dims = field(body, 'dims');
  assert.equal(text.slice(dims.range.start.offset, dims.range.end.offset), 'dims: [ -1, 0x10 ]');
  const items = (dims.value as ListNode).items as ScalarNode[];
  assert.deepEqual(items.map((i) => i.value), [-1n, 16n]);
  assert.deepEqual(items[0].range.start, { line: 2, character: 10, offset: 28 });
  assert.equal(text.slice(items[1].range.start.offset, items[1].range.end.offset), '0x10');
});

test('literals: octal, hex, floats, signs, adjacent strings, escapes, booleans', () => {
  const doc = parse([
    'a: 010', 'b: 0x1F', 'c: -5', 'd: 1.5e3', 'e: .5', 'f: 2.5f', 'g: -inf', 'h: "ab" \'cd\'',
    'i: "\\t\\x41\\101\\u00e9\\U0001F600\\""', 'j: True', 'k: - 7',
  ].join('\n'));
  assert.deepEqual(doc.errors, []);
  assert.equal(scalar(doc.root, 'a').value, 8n);
  assert.equal(scalar(doc.root, 'b').value, 31n);
  assert.equal(scalar(doc.root, 'c').value, -5n);
  assert.equal(scalar(doc.root, 'd').value, 1500);
  assert.equal(scalar(doc.root, 'e').value, 0.5);
  assert.equal(scalar(doc.root, 'f').value, 2.5);
  assert.equal(scalar(doc.root, 'g').negative, true);
  assert.equal(scalar(doc.root, 'g').value, 'inf');
  assert.equal(scalar(doc.root, 'h').value, 'abcd');
  assert.equal(scalar(doc.root, 'i').value, '\tAAé😀"');
  assert.equal(scalar(doc.root, 'j').scalarKind, 'identifier');
  assert.equal(scalar(doc.root, 'k').value, -7n);
});

test('angle brackets, optional colons before messages, and , or ; separators', () => {
  const doc = parse('input < name: "a"; dims: 1, dims: 2 >\noutput: { name: "b" }\nx [ < a: 1 >, { b: 2 } ]');
  assert.deepEqual(doc.errors, []);
  const input = field(doc.root, 'input').value as MessageNode;
  assert.equal(input.open, '<');
  assert.equal(input.fields.length, 3);
  assert.equal(field(doc.root, 'output').hasColon, true);
  assert.equal((field(doc.root, 'x').value as ListNode).items.length, 2);
});

test('reports grammar errors with positions and keeps parsing', () => {
  const cases: [string, RegExp, number, number][] = [
    ['a: [1, 2, ]', /may not end with a comma/, 0, 10],
    ['a: [1; 2]', /separated by ","/, 0, 5],
    ['name "x"', /Expected ":" after field name "name"/, 0, 0],
    ['a: 08', /octal/, 0, 3],
    ['a: 5abc', /Need space between number and identifier/, 0, 3],
    ['a: "abc\nb: 1', /not closed on this line/, 0, 3],
    ['a: "\\q"', /Invalid escape/, 0, 3],
    ['a { b: 1 >', /Expected "}", found ">"/, 0, 9],
    ['}\na: 1', /no message is open/, 0, 0],
    ['a: 1 // note', /start with "#"/, 0, 5],
    ['a: ${X}', /Unfilled template placeholder \$\{X\}/, 0, 3],
    ['a:\nb: 2', /Expected a value for field "a"/, 0, 1],
    ['\ufeffname: "x"', /byte order mark/, 0, 0],
  ];
  for (const [text, re, line, character] of cases) {
    const doc = parse(text);
    const e = doc.errors.find((x) => re.test(x.message));
    assert.ok(e !== undefined, `${JSON.stringify(text)} → ${doc.errors.map((x) => x.message).join(' | ')}`);
    assert.equal(e.severity, 'error');
    assert.deepEqual([e.range.start.line, e.range.start.character], [line, character], text);
  }
});

test('recovers: later fields are still in the tree after an error', () => {
  const doc = parse('name: "m"\ninput { name: "x" dims: [ 1, ] }\noutput { name: "y" }\nmax_batch_size: 4');
  assert.equal(doc.errors.length, 1);
  assert.deepEqual(doc.root.fields.map((f) => f.name), ['name', 'input', 'output', 'max_batch_size']);
  const unclosed = parse('input {\n  name: "x"\n');
  assert.equal(unclosed.errors.length, 1);
  assert.match(unclosed.errors[0].message, /Expected "}" to close/);
  assert.equal((field(unclosed.root, 'input').value as MessageNode).closed, false);
  assert.equal((field(unclosed.root, 'input').value as MessageNode).fields[0].name, 'name');
});

test('an unclosed block gives back the fields written at or left of its own indentation', () => {
  const text = ['name: "m"', 'input [', '  {', '    name: "a"', '    reshape {', '      shape: [ 1 ]', '    dims: [ 1 ]', 'output {', '  name: "b"', 'max_batch_size: 4'].join('\n');
  const doc = parse(text);
  assert.deepEqual(doc.root.fields.map((f) => f.name), ['name', 'input', 'output', 'max_batch_size']);
  const item = (field(doc.root, 'input').value as ListNode).items[0] as MessageNode;
  assert.deepEqual(item.fields.map((f) => f.name), ['name', 'reshape', 'dims']);
  assert.deepEqual((field(item, 'reshape').value as MessageNode).fields.map((f) => f.name), ['shape']);
  assert.deepEqual((field(doc.root, 'output').value as MessageNode).fields.map((f) => f.name), ['name']);
  assert.equal(text.slice(field(doc.root, 'input').range.start.offset, field(doc.root, 'input').range.end.offset), text.slice(text.indexOf('input'), text.indexOf('\noutput')));
  assert.ok(doc.errors.every((e) => /to close this/.test(e.message)));
  // A closed block is never split, however it is indented.
  const flat = parse('input {\nname: "a"\n}\noutput {\nname: "b"\n}');
  assert.deepEqual(flat.errors, []);
  assert.deepEqual((field(flat.root, 'input').value as MessageNode).fields.map((f) => f.name), ['name']);
});

test('deep nesting stops at the protobuf recursion limit without overflowing the stack', () => {
  const deep = 'a '.repeat(1).concat('{ a '.repeat(50_000), '}'.repeat(50_000));
  const doc = parse(deep);
  assert.ok(doc.errors.some((e) => e.message.includes(`${MAX_NESTING} levels`)));
  const lists = parse('a: ' + '['.repeat(10_000));
  assert.ok(lists.errors.length > 0);
});

test('empty and whitespace-only input give an empty root', () => {
  for (const text of ['', '   \n\t', '# only a comment\n']) {
    const doc = parse(text);
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(doc.root.fields, []);
  }
});

test('positions count UTF-16 units on the right line for non-ASCII text', () => {
  const text = 'a: "é😀"\nb: 1';
  const doc = parse(text);
  assert.deepEqual(field(doc.root, 'b').nameRange.start, { line: 1, character: 0, offset: text.indexOf('b:') });
  assert.deepEqual(scalar(doc.root, 'a').range.end, { line: 0, character: 8, offset: 8 });
});
