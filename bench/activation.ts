// Activation time and VSIX size: the production bundle activated in fresh plain-node processes with
// a stand-in `vscode`, and the installed VSIX activated in code-server's real extension host.
// Usage: tsx bench/activation.ts [--runs N] [--host-runs N] [--no-host] [--baseline other.vsix]
// --baseline: another VSIX (an earlier build) measured in the same run, runs alternating, with the ratio.
// Goals: activation <= 50 ms, VSIX <= 3 MB. Prints figures and ratios, never pass/fail.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { assertHostInstalled, readHostLogs, repoRoot, startCodeServer } from '../test/host/codeServer';
import { launchBrowser } from '../test/host/browser';
import { runCommand } from '../test/e2e/support/actions';
import { vsixPath } from '../test/host/workspace';
import { makeTempDir } from '../test/host/processes';
import { extractZip } from '../test/host/zipReader';
import { eagerBundleImports, eagerHeavyImports, LAZY_BUNDLES } from './activationImports';

const ACTIVATION_GOAL_MS = 50;
const VSIX_GOAL_BYTES = 3 * 1024 * 1024;

interface ProbeResult {
  /** The files of dist/ that activation loaded (extension.js alone when every other bundle waits for its first use). */
  bundlesLoaded: string[];
  requireMs: number;
  activateMs: number;
  totalMs: number;
  cpuMs: number;
}

interface HostResult {
  /** What the extension itself logs: its activate() body. */
  reportedMs: number;
  /** VS Code's activation time for the extension (Developer: Show Running Extensions). */
  vscodeMs: number;
  errors: string[];
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a whole number`);
  return value;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const median = (values: readonly number[]): number => quantile(values, 0.5);
const pct = (value: number, goal: number): string => `${((100 * value) / goal).toFixed(1)}%`;

function packageVsix(): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/package.mjs'), '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packaging failed:\n${r.stdout}${r.stderr}`);
  return vsixPath();
}

function probeOnce(bundle: string): ProbeResult {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bench/activationProbe.mjs'), bundle], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`activation probe failed:\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ProbeResult;
}

