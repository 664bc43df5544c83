// Which heavy packages (gRPC, protobuf) the extension's static import graph runs at activation, and
// through which chain of files: the activation budget depends on them loading on first use.
import * as esbuild from 'esbuild';
import { resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..');

export const HEAVY_PACKAGES: readonly string[] = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'];

/** For each heavy package that runs at activation: the chain of static imports that pulls it in. */
export async function eagerHeavyImports(packages: readonly string[] = HEAVY_PACKAGES, entry = 'src/extension.ts'): Promise<string[]> {
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
  const chains: string[] = [];
  for (const pkg of packages) {
    const hit = [...previous.keys()].find((f) => f.startsWith(`node_modules/${pkg}/`));
    if (!hit) continue;
    const chain: string[] = [];
    for (let f: string | undefined = hit; f !== undefined; f = previous.get(f)) if (!f.includes('node_modules/') || f === hit) chain.push(f);
    chains.push(`${pkg}: ${chain.reverse().join(' -> ')}`);
  }
  return chains;
}
