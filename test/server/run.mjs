// Starts the reference server from an esbuild bundle in out/, rebuilding it only when a source is newer.
import { readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bundle = join(root, 'out', 'reference-server.js');

function newestSource() {
  let newest = statSync(join(root, 'src', 'util', 'protoDir.ts')).mtimeMs;
  for (const name of readdirSync(here)) {
    if (name.endsWith('.ts')) newest = Math.max(newest, statSync(join(here, name)).mtimeMs);
  }
  return newest;
}

function bundleTime() {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return -1;
  }
}

if (bundleTime() < newestSource()) {
  // Several test processes may start servers at once: build to a private file, then rename atomically.
  const tmp = `${bundle}.${process.pid}.tmp`;
  // esbuild is loaded only when a rebuild is needed: it costs tens of milliseconds at start-up.
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(here, 'main.ts')], outfile: tmp, bundle: true, platform: 'node', format: 'cjs',
    target: 'node20', packages: 'external', logLevel: 'error',
  });
  renameSync(tmp, bundle);
}
await import(pathToFileURL(bundle).href);
