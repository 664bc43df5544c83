import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complete } from '../../../src/pbtxt/completion';
import { fileReferences } from '../../../src/pbtxt/fileReferences';
import { foldingRanges } from '../../../src/pbtxt/folding';
import { formatDocument } from '../../../src/pbtxt/format';
import { hoverAt } from '../../../src/pbtxt/hover';
import { parse } from '../../../src/pbtxt/parser';
import { quickFixesFor } from '../../../src/pbtxt/quickFixes';
import { summarizeModel } from '../../../src/pbtxt/repositoryModel';
import { loadSchema } from '../../../src/pbtxt/schema';
import { shapeHints } from '../../../src/pbtxt/shapeHints';
import type { OutlineSymbol } from '../../../src/pbtxt/symbols';
import { documentSymbols } from '../../../src/pbtxt/symbols';
import { validateDocument } from '../../../src/pbtxt/validate';
import { cpuMark, cpuMillisSince } from './cpuTime';

const SEED_TEXT = `# sample
name: "m"
platform: "ensemble"
max_batch_size: 8
input [ { name: "RAW", data_type: TYPE_UINT8, dims: [ -1 ] } ]
output: { name: "OUT"; data_type: TYPE_FP32; dims: [ 3, 224, 224 ] reshape { shape: [ 1, 3, 224, 224 ] } }
instance_group [ { kind: KIND_GPU count: 2 gpus: [ 0 ] } ]
dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }
version_policy: < specific { versions: [ 1, 3 ] } >
parameters { key: "k" value { string_value: "v\\n\\x41" } }
ensemble_scheduling { step [ { model_name: "a" input_map { key: "x" value: "RAW" } output_map { key: "y" value: "OUT" } } ] }
`;

const PIECES = ['{', '}', '[', ']', '<', '>', ':', ',', ';', '"', "'", '#', '\n', ' ', '-', '0x', '1e', 'input', 'dims', 'TYPE_', '\\', '\u00e9', '\ud83d\ude00'];

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const choice = random();
    if (choice < 0.4) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 8));
    else if (choice < 0.8) out = out.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + out.slice(at);
    else out = out.slice(0, at);
  }
  return out;
}

function checkSymbols(symbols: readonly OutlineSymbol[], length: number): void {
  for (const s of symbols) {
    assert.ok(s.name.length > 0);
    assert.ok(s.range.start.offset <= s.selectionRange.start.offset && s.selectionRange.end.offset <= s.range.end.offset);
    assert.ok(s.range.end.offset <= length);
    checkSymbols(s.children, length);
  }
}

test('completion, hover, outline, folding, hints, links, formatting and quick fixes never throw on broken text', () => {
  const schema = loadSchema();
  const random = rng(20251124);
  let formatted = 0;
  for (let round = 0; round < 150; round++) {
    const text = mutate(SEED_TEXT, random);
    const doc = parse(text);
    const where = `round ${round}: ${JSON.stringify(text)}`;
    try {
      for (let k = 0; k < 4; k++) {
        const offset = Math.floor(random() * (text.length + 1));
        for (const item of complete(text, schema, offset, { modelNames: ['a', 'b'], modelOf: (m) => summarizeModel(m, text) })) {
          assert.ok(item.range.start.offset <= offset && offset <= item.range.end.offset, 'the replaced range holds the cursor');
        }
        const hover = hoverAt(doc, schema, offset);
        if (hover !== undefined) assert.ok(hover.contents.length > 0);
      }
      checkSymbols(documentSymbols(doc), text.length);
      for (const r of foldingRanges(doc)) assert.ok(r.startLine < r.endLine);
      for (const h of shapeHints(doc)) assert.ok(h.position.offset <= text.length);
      for (const f of fileReferences(doc.root, schema)) assert.ok(f.name.length > 0);
      const result = formatDocument(text, doc);
      if (result.ok) {
        formatted++;
        assert.equal(formatDocument(result.text).ok, true, 'formatted output formats again');
      }
      for (const d of validateDocument(doc, schema)) {
        for (const fix of quickFixesFor(doc, d)) for (const e of fix.edits) assert.ok(e.range.start.offset <= e.range.end.offset);
      }
    } catch (error) {
      throw new Error(`${where}\n${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  assert.ok(formatted > 0, 'some mutations stay valid and get formatted');
});

test('deeply nested and very long input stays bounded', () => {
  const schema = loadSchema();
  const deep = 'optimization { '.repeat(5000) + '}'.repeat(5000);
  const doc = parse(deep);
  assert.equal(formatDocument(deep, doc).ok, false, 'beyond the nesting limit the text is a syntax error, not formatted');
  complete(deep, schema, 7500);
  hoverAt(doc, schema, 7500);
  documentSymbols(doc);
  const long = `name: "${'x'.repeat(1_000_000)}"\n`;
  const started = cpuMark();
  assert.equal(complete(long, schema, long.length).length > 0, true);
  assert.equal(formatDocument(long).ok, true);
  assert.ok(cpuMillisSince(started) < 5000, 'a 1 MB string is handled in linear time');
});
