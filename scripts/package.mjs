// Builds the production bundle and packages it into out/<name>-<version>.vsix with vsce, checks
// that only allow-listed files went in, and prints the size.
// Usage: node scripts/package.mjs [--quiet] [--skip-build]
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const quiet = process.argv.includes('--quiet');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsixPath = join(root, 'out', `${manifest.name}-${manifest.version}.vsix`);
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');

// Must match .vscodeignore's allow-list: the VSIX holds only what runs, no node_modules or sources.
const allowed = [/^dist\/.+\.js$/, /^dist\/.+\.(css|json|wasm)$/, /^dist\/webview\/assets\/[\w-]+\.ttf$/, /^dist\/cuda-helper\.py$/, /^proto\/.+\.proto$/, /^syntaxes\//, /^media\/[^/]+\.(png|svg)$/, /^media\/screenshots\/demo\.png$/, /^package\.json$/, /^language-configuration\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/];

/** Every file the manifest points at (main, icons, grammars, language configurations...). */
function referencedFiles(value, out = new Set()) {
  if (typeof value === 'string') {
    const rel = value.replace(/^\.\//, '');
    if (/^[\w@./-]+\.[a-z]+$/i.test(rel) && !rel.startsWith('..') && existsSync(join(root, rel))) out.add(rel);
  } else if (Array.isArray(value)) {
    for (const v of value) referencedFiles(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!['scripts', 'devDependencies', 'dependencies', 'bin', 'repository'].includes(k)) referencedFiles(v, out);
  }
  return [...out];
}

function run(args, options = {}) {
  const r = spawnSync(args[0], args.slice(1), { cwd: root, encoding: 'utf8', stdio: quiet ? 'pipe' : ['ignore', 'inherit', 'inherit'], timeout: 300_000, ...options });
  if (r.status !== 0) {
    if (quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    throw new Error(`${args.join(' ')} exited with ${r.status ?? r.signal}`);
  }
  return r;
}

try {
  if (!process.argv.includes('--skip-build')) run([process.execPath, join(root, 'scripts/build.mjs'), '--production']);
  const listed = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (listed.status !== 0) throw new Error(`vsce ls failed:\n${listed.stdout}${listed.stderr}`);
  const files = listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
  if (unexpected.length > 0) throw new Error(`files outside the allow-list would be packaged:\n  ${unexpected.join('\n  ')}`);
  const missing = referencedFiles(manifest).filter((f) => !files.includes(f));
  if (missing.length > 0) throw new Error(`files the manifest refers to are not packaged (allow them in .vscodeignore):\n  ${missing.join('\n  ')}`);

  mkdirSync(join(root, 'out'), { recursive: true });
  // README links stay relative: VS Code shows the README from the installed folder, which holds
  // the screenshot it names.
  run([process.execPath, vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsixPath], { stdio: 'pipe' });
  const bytes = statSync(vsixPath).size;
  console.log(`[package] ${vsixPath.slice(root.length)}: ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes, ${files.length} files)`);
} catch (error) {
  console.error(`[package] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
