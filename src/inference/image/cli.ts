#!/usr/bin/env node
// Entry point of triton-preprocess (npm run preprocess); the work is in preprocessCommand.ts.
import { runPreprocessCommand } from './preprocessCommand';

// `npm run preprocess` runs in the package folder; INIT_CWD is where the user typed the command.
const io = { cwd: process.env.INIT_CWD ?? process.cwd(), out: (l: string): void => console.log(l), err: (l: string): void => console.error(l) };
runPreprocessCommand(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  },
);
