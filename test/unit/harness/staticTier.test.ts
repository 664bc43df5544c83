// `npm test` starts with the static tier (type check + lint), and the type check holds on a clean
// clone whose webview folder has no code yet.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script shared with scripts/test-all.mjs, without type declarations.
import { allTiers, counts, outcome } from '../../../scripts/testTiers.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function typecheckWebview(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'webview-tsconfig-'));
  try {
    mkdirSync(join(dir, 'src', 'webview-ui'), { recursive: true });
    copyFileSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    copyFileSync(join(root, 'src', 'webview-ui', 'tsconfig.json'), join(dir, 'src', 'webview-ui', 'tsconfig.json'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'src', 'webview-ui', name), text);
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'src', 'webview-ui', 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the webview type check passes while src/webview-ui holds only its tsconfig', () => {
  const r = typecheckWebview({});
  assert.equal(r.status, 0, r.output);
});

test('the webview type check still checks webview code once there is some', () => {
  const r = typecheckWebview({ 'main.ts': "export const count: number = 'three';\n" });
  assert.notEqual(r.status, 0);
  assert.match(r.output, /main\.ts.*TS2322/);
});

test('npm test runs the static tier first, and it runs both the type check and lint', () => {
  assert.equal(allTiers[0], 'static');
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  for (const tier of allTiers as string[]) assert.ok(scripts[`test:${tier}`] !== undefined, `test:${tier} is a script`);
  const runner = readFileSync(join(root, 'scripts', 'static-checks.mjs'), 'utf8');
  assert.match(runner, /'run', '--silent', 'typecheck'/);
  assert.match(runner, /'run', '--silent', 'lint'/);
});

test('the static tier adds no test counts, whatever tsc or eslint print', () => {
  const output = 'src/a.ts(1,1): error TS2322\n3 passed, 1 failed in some file name\nℹ pass 7\nstatic checks: typecheck failed, lint ok\n';
  assert.equal(counts('static', output), undefined);
  assert.equal(outcome('static', output, false), 'typecheck failed, lint ok');
  assert.deepEqual(counts('unit', 'ℹ pass 7\nℹ fail 1\n'), { passed: 7, failed: 1 });
  assert.equal(outcome('unit', 'ℹ pass 7\nℹ fail 1\n', false), '7 passed, 1 failed');
});
