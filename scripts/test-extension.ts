// Runs test/extension/**/*.test.ts with mocha inside a real VS Code extension host: the VS Code
// server from code-server plus a headless Chromium workbench, the way @vscode/test-electron would.
// Usage: tsx scripts/test-extension.ts   (env: TEST_FILTER, MOCHA_GREP, EXTENSION_TEST_TIMEOUT_MS)
import * as esbuild from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { format } from 'node:util';
import { repoRoot, startVsCodeTestServer } from '../test/host/codeServer';
import type { VsCodeTestServer } from '../test/host/codeServer';
import { launchBrowser } from '../test/host/browser';
import type { BrowserSession } from '../test/host/browser';
import { listFiles } from '../test/host/files';
import { makeTempDir, withTimeout } from '../test/host/processes';
import { prepareWorkspace } from '../test/host/workspace';
import { startReferenceServer } from '../test/support/referenceServer';
import type { ReferenceServer } from '../test/support/referenceServer';

const testsSource = join(repoRoot, 'test/extension');
const testsOut = join(repoRoot, 'out/test/extension');
const timeoutMs = Number(process.env.EXTENSION_TEST_TIMEOUT_MS ?? 300_000);

// Workbench messages that say only that this machine is offline.
const knownNoise = [/ENOTFOUND open-vsx\.org/, /\[Service Worker\] registration/, /^(Resolving|Resolved) connection token/, /^Creating a socket/];

async function compileTests(): Promise<void> {
  rmSync(testsOut, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [join(testsSource, 'index.ts'), ...listFiles(testsSource, (name) => name.endsWith('.test.ts'))],
    outbase: testsSource,
    outdir: testsOut,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
}

function summarize(lines: readonly string[], exitCode: number): { passed: number; failed: number } {
  const text = lines.join('\n');
  const totals = /\[extension-tests\] passed=(\d+) failed=(\d+)/.exec(text);
  if (totals) return { passed: Number(totals[1]), failed: Number(totals[2]) };
  const passing = /(\d+) passing/.exec(text);
  const failing = /(\d+) failing/.exec(text);
  return { passed: Number(passing?.[1] ?? 0), failed: Number(failing?.[1] ?? (exitCode === 0 ? 0 : 1)) };
}

async function main(): Promise<number> {
  const started = Date.now();
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building the extension failed');
  await compileTests();

  const temp = makeTempDir('triton-extension-tests');
  let reference: ReferenceServer | undefined;
  let host: VsCodeTestServer | undefined;
  let browser: BrowserSession | undefined;
  const lines: string[] = [];
  try {
    reference = await withTimeout(startReferenceServer(), 60_000, 'starting the reference server');
    console.log(`[extension-tests] reference server http=${reference.httpUrl} grpc=${reference.grpcUrl}`);
    // Extension tests may bring their own files in test/fixtures/workspace; the demo's otherwise.
    const fixture = join(repoRoot, 'test/fixtures/workspace');
    const workspace = prepareWorkspace(join(temp.path, 'workspace'), {
      source: existsSync(fixture) ? fixture : undefined,
      server: reference,
    });
    const env: Record<string, string> = { TRITON_TEST_HTTP_URL: reference.httpUrl, TRITON_TEST_GRPC_URL: reference.grpcUrl };
    for (const name of ['TEST_FILTER', 'MOCHA_GREP', 'MOCHA_TIMEOUT']) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    host = await startVsCodeTestServer({ env, echo: process.env.HOST_LOG ? '[host]' : undefined });
    browser = await launchBrowser();
    const { page } = browser;

    let finish: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (finish = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const message = format(...(Array.isArray(args) ? args : [args]));
      if (knownNoise.some((pattern) => pattern.test(message))) return;
      for (const l of message.split('\n')) {
        lines.push(l);
        console.log(type === 'error' ? `[ext-host:error] ${l}` : l);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    page.on('pageerror', (error) => console.log(`[workbench:pageerror] ${error.message}`));

    const remote = (path: string): string => `vscode-remote://${host?.authority}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(join(testsOut, 'index.js'))],
    ];
    const url = `${host.origin}/?${new URLSearchParams({ folder: workspace, payload: JSON.stringify(payload) }).toString()}`;
    await page.goto(url, { timeout: 60_000 });
    const code = await withTimeout(exited, timeoutMs, 'the extension test run');
    const { passed, failed } = summarize(lines, code);
    console.log(`${passed} passed, ${failed} failed (extension tests, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return code === 0 && failed === 0 ? 0 : 1;
  } finally {
    await browser?.close();
    await host?.stop();
    await reference?.stop();
    temp.remove();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[extension-tests] ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    console.log('0 passed, 1 failed (extension tests could not run)');
    process.exit(1);
  },
);
