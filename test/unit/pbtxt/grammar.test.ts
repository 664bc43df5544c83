import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scopeOf, tokenize } from './grammarTokenizer';

test('field names, colons and scalar values', async () => {
  const t = await tokenize('name: "simple"\nmax_batch_size: 8\n');
  assert.equal(scopeOf(t, 'name'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, ':'), 'punctuation.separator.key-value.pbtxt');
  assert.equal(scopeOf(t, 'simple'), 'string.quoted.double.pbtxt');
  assert.equal(scopeOf(t, 'max_batch_size'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, '8'), 'constant.numeric.integer.decimal.pbtxt');
});

test('enum identifiers after a colon are values, not fields', async () => {
  const t = await tokenize('input { name: "x" data_type: TYPE_FP32 format: FORMAT_NCHW dims: [ 3 ] }');
  assert.equal(scopeOf(t, 'TYPE_FP32'), 'constant.other.enum.pbtxt');
  assert.equal(scopeOf(t, 'FORMAT_NCHW'), 'constant.other.enum.pbtxt');
  assert.equal(scopeOf(t, 'data_type'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'format'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'dims'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'input'), 'support.type.property-name.pbtxt');
});

test('an enum at the end of a line followed by a field on the next line', async () => {
  const t = await tokenize('instance_group {\n  kind: KIND_GPU\n  count: 2\n}');
  assert.equal(scopeOf(t, 'KIND_GPU'), 'constant.other.enum.pbtxt');
  assert.equal(scopeOf(t, 'count'), 'support.type.property-name.pbtxt');
});

test('a field name before a block on the next line stays a field name', async () => {
  const t = await tokenize('dynamic_batching\n{\n  preferred_batch_size: [ 4, 8 ]\n}');
  assert.equal(scopeOf(t, 'dynamic_batching'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'preferred_batch_size'), 'support.type.property-name.pbtxt');
});

test('booleans in every accepted spelling', async () => {
  const t = await tokenize('a: true b: False c: t d: f');
  for (const word of ['true', 'False', 't', 'f']) {
    assert.equal(scopeOf(t, word), 'constant.language.boolean.pbtxt', word);
  }
});

test('numbers: decimal, negative, hex, octal, floats, exponents, suffixes, inf and nan', async () => {
  const t = await tokenize(
    'a: 123 b: -1 c: 0x1F d: 010 e: 1.5 f1: .5 g: 1e-3 h: 1.5E+2 i: 2.5f j: 1f k: inf l: -inf m: nan n: -Infinity',
  );
  assert.equal(scopeOf(t, '123'), 'constant.numeric.integer.decimal.pbtxt');
  assert.equal(scopeOf(t, '-1'), 'constant.numeric.integer.decimal.pbtxt');
  assert.equal(scopeOf(t, '0x1F'), 'constant.numeric.integer.hexadecimal.pbtxt');
  assert.equal(scopeOf(t, '010'), 'constant.numeric.integer.octal.pbtxt');
  for (const f of ['1.5', '.5', '1e-3', '1.5E+2', '2.5f', '1f']) {
    assert.equal(scopeOf(t, f), 'constant.numeric.float.pbtxt', f);
  }
  for (const s of ['inf', '-inf', 'nan', '-Infinity']) {
    assert.equal(scopeOf(t, s), 'constant.numeric.float.special.pbtxt', s);
  }
});

test('negative numbers inside lists', async () => {
  const t = await tokenize('dims: [ -1, 3, 224 ]');
  assert.equal(scopeOf(t, '-1'), 'constant.numeric.integer.decimal.pbtxt');
  assert.equal(scopeOf(t, '224'), 'constant.numeric.integer.decimal.pbtxt');
  assert.equal(scopeOf(t, ','), 'punctuation.separator.comma.pbtxt');
});

test('malformed numbers are marked invalid', async () => {
  const t = await tokenize('a: 5abc b: 08');
  assert.equal(scopeOf(t, '5abc'), 'invalid.illegal.numeric.pbtxt');
  assert.equal(scopeOf(t, '08'), 'invalid.illegal.numeric.pbtxt');
});

