// Long fuzz run: ≥ 100,000 mutated corpus configs through parse + validate; prints throughput and the slowest input.
import { join } from 'node:path';
import { parse } from '../src/pbtxt/parser';
import { loadSchema } from '../src/pbtxt/schema';
import { validateDocument } from '../src/pbtxt/validate';
import { corpusTexts, mutate, rng } from '../test/unit/pbtxt/mutate';

const RUNS = Number(process.argv[2] ?? 100_000);
const SEED = Number(process.argv[3] ?? Date.now() % 2 ** 31);

function main(): number {
  const texts = corpusTexts(join(__dirname, '../test/fixtures/configs'));
  const schema = loadSchema();
  const random = rng(SEED);
  let slowest = 0;
  let slowestInput = '';
  let diagnostics = 0;
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const input = mutate(texts[i % texts.length], random);
    const t = performance.now();
    try {
      for (const d of validateDocument(parse(input), schema)) {
        if (d.range.end.offset > input.length || d.range.start.offset > d.range.end.offset) throw new Error('range outside the text');
        diagnostics++;
      }
    } catch (e) {
      console.error(`seed ${SEED}, run ${i}: ${e instanceof Error ? e.stack : String(e)}\ninput: ${JSON.stringify(input)}`);
      return 1;
    }
    const ms = performance.now() - t;
    if (ms > slowest) {
      slowest = ms;
      slowestInput = input;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`pbtxt fuzz: ${RUNS} inputs (seed ${SEED}) in ${seconds.toFixed(1)} s, ${(RUNS / seconds).toFixed(0)} inputs/s, ${diagnostics} diagnostics, no exception`);
  // Re-time the slowest input: a pause from GC or a busy machine does not repeat, a pathological input does.
  let again = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    validateDocument(parse(slowestInput), schema);
    again = Math.min(again, performance.now() - t);
  }
  console.log(`  slowest input: ${slowest.toFixed(1)} ms (${slowestInput.length} chars); re-timed: ${again.toFixed(2)} ms`);
  return 0;
}

process.exitCode = main();
