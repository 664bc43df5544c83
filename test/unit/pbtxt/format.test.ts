import { test } from 'node:test';
import { cpuMark, cpuMillisSince } from './cpuTime';
import assert from 'node:assert/strict';
import type { MessageNode, ParsedDocument, TextEdit } from '../../../src/pbtxt/ast';
import { formatDocument } from '../../../src/pbtxt/format';
import { parse } from '../../../src/pbtxt/parser';

function format(text: string): string {
  const r = formatDocument(text);
  if (!r.ok) throw new Error(r.reason);
  return r.text;
}

/** Field paths with decoded values, in order: what a reader of the config would get. */
function content(doc: ParsedDocument): string[] {
  const out: string[] = [];
  const walk = (m: MessageNode, path: string): void => {
    for (const f of m.fields) {
      const p = `${path}/${f.name}`;
      const v = f.value;
      if (v === undefined) out.push(`${p}=?`);
      else if (v.kind === 'scalar') out.push(`${p}=${String(v.value)}`);
      else if (v.kind === 'message') walk(v, p);
      else v.items.forEach((item, i) => (item.kind === 'scalar' ? out.push(`${p}[${i}]=${String(item.value)}`) : walk(item, `${p}[${i}]`)));
    }
  };
  walk(doc.root, '');
  return out;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const e of [...edits].sort((a, b) => b.range.start.offset - a.range.start.offset)) {
    result = result.slice(0, e.range.start.offset) + e.newText + result.slice(e.range.end.offset);
  }
  return result;
}

const SAMPLES = [
  'name: "simple"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\ninput [\n  { name: "INPUT0", data_type: TYPE_INT32, dims: [ 16 ] },\n  { name: "INPUT1"  data_type: TYPE_INT32  dims: [ 16 ] }\n]\noutput { name: "OUTPUT0" data_type: TYPE_INT32 dims: 16 }\noutput: { name: "OUTPUT1"; data_type: TYPE_INT32; dims: [16] }\ninstance_group [ { kind: KIND_CPU count: 2 } ]\ndynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }\nversion_policy: { specific: { versions: [ 1, 3 ] } }\nparameters { key: "execute_delay_ms" value: { string_value: "3" } }\n',
  'sequence_batching {\n  max_sequence_idle_microseconds: 10000000\n  oldest { max_candidate_sequences: 1024 max_queue_delay_microseconds: 10000 }\n  control_input [\n    { name: "START"  control [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ] },\n    { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] }\n  ]\n}\n',
  '# ensemble\nname: "pipeline"\nplatform: "ensemble"\nensemble_scheduling {\n  step [\n    { model_name: "preprocess" model_version: -1\n      input_map  { key: "INPUT"  value: "RAW" }\n      output_map { key: "OUTPUT" value: "image" } }\n  ]\n}\n',
  'version_policy: < all < > >\nreshape: { shape: [ ] }\nx: - 5\ny: -inf\nz: 0x1F\nw: 1.5e3f\ns: "a\\"b" \'c\'\n',
];

test('formats to the canonical style: 2-space indent, one field per line, expanded blocks', () => {
  const text = 'name: "m" max_batch_size: 8\ninput [ { name: "I", data_type: TYPE_FP32; dims: [1,2] } ]\nversion_policy: < latest { num_versions: 2 } >\ndynamic_batching { }\n';
  assert.equal(
    format(text),
    [
      'name: "m"',
      'max_batch_size: 8',
      'input [',
      '  {',
      '    name: "I"',
      '    data_type: TYPE_FP32',
      '    dims: [ 1, 2 ]',
      '  }',
      ']',
      'version_policy {',
      '  latest {',
      '    num_versions: 2',
      '  }',
      '}',
      'dynamic_batching { }',
      '',
    ].join('\n'),
  );
});

test('formatting is idempotent and keeps every field and value', () => {
  for (const sample of SAMPLES) {
    const once = format(sample);
    assert.equal(format(once), once, sample);
    assert.deepEqual(content(parse(once)), content(parse(sample)));
    assert.deepEqual(parse(once).errors, []);
  }
});