test('comments run to the end of the line, also after values', async () => {
  const t = await tokenize('# header\nplatform: "onnxruntime_onnx"  # or backend\n');
  assert.equal(scopeOf(t, ' header'), 'comment.line.number-sign.pbtxt');
  assert.equal(scopeOf(t, ' or backend'), 'comment.line.number-sign.pbtxt');
  assert.equal(scopeOf(t, '#'), 'punctuation.definition.comment.pbtxt');
});

test('a # inside a string is not a comment', async () => {
  const t = await tokenize('name: "a#b"');
  assert.equal(scopeOf(t, 'a#b'), 'string.quoted.double.pbtxt');
});

test('string escapes: simple, octal, hex, unicode; unknown escapes are invalid', async () => {
  const t = await tokenize(String.raw`s: "x\n\t\\\"\101\x41\u00e9\U0001F600\q" q: 'it\'s'`);
  for (const e of [String.raw`\n`, String.raw`\t`, String.raw`\\`, String.raw`\"`, String.raw`\101`, String.raw`\x41`, String.raw`\u00e9`, String.raw`\U0001F600`]) {
    assert.equal(scopeOf(t, e), 'constant.character.escape.pbtxt', e);
  }
  assert.equal(scopeOf(t, String.raw`\q`), 'invalid.illegal.unknown-escape.pbtxt');
  assert.equal(scopeOf(t, String.raw`\'`), 'constant.character.escape.pbtxt');
  assert.equal(scopeOf(t, 'it'), 'string.quoted.single.pbtxt');
});

test('an unterminated string stops at the end of its line', async () => {
  const t = await tokenize('name: "oops\nmax_batch_size: 4');
  assert.equal(scopeOf(t, 'max_batch_size'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, '4'), 'constant.numeric.integer.decimal.pbtxt');
});

test('braces, angle brackets and square brackets are punctuation with nested fields', async () => {
  const t = await tokenize('version_policy: < specific { versions: [ 1, 3 ] } >');
  assert.equal(scopeOf(t, '<'), 'punctuation.section.angle-brackets.begin.pbtxt');
  assert.equal(scopeOf(t, '>'), 'punctuation.section.angle-brackets.end.pbtxt');
  assert.equal(scopeOf(t, '{'), 'punctuation.section.braces.begin.pbtxt');
  assert.equal(scopeOf(t, '}'), 'punctuation.section.braces.end.pbtxt');
  assert.equal(scopeOf(t, '['), 'punctuation.section.brackets.begin.pbtxt');
  assert.equal(scopeOf(t, ']'), 'punctuation.section.brackets.end.pbtxt');
  assert.equal(scopeOf(t, 'specific'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'versions'), 'support.type.property-name.pbtxt');
  const three = t.find((x) => x.text === '3');
  assert.ok(three?.scopes.includes('meta.message.pbtxt'), 'list inside a message keeps the message scope');
});

test('message lists spanning lines keep fields and enums apart', async () => {
  const text = [
    'input [',
    '  { name: "INPUT0", data_type: TYPE_INT32, dims: [ 16 ] },',
    '  {',
    '    name: "INPUT1"',
    '    data_type: TYPE_FP16',
    '  }',
    ']',
    'output: { name: "OUT"; data_type: TYPE_INT32; dims: [16] }',
  ].join('\n');
  const t = await tokenize(text);
  assert.equal(scopeOf(t, 'name', 1), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'TYPE_FP16'), 'constant.other.enum.pbtxt');
  assert.equal(scopeOf(t, 'TYPE_INT32', 1), 'constant.other.enum.pbtxt');
  assert.equal(scopeOf(t, ';'), 'punctuation.separator.semicolon.pbtxt');
  assert.equal(scopeOf(t, 'output'), 'support.type.property-name.pbtxt');
});

