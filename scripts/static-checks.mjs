// The static tier: type check (extension and webview configs) and lint, each run even when the
// other failed so one run reports both. Prints one "static checks:" line the summary reads.
import { spawnSync } from 'node:child_process';

const checks = [
  ['typecheck', ['run', '--silent', 'typecheck']],
  ['lint', ['run', '--silent', 'lint']],
];
const results = checks.map(([name, args]) => {
  console.log(`--- ${name}`);
  const r = spawnSync('npm', args, { stdio: 'inherit' });
  return { name, ok: r.status === 0 };
});
console.log(`static checks: ${results.map((r) => `${r.name} ${r.ok ? 'ok' : 'failed'}`).join(', ')}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
