// Entry point the extension host loads for extension tests: runs every compiled *.test.js beside it
// with mocha (BDD), optionally narrowed by TEST_FILTER (path substring) or MOCHA_GREP (test title).
import Mocha from 'mocha';
import { relative } from 'node:path';
import { listFiles } from '../host/files';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: Number(process.env.MOCHA_TIMEOUT ?? 20_000),
    ...(process.env.MOCHA_GREP ? { grep: process.env.MOCHA_GREP } : {}),
  });
  const filter = process.env.TEST_FILTER;
  const files = listFiles(__dirname, (name) => name.endsWith('.test.js')).filter(
    (f) => !filter || relative(__dirname, f).includes(filter),
  );
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    if (files.length === 0) return reject(new Error(`no extension test files under ${__dirname}${filter ? ` matching ${filter}` : ''}`));
    const runner = mocha.run((failures) => {
      // The runner script reads this line to print totals CI can grep.
      const stats = runner.stats;
      console.log(`[extension-tests] passed=${stats?.passes ?? 0} failed=${failures} pending=${stats?.pending ?? 0}`);
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
  });
}
