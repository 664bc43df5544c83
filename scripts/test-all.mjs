// Runs every test tier in order (static, unit, integration, extension, e2e), keeps going after a
// failure, prints a summary, and exits non-zero when any tier failed.
// Usage: node scripts/test-all.mjs [tier...]
import { spawn } from 'node:child_process';
import { allTiers as all, counts, outcome } from './testTiers.mjs';

const requested = process.argv.slice(2);
const tiers = requested.length > 0 ? requested : all;
for (const t of tiers) {
  if (!all.includes(t)) {
    console.error(`unknown tier "${t}"; choose from ${all.join(', ')}`);
    process.exit(2);
  }
}

// A hung test must not hold CI until its own deadline: each tier gets a wall-clock limit.
const tierLimitMs = Number(process.env.TEST_TIER_TIMEOUT_S ?? 1200) * 1000;
let running;
let interrupted = false;

function killTier(signal) {
  try {
    process.kill(-running.pid, signal);
  } catch {
    // Already gone.
  }
}

function runTier(tier) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${tier} tests ===`);
    // Its own process group, so a timeout or Ctrl-C can stop everything the tier started.
    const child = spawn('npm', ['run', '--silent', `test:${tier}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running = child;
    let output = '';
    let timedOut = false;
    const forward = (target) => (chunk) => {
      output += chunk.toString();
      if (output.length > 4_000_000) output = output.slice(-2_000_000);
      target.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n[test] ${tier} tests ran past ${tierLimitMs / 1000} s; stopping them`);
      killTier('SIGTERM');
      setTimeout(() => killTier('SIGKILL'), 5_000).unref();
    }, tierLimitMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running = undefined;
      const failed = timedOut || code !== 0;
      resolve({ tier, code: failed ? code || 1 : 0, signal, timedOut, seconds: (Date.now() - started) / 1000, counts: counts(tier, output), outcome: outcome(tier, output, timedOut) });
    });
  });
}

process.on('SIGINT', () => {
  interrupted = true;
  if (running) killTier('SIGINT');
});

const results = [];
for (const tier of tiers) {
  if (interrupted) break;
  results.push(await runTier(tier));
}

console.log('\n=== summary ===');
for (const r of results) {
  console.log(`${r.code === 0 ? 'PASS' : 'FAIL'}  ${r.tier.padEnd(12)} ${r.outcome.padEnd(24)} ${r.seconds.toFixed(1)} s`);
}
const failed = results.filter((r) => r.code !== 0);
const total = results.reduce((acc, r) => ({ passed: acc.passed + (r.counts?.passed ?? 0), failed: acc.failed + (r.counts?.failed ?? 0) }), { passed: 0, failed: 0 });
console.log(`${total.passed} passed, ${total.failed} failed; ${failed.length === 0 && !interrupted ? 'all tiers passed' : `failed tiers: ${failed.map((r) => r.tier).join(', ') || 'interrupted'}`}`);
process.exit(failed.length === 0 && !interrupted ? 0 : 1);
