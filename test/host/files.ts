// Recursive file listing for the test runners and log readers.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir` whose name satisfies `match`, sorted; none when `dir` does not exist. */
export function listFiles(dir: string, match: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (match(name)) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}
