#!/usr/bin/env node
// Command-line linter for Triton config.pbtxt files: triton-lint-config [--hints] [--disable-auto-complete-config] <files or folders>...
import { lintPaths } from './lint';

const USAGE = `usage: triton-lint-config [--hints] [--disable-auto-complete-config] <config.pbtxt | model folder | model repository>...
Prints path:line:column: severity: message for each problem; exits 1 when there is an error.
  --hints                          also print what Triton fills in by itself
  --disable-auto-complete-config   check as for a server started with that option: inputs and outputs
                                   need data_type and dims even where the backend could read them
                                   from the model file`;

const FLAGS = new Set(['--hints', '--disable-auto-complete-config']);

async function main(argv: string[]): Promise<number> {
  const hints = argv.includes('--hints');
  const autoCompleteConfig = !argv.includes('--disable-auto-complete-config');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const paths = argv.filter((a) => !FLAGS.has(a));
  const unknown = paths.find((a) => a.startsWith('--'));
  if (paths.length === 0 || unknown !== undefined) {
    console.error(unknown !== undefined ? `unknown option ${unknown}\n${USAGE}` : USAGE);
    return 2;
  }
  // `npm run lint-config` runs in the package folder; INIT_CWD is where the user typed the command.
  const base = process.env.INIT_CWD ?? process.cwd();
  const result = await lintPaths(paths, { base, hints, autoCompleteConfig });
  for (const line of result.lines) console.log(line);
  for (const p of result.problems) console.error(p);
  const { error, warning } = result.counts;
  if (result.lines.length > 0) console.error(`${error} error(s), ${warning} warning(s)`);
  if (result.problems.length > 0) return 2;
  return error > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  },
);
