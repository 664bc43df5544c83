// Finds the folder holding the project's .proto files, both from the source tree (tests run
// through tsx) and from an installed extension (dist/ beside proto/ in the VSIX).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function protoDir(start: string = __dirname): string {
  if (cached !== undefined) return cached;
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'model_config.proto'))) {
      cached = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`proto/model_config.proto not found above ${start}`);
    dir = parent;
  }
}