test('comments are kept: leading, trailing, inside lists, at the end, and after one-line blocks', () => {
  const text = [
    '# header',
    'name: "m"   # the name',
    'input [',
    '  # first input',
    '  { name: "A" data_type: TYPE_FP32 dims: [ 1 ] }, # after A',
    '  { name: "B" data_type: TYPE_FP32 dims: [ 1 ] }',
    '  # no more inputs',
    ']',
    'dynamic_batching { max_queue_delay_microseconds: 5 } # tail of block',
    'optimization { # opens',
    '  # inside only',
    '}',
    '# end',
  ].join('\n');
  const out = format(text);
  const lines = out.split('\n');
  assert.equal(lines[0], '# header');
  assert.equal(lines[1], 'name: "m"  # the name');
  assert.ok(lines.includes('  # first input'));
  assert.ok(lines.includes('  },  # after A'), out);
  assert.ok(lines.includes('  # no more inputs'));
  assert.ok(lines.includes('}  # tail of block'), out);
  assert.ok(lines.includes('optimization {  # opens'), out);
  assert.ok(lines.includes('  # inside only'));
  assert.equal(lines[lines.length - 2], '# end');
  for (const c of ['header', 'the name', 'first input', 'after A', 'no more inputs', 'tail of block', 'opens', 'inside only', 'end']) {
    assert.equal(out.split(`# ${c}`).length, 2, `comment "${c}" appears exactly once`);
  }
  assert.equal(format(out), out);
});

test('one blank line is kept where the source had blank lines', () => {
  const out = format('name: "m"\n\n\n\nmax_batch_size: 1\nbackend: "python"\n');
  assert.equal(out, 'name: "m"\n\nmax_batch_size: 1\nbackend: "python"\n');
});

test('refuses to format a document with syntax errors and says where', () => {
  const text = 'name: "m"\ninput [ { name: "A" dims: [ 1, ] } ]\n';
  const r = formatDocument(text);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /line 2/);
  const unclosed = formatDocument('input {\n  name: "x"\n');
  assert.equal(unclosed.ok, false);
});

test('returned edits turn the original into the formatted text, touching only what changed', () => {
  const text = 'name: "m"\nmax_batch_size: 8\ninput { name: "A" data_type: TYPE_FP32 dims: [1] }\n';
  const r = formatDocument(text);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(applyEdits(text, r.edits), r.text);
  assert.equal(r.edits.length, 1);
  assert.equal(r.edits[0].range.start.line, 2, 'the first two lines are already canonical');
  const again = formatDocument(r.text);
  assert.ok(again.ok && again.edits.length === 0);
});

test('CRLF documents format without stray carriage returns in comments', () => {
  const out = format('name: "m" # c\r\nmax_batch_size: 2\r\n');
  assert.equal(out, 'name: "m"  # c\nmax_batch_size: 2\n');
});

test('empty and comment-only documents', () => {
  assert.equal(format(''), '');
  assert.equal(format('   \n\n'), '');
  assert.equal(format('# only\n#  a comment\n'), '# only\n#  a comment\n');
});

test('a multi-line string concatenation with a comment inside stays verbatim', () => {
  const text = 'name: "ab" # mid\n   "cd"\nbackend: "python"\n';
  const out = format(text);
  assert.equal(out, text);
});

test('long scalar lists wrap one element per line', () => {
  const values = Array.from({ length: 40 }, (_, i) => String(1000 + i));
  const out = format(`dims: [ ${values.join(', ')} ]\n`);
  const lines = out.split('\n');
  assert.equal(lines[0], 'dims: [');
  assert.equal(lines[1], '  1000,');
  assert.equal(lines[40], '  1039');
  assert.equal(lines[41], ']');
});

test('never loses content: every truncation of a sample is either refused or formatted equivalently', () => {
  const sample = SAMPLES[0] + SAMPLES[1];
  let formatted = 0;
  for (let cut = 0; cut <= sample.length; cut += 3) {
    const text = sample.slice(0, cut);
    const r = formatDocument(text);
    if (!r.ok) {
      assert.ok(parse(text).errors.length > 0, `refused a valid document: ${JSON.stringify(text)}`);
      continue;
    }
    formatted++;
    assert.deepEqual(content(parse(r.text)), content(parse(text)));
  }
  assert.ok(formatted > 5);
});

test('a large config formats quickly', () => {
  const inputs = Array.from({ length: 5000 }, (_, i) => `input { name: "I${i}" data_type: TYPE_FP32 dims: [ 1, 3, 224, 224 ] } # n${i}`);
  const text = inputs.join('\n');
  const started = cpuMark();
  const out = format(text);
  const elapsed = cpuMillisSince(started);
  assert.equal(out.split('\n').length, 5000 * 5 + 1);
  assert.ok(elapsed < 3000, `took ${elapsed.toFixed(0)} ms of CPU`);
});
