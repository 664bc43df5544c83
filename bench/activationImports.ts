// Which heavy packages (gRPC, protobuf) and which lazy bundles (scripts/lazyBundles.json) the
// extension's static import graph runs at activation, and through which chain of files: the
// activation budget depends on them loading on first use.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..');

export const HEAVY_PACKAGES: readonly string[] = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'];

/** Bundle name → entry module (relative to the repository root): what the build loads on first use. */
export const LAZY_BUNDLES: Readonly<Record<string, string>> = JSON.parse(readFileSync(resolve(repoRoot, 'scripts/lazyBundles.json'), 'utf8')) as Record<string, string>;

/** Every file the entry's import statements reach, each with the file that first imported it. */
async function eagerGraph(entry: string): Promise<Map<string, string | undefined>> {
  const result = await esbuild.build({
    entryPoints: [resolve(repoRoot, entry)],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    mainFields: ['module', 'main'],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  // Only import statements run at load time; require() inside a function body waits for its call.
  const eager = new Map<string, string[]>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    eager.set(file, input.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path));
  }
  const previous = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const next of eager.get(file) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return previous;
}

/** The chain of imports from the entry to `hit`, leaving out the files inside packages on the way. */
function chainTo(previous: Map<string, string | undefined>, hit: string): string {
  const chain: string[] = [];
  for (let f: string | undefined = hit; f !== undefined; f = previous.get(f)) if (!f.includes('node_modules/') || f === hit) chain.push(f);
  return chain.reverse().join(' -> ');
}

/** For each heavy package that runs at activation: the chain of static imports that pulls it in. */
export async function eagerHeavyImports(packages: readonly string[] = HEAVY_PACKAGES, entry = 'src/extension.ts'): Promise<string[]> {
  const previous = await eagerGraph(entry);
  const chains: string[] = [];
  for (const pkg of packages) {
    const hit = [...previous.keys()].find((f) => f.startsWith(`node_modules/${pkg}/`));
    if (hit !== undefined) chains.push(`${pkg}: ${chainTo(previous, hit)}`);
  }
  return chains;
}

/**
 * For each lazy bundle whose entry module activation imports (directly or through other modules):
 * the chain. Such a bundle would be parsed and run at activation — and the build refuses it.
 */
export async function eagerBundleImports(bundles: Readonly<Record<string, string>> = LAZY_BUNDLES, entry = 'src/extension.ts'): Promise<string[]> {
  const previous = await eagerGraph(entry);
  return Object.entries(bundles).filter(([, file]) => previous.has(file)).map(([name, file]) => `${name}.js: ${chainTo(previous, file)}`);
}
