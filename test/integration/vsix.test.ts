// The packaged VSIX: only allow-listed files, everything the manifest names, and a bundle that
// activates from the extracted package alone (no node_modules ship).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../host/codeServer';
import { makeTempDir } from '../host/processes';
import { vsixPath } from '../host/workspace';
import { extractZip, readZip } from '../host/zipReader';
import type { ZipEntry } from '../host/zipReader';

let entries: ZipEntry[] = [];
const files = (): string[] => entries.map((e) => e.name.replace(/^extension\//, '')).filter((n) => !n.startsWith('[') && n !== 'extension.vsixmanifest');

before(() => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/package.mjs'), '--quiet'], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}${r.stderr}`);
  entries = readZip(vsixPath());
});

test('the VSIX holds the bundle, protos, grammar, language configuration and docs', () => {
  // vsce renames the docs: readme.md, changelog.md, LICENSE.txt.
  const required = ['package.json', 'readme.md', 'LICENSE.txt', 'changelog.md', 'dist/extension.js', 'dist/vendor.js', 'language-configuration.json', 'syntaxes/pbtxt.tmLanguage.json', 'proto/model_config.proto', 'proto/grpc_service.proto', 'proto/health.proto'];
  for (const f of required) {
    assert.ok(files().includes(f), `${f} is missing from the VSIX`);
  }
});

test('the VSIX holds no sources, tests, source maps or dependencies', () => {
  const leaked = files().filter((f) => /^(src|test|scripts|bench|node_modules|out|demo|\.ci|\.vscode-test)\/|\.map$|\.ts$/.test(f));
  assert.deepEqual(leaked, []);
});

test('the packaged bundle activates from the extracted package alone', () => {
  const temp = makeTempDir('triton-vsix');
  try {
    extractZip(vsixPath(), temp.path);
    // cwd and NODE_PATH point away from the repository, so only what the VSIX holds can load.
    const r = spawnSync(process.execPath, [join(repoRoot, 'bench/activationProbe.mjs'), join(temp.path, 'dist/extension.js')], {
      cwd: temp.path,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NODE_PATH: '' },
    });
    assert.equal(r.status, 0, `activation failed:\n${r.stderr}`);
    const result = JSON.parse(r.stdout.trim()) as { subscriptions: number; vendorLoaded: boolean };
    assert.ok(result.subscriptions > 0, 'activate() registered nothing');
    assert.equal(result.vendorLoaded, false, 'activation loaded dist/vendor.js (gRPC, protobufjs)');

    // The vendored packages themselves load from the package alone, each on first use.
    const vendor = spawnSync(
      process.execPath,
      ['-e', `const v = require(${JSON.stringify(join(temp.path, 'dist/vendor.js'))});
        const root = new v.protobufjs.Root().loadSync(${JSON.stringify(join(temp.path, 'proto/health.proto'))}, { keepCase: true });
        const pkg = v['@grpc/proto-loader'].fromJSON(root.toJSON(), {});
        const Client = v['@grpc/grpc-js'].makeGenericClientConstructor(pkg['grpc.health.v1.Health'], 'Health');
        console.log(typeof Client.prototype.Check);`],
      { cwd: temp.path, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_PATH: '' } },
    );
    assert.equal(vendor.status, 0, `dist/vendor.js failed:\n${vendor.stderr}`);
    assert.equal(vendor.stdout.trim(), 'function');
  } finally {
    temp.remove();
  }
});

test('the packaged triton-preprocess writes a tensor from the extracted package alone', () => {
  const temp = makeTempDir('triton-vsix-preprocess');
  try {
    extractZip(vsixPath(), temp.path);
    const bin = (JSON.parse(readFileSync(join(temp.path, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['triton-preprocess'];
    assert.equal(bin, 'dist/preprocess.js');
    const image = join(repoRoot, 'test/fixtures/images/pil/png-rgb8.png');
    const out = join(temp.path, 'cat.npy');
    const r = spawnSync(process.execPath, [join(temp.path, bin), '--shape', '3,10,12', '--out', out, image], {
      cwd: temp.path,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NODE_PATH: '', INIT_CWD: temp.path },
    });
    assert.equal(r.status, 0, `triton-preprocess failed:\n${r.stderr}`);
    assert.match(r.stdout, /cat\.npy: \[3, 10, 12\] FP32 from PNG RGB 23×17/);
    // The file numpy's own preprocessing wrote for this image and spec is the same, byte for byte.
    assert.deepEqual(readFileSync(out), readFileSync(join(repoRoot, 'test/fixtures/images/pil/png-rgb8.spec0.npy')));
  } finally {
    temp.remove();
  }
});
