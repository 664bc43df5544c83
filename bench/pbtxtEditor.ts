// Bench: editor features (completion, hover, outline, formatting) on a 5,000-line config.pbtxt;
// prints medians against a 50 ms keystroke budget. Run: npx tsx bench/pbtxtEditor.ts
import { bigConfig } from './pbtxt';
import { complete } from '../src/pbtxt/completion';
import { formatDocument } from '../src/pbtxt/format';
import { hoverAt } from '../src/pbtxt/hover';
import { parse } from '../src/pbtxt/parser';
import { loadSchema } from '../src/pbtxt/schema';
import { documentSymbols } from '../src/pbtxt/symbols';

const BUDGET_MS = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(label: string, run: () => unknown): void {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const m = median(times);
  const min = Math.min(...times);
  console.log(`  ${label.padEnd(34)} median ${m.toFixed(2).padStart(7)} ms, min ${min.toFixed(2).padStart(7)} ms  (budget ratio ${(m / BUDGET_MS).toFixed(2)})`);
}

function main(): void {
  const text = bigConfig(5000);
  const schema = loadSchema();
  const middle = text.indexOf('data_type', Math.floor(text.length / 2));
  const fieldPos = text.indexOf('\n', middle) + 1;
  console.log(`pbtxt editor bench: ${text.split('\n').length - 1} lines, ${(text.length / 1024).toFixed(0)} KiB, ${RUNS} runs`);
  time('completion (field, mid-file)', () => complete(text, schema, fieldPos));
  time('completion (enum value, mid-file)', () => complete(text, schema, middle + 'data_type: '.length));
  time('parse + hover (mid-file)', () => hoverAt(parse(text), schema, middle + 2));
  time('parse + outline', () => documentSymbols(parse(text)));
  time('format (incl. parse and check)', () => formatDocument(text));
}

if (require.main === module) main();
