// Runs node:test over every *.test.ts file below the given folders (Node 20's --test takes no globs).
// Usage: node scripts/node-test.mjs <folder>... [-- extra node --test flags]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const folders = dash === -1 ? argv : argv.slice(0, dash);
const extra = dash === -1 ? [] : argv.slice(dash + 1);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = folders.flatMap((f) => collect(f, [])).sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${folders.join(', ')}`);
  process.exit(1);
}
const filter = process.env.TEST_FILTER;
const selected = filter ? files.filter((f) => f.includes(filter)) : files;
// With no file arguments node --test would run every test file below the working directory.
if (selected.length === 0) {
  console.error(`no *.test.ts files under ${folders.join(', ')} match TEST_FILTER=${filter}`);
  process.exit(1);
}
const reporter = ['--test-reporter=spec'];
// A test that never settles must fail with its name rather than stall the whole run.
const timeout = extra.some((a) => a.startsWith('--test-timeout')) ? [] : [`--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 180000}`];
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...reporter, ...timeout, ...extra, ...selected.map((f) => relative(process.cwd(), f))], { stdio: 'inherit' });
process.exit(r.status ?? 1);