test('map entries: key and value are fields', async () => {
  const t = await tokenize('parameters { key: "execute_delay_ms" value: { string_value: "3" } }');
  assert.equal(scopeOf(t, 'key'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'value'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'string_value'), 'support.type.property-name.pbtxt');
});

test('enum values written inside a list are values', async () => {
  const t = await tokenize('kinds: [ KIND_GPU, KIND_CPU ]');
  assert.equal(scopeOf(t, 'KIND_GPU'), 'constant.other.enum.pbtxt');
  assert.equal(scopeOf(t, 'KIND_CPU'), 'constant.other.enum.pbtxt');
});

test('extension names in square brackets', async () => {
  const t = await tokenize('[my.pkg.ext] { a: 1 }');
  assert.equal(scopeOf(t, 'my.pkg.ext'), 'entity.name.type.extension.pbtxt');
});

test('the manifest contributes the language, its files, grammar and configuration', () => {
  const root = join(__dirname, '..', '..', '..');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    activationEvents: string[];
    contributes: {
      languages: { id: string; extensions?: string[]; filenames?: string[]; configuration?: string; aliases?: string[] }[];
      grammars: { language: string; scopeName: string; path: string }[];
    };
  };
  const lang = manifest.contributes.languages.find((l) => l.id === 'pbtxt');
  assert.ok(lang);
  for (const ext of ['.pbtxt', '.textproto', '.prototxt']) assert.ok(lang.extensions?.includes(ext), ext);
  assert.ok(lang.aliases?.includes('Protobuf Text Format'));
  assert.ok(existsSync(join(root, lang.configuration ?? 'missing')));
  const grammar = manifest.contributes.grammars.find((g) => g.language === 'pbtxt');
  assert.equal(grammar?.scopeName, 'source.pbtxt');
  assert.ok(existsSync(join(root, grammar?.path ?? 'missing')));
  assert.ok(manifest.activationEvents.includes('onLanguage:pbtxt'));
});

test('language configuration: # comments, brackets, indentation after an opening bracket', () => {
  const root = join(__dirname, '..', '..', '..');
  const config = JSON.parse(readFileSync(join(root, 'language-configuration.json'), 'utf8')) as {
    comments: { lineComment: string };
    brackets: [string, string][];
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    wordPattern: string;
  };
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets.map((b) => b.join('')).sort(), ['<>', '[]', '{}']);
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const line of ['input [', 'dynamic_batching {', '  { # first', 'version_policy: <']) assert.ok(increase.test(line), line);
  for (const line of ['name: "x"', 'dims: [ 1, 2 ]', 'a { b: 1 }', '# note {']) assert.ok(!increase.test(line), line);
  for (const line of ['}', '  ]', '  },', '>']) assert.ok(decrease.test(line), line);
  assert.ok(!decrease.test('  name: "}"'));
  const word = new RegExp(config.wordPattern, 'g');
  assert.deepEqual('data_type: TYPE_FP32 dims: [ -1, 2.5 ]'.match(word), ['data_type', 'TYPE_FP32', 'dims', '-1', '2.5']);
});

test('```pbtxt code blocks in Markdown are highlighted with the pbtxt grammar', async () => {
  const t = await tokenize('Some text\n\n```pbtxt\nname: "x"\nkind: KIND_GPU\n```\n\nafter name: here', 'text.html.markdown');
  const name = t.find((x) => x.text === 'name');
  assert.ok(name?.scopes.includes('meta.embedded.block.pbtxt'), JSON.stringify(name));
  assert.equal(scopeOf(t, 'name'), 'support.type.property-name.pbtxt');
  assert.equal(scopeOf(t, 'KIND_GPU'), 'constant.other.enum.pbtxt');
  const after = t.find((x) => x.text.includes('after'));
  assert.ok(after !== undefined && !after.scopes.some((s) => s.endsWith('.pbtxt')), 'text after the fence is Markdown again');
  const other = await tokenize('```python\nname: 1\n```', 'text.html.markdown');
  assert.ok(!other.some((x) => x.scopes.some((s) => s.endsWith('.pbtxt'))), 'other languages are left alone');
});
