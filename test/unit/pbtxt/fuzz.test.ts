// Fuzz: mutated corpus configs never make the parser or validator throw, hang, or lose positions.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from '../../../src/pbtxt/parser';
import { loadSchema } from '../../../src/pbtxt/schema';
import { validateDocument } from '../../../src/pbtxt/validate';
import { configJsonToPbtxt } from '../../../src/pbtxt/fromJson';
import { locate } from '../../../src/pbtxt/locate';
import { corpusTexts, mutate, rng } from './mutate';
import { cpuMark, cpuMillisSince } from './cpuTime';

const RUNS = Number(process.env.PBTXT_FUZZ_RUNS ?? 3000);

test(`${RUNS} mutated configs parse and validate without throwing, each within 1 s`, () => {
  const texts = corpusTexts(join(__dirname, '../../fixtures/configs'));
  const schema = loadSchema();
  const random = rng(20261124);
  let slowest = 0;
  for (let i = 0; i < RUNS; i++) {
    const input = mutate(texts[i % texts.length], random);
    const started = cpuMark();
    let diagnostics;
    try {
      const doc = parse(input);
      diagnostics = validateDocument(doc, schema);
      locate(doc, schema, Math.floor(random() * (input.length + 1)));
    } catch (e) {
      assert.fail(`run ${i} threw ${String(e)} on ${JSON.stringify(input)}`);
    }
    for (const d of diagnostics) {
      assert.ok(d.range.start.offset <= d.range.end.offset && d.range.end.offset <= input.length, `run ${i}: range out of the text`);
      assert.ok(d.message.length > 0);
    }
    slowest = Math.max(slowest, cpuMillisSince(started));
  }
  assert.ok(slowest < 1000, `slowest input took ${slowest.toFixed(1)} ms of CPU`);
});

test('hostile shapes: huge lists, long lines, deep nesting, binary junk', () => {
  const schema = loadSchema();
  const inputs = [
    `input { dims: [ ${Array.from({ length: 200_000 }, (_, i) => i).join(', ')} ] }`,
    'name: "' + 'x'.repeat(1_000_000) + '"',
    '{'.repeat(200_000),
    'input '.repeat(100_000),
    Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    // A 5,000-step ensemble chain written last step first, and the same chain closed into a cycle.
    ...[0, 1].map((cyclic) => 'platform: "ensemble"\ninput [ { name: "t0" data_type: TYPE_FP32 dims: [ 1 ] } ]\n'
      + 'output [ { name: "t5000" data_type: TYPE_FP32 dims: [ 1 ] } ]\nensemble_scheduling { step [\n'
      + Array.from({ length: 5000 }, (_, k) => 4999 - k).map((i) => `{ model_name: "m" input_map { key: "x" value: "t${cyclic === 1 && i === 0 ? 5000 : i}" } output_map { key: "y" value: "t${i + 1}" } }`).join(',\n')
      + '\n] }\n'),
  ];
  for (const text of inputs) {
    const started = cpuMark();
    validateDocument(parse(text), schema);
    assert.ok(cpuMillisSince(started) < 3000, `took too long on input starting ${JSON.stringify(text.slice(0, 20))}`);
  }
  assert.doesNotThrow(() => configJsonToPbtxt({ input: [{ dims: 'not a list' }, 5, null], name: { nested: true }, parameters: [1] }, schema));
});
