import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eagerBundleImports, eagerHeavyImports, HEAVY_PACKAGES, LAZY_BUNDLES } from '../../../bench/activationImports';

const repoRoot = resolve(__dirname, '../../..');

// gRPC (~70 ms to load) and protobufjs (~45 ms) would use up the 50 ms activation budget: they must
// be required on first use, never imported by anything activate() reaches.
test('activation loads neither the gRPC stack nor protobufjs', async () => {
  const chains = await eagerHeavyImports(HEAVY_PACKAGES);
  assert.deepEqual(chains, [], `loaded at activation (make the import lazy where the chain starts):\n${chains.join('\n')}`);
});

test('the analysis reports a static chain and ignores a require() on first use', async () => {
  const fixture = 'test/unit/harness/fixtures/eagerEntry.ts';
  const chains = await eagerHeavyImports(['protobufjs', '@grpc/grpc-js'], fixture);
  assert.deepEqual(chains, [
    `protobufjs: ${fixture} -> test/unit/harness/fixtures/eagerMiddle.ts -> node_modules/protobufjs/index.js`,
  ]);
});

// The panels, server logs, shared memory, the load test and the image library are bundles of their own,
// loaded on first use: activation registers them through thin code and imports none of their modules.
test('activation imports no feature bundle', async () => {
  assert.ok(Object.keys(LAZY_BUNDLES).length >= 5, 'scripts/lazyBundles.json lists the feature bundles');
  const chains = await eagerBundleImports();
  assert.deepEqual(chains, [], `imported at activation (import the feature's module with \`import type\` and require() it on first use):\n${chains.join('\n')}`);
});

test('the bundle analysis reports a static chain to a bundle entry and ignores a require() on first use', async () => {
  const dir = 'test/unit/harness/fixtures';
  const chains = await eagerBundleImports({ eager: `${dir}/featureMiddle.ts`, lazy: `${dir}/featureLazy.ts` }, `${dir}/featureEntry.ts`);
  assert.deepEqual(chains, [`eager.js: ${dir}/featureEntry.ts -> ${dir}/featureEager.ts -> ${dir}/featureMiddle.ts`]);
});

// What ships: the production build activated in a fresh process against a stand-in vscode. A feature
// required while activating (not only imported) shows here: its bundle file is loaded.
test('activating the built extension loads extension.js and no other bundle', () => {
  const out = mkdtempSync(join(tmpdir(), 'triton-lazy-build-'));
  try {
    const build = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--production', '--outdir', out], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(build.status, 0, `build failed:\n${build.stdout}${build.stderr}`);
    const built = readdirSync(out);
    for (const name of Object.keys(LAZY_BUNDLES)) assert.ok(built.includes(`${name}.js`), `the build writes ${name}.js`);
    const probe = spawnSync(process.execPath, [join(repoRoot, 'bench/activationProbe.mjs'), join(out, 'extension.js')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(probe.status, 0, `activation failed:\n${probe.stdout}${probe.stderr}`);
    const result = JSON.parse(probe.stdout.trim().split('\n').pop() ?? '{}') as { bundlesLoaded?: string[] };
    assert.deepEqual(result.bundlesLoaded, ['extension.js']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