async function measureInHost(vsix: string): Promise<HostResult> {
  const server = await startCodeServer({ vsix: [vsix] });
  const browser = await launchBrowser();
  try {
    const { page } = browser;
    page.setDefaultTimeout(30_000);
    await page.goto(server.workbenchUrl(join(repoRoot, 'demo/workspace')), { timeout: 60_000 });
    await page.locator('.part.activitybar .action-item a[aria-label^="Triton"]').first().click();
    const logs = join(server.dirs.userData, 'logs');
    const deadline = Date.now() + 30_000;
    let line: string | undefined;
    while (!line) {
      const ours = readHostLogs(server.dirs, 'Triton Workbench.log');
      line = ours.split('\n').find((l) => /Triton Workbench activated in [\d.]+ ms/.test(l));
      if (line) break;
      if (Date.now() > deadline) throw new Error(`no "Triton Workbench activated" line in ${logs} within 30 s`);
      // The extension host flushes its log on its own schedule; look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // VS Code's own figure (module load + activate call + its promise), as Running Extensions shows it.
    await runCommand(page, 'Developer: Show Running Extensions');
    const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Triton Workbench' }).first();
    const text = await row.locator('.activation-time').innerText();
    const vscodeMs = Number(/([\d.]+)\s*ms/.exec(text)?.[1] ?? NaN);
    const host = readHostLogs(server.dirs, 'remoteexthost.log');
    const errors = host.split('\n').filter((l) => /\[error\]/.test(l) && /triton/i.test(l));
    return { reportedMs: Number(/activated in ([\d.]+) ms/.exec(line)?.[1]), vscodeMs, errors };
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const runs = argValue('--runs', 15);
  const hostRuns = process.argv.includes('--no-host') ? 0 : argValue('--host-runs', 3);
  const baselineArg = process.argv.indexOf('--baseline');
  const baseline = baselineArg === -1 ? undefined : process.argv[baselineArg + 1];
  if (baseline !== undefined && !existsSync(baseline)) throw new Error(`--baseline: no file ${baseline}`);
  const vsix = packageVsix();
  const vsixBytes = statSync(vsix).size;
  // Measure what ships: the bundle as extracted from the VSIX, beside nothing but the VSIX's files.
  const extracted = makeTempDir('triton-bench-vsix');
  const extractedBaseline = makeTempDir('triton-bench-baseline');
  let probes: ProbeResult[];
  const baselineProbes: ProbeResult[] = [];
  let bundleBytes: number;
  let vendorBytes: number;
  let lazyBytes: Record<string, number>;
  try {
    extractZip(vsix, extracted.path);
    const bundle = join(extracted.path, 'dist/extension.js');
    bundleBytes = statSync(bundle).size;
    vendorBytes = existsSync(join(extracted.path, 'dist/vendor.js')) ? statSync(join(extracted.path, 'dist/vendor.js')).size : 0;
    const sizeOf = (name: string): number => (existsSync(join(extracted.path, `dist/${name}.js`)) ? statSync(join(extracted.path, `dist/${name}.js`)).size : 0);
    lazyBytes = Object.fromEntries(Object.keys(LAZY_BUNDLES).map((name) => [name, sizeOf(name)]));
    if (baseline !== undefined) extractZip(baseline, extractedBaseline.path);
    probes = [];
    for (let i = 0; i < runs; i++) {
      probes.push(probeOnce(bundle));
      if (baseline !== undefined) baselineProbes.push(probeOnce(join(extractedBaseline.path, 'dist/extension.js')));
    }
  } finally {
    extracted.remove();
    extractedBaseline.remove();
  }
  const total = probes.map((p) => p.totalMs);
  const hosts: HostResult[] = [];
  const baselineHosts: HostResult[] = [];
  if (hostRuns > 0) {
    assertHostInstalled();
    for (let i = 0; i < hostRuns; i++) {
      hosts.push(await measureInHost(vsix));
      if (baseline !== undefined) baselineHosts.push(await measureInHost(baseline));
    }
  }

  console.log(`VSIX ${vsix.slice(repoRoot.length + 1)}: ${(vsixBytes / 1024).toFixed(1)} KiB (${pct(vsixBytes, VSIX_GOAL_BYTES)} of 3 MB)`);
  console.log(`bundle dist/extension.js: ${(bundleBytes / 1024).toFixed(1)} KiB; dist/vendor.js (gRPC, protobufjs, loaded on first use): ${(vendorBytes / 1024).toFixed(1)} KiB`);
  console.log(`bundles loaded on first use (scripts/lazyBundles.json): ${Object.entries(lazyBytes).map(([name, bytes]) => `${name}.js ${(bytes / 1024).toFixed(1)} KiB`).join(', ')}`);
  const loadedAtActivation = [...new Set(probes.flatMap((p) => p.bundlesLoaded ?? []))].sort();
  console.log(`files of dist/ loaded by activation: ${loadedAtActivation.join(', ')}`);
  console.log(
    `activation of the VSIX's bundle, plain node + stand-in vscode, ${runs} fresh processes: median ${median(total).toFixed(2)} ms ` +
      `(require ${median(probes.map((p) => p.requireMs)).toFixed(2)} + activate ${median(probes.map((p) => p.activateMs)).toFixed(2)}), ` +
      `p90 ${quantile(total, 0.9).toFixed(2)} ms, ${pct(median(total), ACTIVATION_GOAL_MS)} of ${ACTIVATION_GOAL_MS} ms; ` +
      `CPU time median ${median(probes.map((p) => p.cpuMs)).toFixed(2)} ms (${pct(median(probes.map((p) => p.cpuMs)), ACTIVATION_GOAL_MS)}; steadier than wall time on a loaded machine)`,
  );
  console.log(`load average while measuring: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  if (hosts.length > 0) {
    const reported = hosts.map((h) => h.reportedMs);
    const measured = hosts.map((h) => h.vscodeMs);
    console.log(
      `activation in code-server's extension host, ${hosts.length} cold starts: VS Code's figure median ${median(measured).toFixed(0)} ms ` +
        `(${pct(median(measured), ACTIVATION_GOAL_MS)} of ${ACTIVATION_GOAL_MS} ms; runs: ${measured.join(', ')} ms); ` +
        `the extension's own log: activate() body median ${median(reported).toFixed(1)} ms`,
    );
    const errors = hosts.flatMap((h) => h.errors);
    console.log(`extension host errors mentioning the extension: ${errors.length === 0 ? 'none' : `\n  ${errors.join('\n  ')}`}`);
  }
  if (baseline !== undefined) {
    const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
    const mine = median(total);
    const theirs = median(baselineProbes.map((p) => p.totalMs));
    console.log(
      `baseline ${baseline} (${(statSync(baseline).size / 1024).toFixed(1)} KiB), measured alternately: plain node median ${theirs.toFixed(2)} ms ` +
        `(require ${median(baselineProbes.map((p) => p.requireMs)).toFixed(2)}), CPU ${median(baselineProbes.map((p) => p.cpuMs)).toFixed(2)} ms; ` +
        `this build / baseline: total ${ratio(mine, theirs)}, require ${ratio(median(probes.map((p) => p.requireMs)), median(baselineProbes.map((p) => p.requireMs)))}, ` +
        `CPU ${ratio(median(probes.map((p) => p.cpuMs)), median(baselineProbes.map((p) => p.cpuMs)))}`,
    );
    if (baselineHosts.length > 0) {
      const measured = baselineHosts.map((h) => h.vscodeMs);
      console.log(
        `baseline in code-server: VS Code's figure median ${median(measured).toFixed(0)} ms (runs: ${measured.join(', ')} ms), activate() body median ` +
          `${median(baselineHosts.map((h) => h.reportedMs)).toFixed(1)} ms; this build / baseline: ${ratio(median(hosts.map((h) => h.vscodeMs)), median(measured))}`,
      );
    }
  }
  const chains = await eagerHeavyImports();
  console.log(`heavy packages loaded at activation: ${chains.length === 0 ? 'none (gRPC and protobufjs load on first use)' : `\n  ${chains.join('\n  ')}`}`);
  const bundleChains = await eagerBundleImports();
  console.log(`feature bundles imported at activation: ${bundleChains.length === 0 ? 'none' : `\n  ${bundleChains.join('\n  ')}`}`);
  const resultsDir = join(repoRoot, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'activation.json'),
    `${JSON.stringify({ date: new Date().toISOString(), vsixBytes, bundleBytes, vendorBytes, lazyBytes, probes, hosts, eagerHeavyImports: chains }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
