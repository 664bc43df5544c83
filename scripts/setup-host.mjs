// Installs the test host idempotently: Debian's Chromium (+ build headers code-server needs) via apt,
// and code-server 4.100.3 into .vscode-test/code-server from the committed test/host lockfile.
// Usage: node scripts/setup-host.mjs [--skip-apt] [--force]
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const hostSource = join(root, 'test/host');
const hostDir = join(root, '.vscode-test/code-server');
const stampFile = join(hostDir, '.installed');
const entry = join(hostDir, 'node_modules/code-server/out/node/entry.js');
const serverMain = join(hostDir, 'node_modules/code-server/lib/vscode/out/server-main.js');
const force = process.argv.includes('--force');
const skipApt = process.argv.includes('--skip-apt');

// chromium drives the workbench; libkrb5-dev has the gssapi headers a native module of code-server
// compiles against; ripgrep replaces the binary @vscode/ripgrep would download from GitHub; wrk is the
// native floor of `npm run bench:client`.
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'ripgrep', 'g++', 'make', 'python3', 'wrk'];
// @vscode/ripgrep's postinstall looks here before it tries to download.
const RIPGREP_CACHE = { dir: 'vscode-ripgrep-cache-1.15.11', file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' };

// Bounded, so a stalled mirror or registry fails the setup instead of holding CI to its deadline.
function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', timeout: 20 * 60_000, killSignal: 'SIGKILL', ...options });
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function missingAptPackages() {
  return APT_PACKAGES.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    // python3 may come from elsewhere (pyenv); what matters is a working binary.
    if (r.status !== 0 && pkg === 'python3') return spawnSync('python3', ['--version']).status !== 0;
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureAptPackages() {
  const missing = missingAptPackages();
  if (missing.length === 0) {
    console.log(`[host] apt packages present: ${APT_PACKAGES.join(', ')}`);
    return;
  }
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(`missing apt packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  console.log(`[host] installing apt packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = [...sudo, 'apt-get'];
  run(cmd, [...pre, 'update', '-q'], { env });
  run(cmd, [...pre, 'install', '-y', '-q', '--no-install-recommends', ...missing], { env });
}

function lockDigest() {
  const h = createHash('sha256');
  h.update(readFileSync(join(hostSource, 'package.json')));
  h.update(readFileSync(join(hostSource, 'package-lock.json')));
  h.update(process.version);
  return h.digest('hex');
}

function ensureCodeServer() {
  const digest = lockDigest();
  if (!force && existsSync(entry) && existsSync(serverMain) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === digest) {
    console.log(`[host] code-server up to date in ${hostDir}`);
    return;
  }
  const started = Date.now();
  rmSync(hostDir, { recursive: true, force: true });
  mkdirSync(hostDir, { recursive: true });
  copyFileSync(join(hostSource, 'package.json'), join(hostDir, 'package.json'));
  copyFileSync(join(hostSource, 'package-lock.json'), join(hostDir, 'package-lock.json'));

  const tmp = mkdtempSync(join(root, '.vscode-test/install-tmp-'));
  try {
    const rgCache = join(tmp, RIPGREP_CACHE.dir);
    mkdirSync(rgCache, { recursive: true });
    const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
    if (!rg) throw new Error('ripgrep (rg) not found on PATH; install the Debian package "ripgrep"');
    run('tar', ['-czf', join(rgCache, RIPGREP_CACHE.file), '-C', join(rg, '..'), 'rg']);

    console.log('[host] installing code-server 4.100.3 (about a minute)');
    run('npm', ['ci', '--unsafe-perm', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: hostDir,
      env: {
        ...process.env,
        TMPDIR: tmp,
        // node-pty's postinstall runs `npx node-gyp`, which asks for confirmation without a TTY.
        npm_config_yes: 'true',
        npm_config_unsafe_perm: 'true',
      },
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const f of [entry, serverMain]) if (!existsSync(f)) throw new Error(`code-server install is incomplete: ${f} is missing`);
  writeFileSync(stampFile, `${digest}\n`);
  console.log(`[host] code-server installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

try {
  if (!skipApt) ensureAptPackages();
  ensureCodeServer();
  if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing; install the Debian package "chromium"');
  console.log('[host] ready');
} catch (error) {
  console.error(`[host] setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
