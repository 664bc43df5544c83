// Bundles the extension host code (node/cjs) and the webview code (browser/iife) into dist/.
// Usage: node scripts/build.mjs [--watch] [--production] [--outdir DIR]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, watch as watchFs } from 'node:fs';
import { join, resolve } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';
const root = new URL('..', import.meta.url).pathname;
// --outdir DIR: build elsewhere than dist/ (the activation tests build a copy of their own).
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg === -1 ? join(root, 'dist') : resolve(process.argv[outdirArg + 1]);

/** Every src/webview-ui/<name>/main.ts becomes dist/webview/<name>.js. */
function webviewEntries() {
  const dir = join(root, 'src/webview-ui');
  if (!existsSync(dir)) return {};
  const entries = {};
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const main = join(dir, d.name, 'main.ts');
    if (d.isDirectory() && existsSync(main)) entries[d.name] = main;
  }
  return entries;
}

// Bundles that load on first use: each entry module becomes dist/<name>.js, and a require() of that
// module from another bundle (always inside a function body: first use) loads the file then. Modules
// a lazy bundle shares with dist/extension.js are not copied: they are taken from the extension
// bundle (see lazyBundlesPlugin), so every module, with its state and classes, exists once.
const LAZY_BUNDLES = JSON.parse(readFileSync(join(root, 'scripts/lazyBundles.json'), 'utf8'));
const lazyByFile = new Map(Object.entries(LAZY_BUNDLES).map(([name, file]) => [join(root, file), name]));

/** The CLI tools shipped in the VSIX: separate programs, bundled whole. */
const cliEntries = {};
const cli = join(root, 'src/pbtxt/cli.ts');
if (existsSync(cli)) cliEntries['lint-config'] = cli;
const preprocessCli = join(root, 'src/inference/image/cli.ts');
if (existsSync(preprocessCli)) cliEntries.preprocess = preprocessCli;

// gRPC and protobufjs (~400 KB minified) live in dist/vendor.js, which the extension bundle requires
// only when a module that imports them first runs: activation then parses just the code it uses.
const VENDORED = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'];
const vendoredFilter = new RegExp(`^(${VENDORED.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
const vendorPlugin = {
  name: 'vendor',
  setup(build) {
    build.onResolve({ filter: vendoredFilter }, (args) => ({ path: args.path, namespace: 'vendor' }));
    build.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents: `module.exports = require('./vendor.js')[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/vendor\.js$/, namespace: 'vendor' }, () => ({ path: './vendor.js', external: true }));
  },
};

/** The source file a relative specifier names (TypeScript resolution: extension or index). */
function sourceFile(resolveDir, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(resolveDir, specifier);
  return [`${base}.ts`, base, join(base, 'index.ts')].find((f) => f.endsWith('.ts') && existsSync(f));
}

const relative = (file) => file.slice(root.length);

/**
 * For the bundle `self` ('extension' or a lazy bundle's name): a require() of another bundle's entry
 * becomes require('./<name>.js'); in a lazy bundle, each module in `fromMain` (absolute paths) is
 * the extension bundle's instance, which that bundle hands out through its `__shared` export.
 */
function lazyBundlesPlugin(self, fromMain = new Set()) {
  return {
    name: 'lazy-bundles',
    setup(build) {
      build.onResolve({ filter: /^\./ }, (args) => {
        if (args.namespace === 'extension-bundle') return { path: args.path, external: true };
        const file = sourceFile(args.resolveDir, args.path);
        if (file === undefined) return undefined;
        const name = lazyByFile.get(file);
        if (args.kind === 'require-call' && name !== undefined && name !== self) return { path: `./${name}.js`, external: true };
        return fromMain.has(file) ? { path: relative(file), namespace: 'extension-bundle' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'extension-bundle' }, (args) => ({
        contents: `module.exports = require('./extension.js').__shared[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
}

/** The extension bundle's entry: src/extension.ts, plus `__shared`, the modules lazy bundles take from it. */
function mainEntryPlugin(shared) {
  return {
    name: 'main-entry',
    setup(build) {
      build.onResolve({ filter: /^triton-main-entry$/ }, () => ({ path: 'extension', namespace: 'main-entry' }));
      build.onLoad({ filter: /.*/, namespace: 'main-entry' }, () => ({
        contents: [
          `export * from ${JSON.stringify(join(root, 'src/extension.ts'))};`,
          // A getter each, so a module that activation itself does not run stays unrun until asked.
          'export const __shared = {',
          ...[...shared].sort().map((f) => `  get ${JSON.stringify(relative(f))}() { return require(${JSON.stringify(f)}); },`),
          '};',
        ].join('\n'),
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

const hostCommon = {
  ...common,
  absWorkingDir: root,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // protobufjs and grpc-js probe optional modules with require(); keep bundling deterministic.
  mainFields: ['module', 'main'],
  metafile: true,
};

const cliOptions = { ...hostCommon, entryPoints: cliEntries, outdir, plugins: [vendorPlugin] };

/** Source files whose code lands in a build's output (metafile keys, relative to the root). */
function codeOf(result) {
  const files = new Set();
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!out.endsWith('.js')) continue;
    for (const [file, input] of Object.entries(meta.inputs)) if (input.bytesInOutput > 0 && file.startsWith('src/')) files.add(file);
  }
  return files;
}

/**
 * dist/extension.js and the lazy bundles. First (nothing written) which modules each bundle holds:
 * a module two lazy bundles need and the extension bundle lacks is added to the extension bundle
 * (not run until asked), until none is left. Then each lazy bundle is built with the modules it shares
 * with the extension bundle taken from there. Fails when a module would still exist twice.
 */
async function buildHost() {
  const names = Object.keys(LAZY_BUNDLES);
  const mainOptions = (shared) => ({ ...hostCommon, entryPoints: { extension: 'triton-main-entry' }, outdir, plugins: [vendorPlugin, lazyBundlesPlugin('extension'), mainEntryPlugin(shared)] });
  const lazyOptions = (name, fromMain) => ({ ...hostCommon, entryPoints: { [name]: join(root, LAZY_BUNDLES[name]) }, outdir, plugins: [vendorPlugin, lazyBundlesPlugin(name, fromMain)] });
  const analyse = (options) => esbuild.build({ ...options, write: false, logLevel: 'silent' }).then(codeOf);
  const lazyCode = await Promise.all(names.map((n) => analyse(lazyOptions(n))));
  const hoisted = new Set();
  let mainCode;
  for (;;) {
    mainCode = await analyse(mainOptions(new Set([...hoisted].map((f) => join(root, f)))));
    const more = lazyCode.flatMap((code, i) => [...code].filter((f) => !mainCode.has(f) && lazyCode.some((other, k) => k !== i && other.has(f))));
    if (more.length === 0) break;
    for (const f of more) hoisted.add(f);
  }
  const problems = Object.entries(LAZY_BUNDLES).filter(([, file]) => mainCode.has(file))
    .map(([name, file]) => `${file}, the entry of ${name}.js, is part of extension.js: import it only with \`import type\` and require() it on first use`);
  if (problems.length > 0) throw new Error(`lazy bundles:\n  ${problems.join('\n  ')}`);
  const fromMain = lazyCode.map((code) => new Set([...code].filter((f) => mainCode.has(f)).map((f) => join(root, f))));
  const shared = new Set(fromMain.flatMap((s) => [...s]));
  const results = await Promise.all([mainOptions(shared), ...names.map((n, i) => lazyOptions(n, fromMain[i]))].map((o) => esbuild.build(o)));
  // What was written must hold each module once: state (registries, ledgers) and classes are not split.
  const seen = new Map();
  results.forEach((r, i) => {
    for (const f of codeOf(r)) {
      if (seen.has(f)) throw new Error(`lazy bundles: ${f} is in both ${seen.get(f)}.js and ${i === 0 ? 'extension' : names[i - 1]}.js`);
      seen.set(f, i === 0 ? 'extension' : names[i - 1]);
    }
  });
  const kib = (r) => (Object.entries(r.metafile.outputs).find(([f]) => f.endsWith('.js'))[1].bytes / 1024).toFixed(1);
  console.log(`[build] extension.js ${kib(results[0])} KiB (${shared.size} modules shared with lazy bundles, of which ${hoisted.size} only they use: ${[...hoisted].join(', ') || 'none'}); on first use: ${names.map((n, i) => `${n}.js ${kib(results[i + 1])} KiB`).join(', ')}`);
}

// Each vendored package is a getter, so loading vendor.js runs none of them until asked.
const vendorOptions = {
  ...common,
  stdin: {
    contents: VENDORED.map((p) => `Object.defineProperty(exports, ${JSON.stringify(p)}, { enumerable: true, get: () => require(${JSON.stringify(p)}) });`).join('\n'),
    resolveDir: root,
    sourcefile: 'vendor.js',
    loader: 'js',
  },
  outfile: join(outdir, 'vendor.js'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  mainFields: ['module', 'main'],
};

const webOptions = {
  ...common,
  entryPoints: webviewEntries(),
  outdir: join(outdir, 'webview'),
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  // Each panel's CSS (its own + src/webview-ui/common's + the codicons) lands beside its script as
  // <name>.css; the codicon font goes to dist/webview/assets/, which the CSP allows fonts from.
  loader: { '.ttf': 'file' },
  assetNames: 'assets/[name]-[hash]',
};

// The CUDA helper runs as a separate Python process (it loads the CUDA runtime at run time): shipped as is.
const copyCudaHelper = () => {
  mkdirSync(outdir, { recursive: true });
  copyFileSync(join(root, 'src/cuda/cuda-helper.py'), join(outdir, 'cuda-helper.py'));
};

if (watch) {
  copyCudaHelper();
  await esbuild.build(vendorOptions);
  for (const options of [cliOptions, webOptions]) {
    if (Object.keys(options.entryPoints).length === 0) continue;
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  // The host bundles depend on each other's contents: rebuilt together, shortly after a change.
  let timer;
  const rebuild = () => buildHost().catch((error) => console.error(`[build] ${error.message}`));
  watchFs(join(root, 'src'), { recursive: true }, (_event, file) => {
    if (file === null || file.startsWith('webview-ui')) return;
    clearTimeout(timer);
    timer = setTimeout(rebuild, 100);
  });
  await rebuild();
  console.log('[build] watching for changes');
} else {
  rmSync(outdir, { recursive: true, force: true });
  const builds = [buildHost(), esbuild.build(vendorOptions), esbuild.build(cliOptions)];
  if (Object.keys(webOptions.entryPoints).length > 0) builds.push(esbuild.build(webOptions));
  await Promise.all(builds);
  copyCudaHelper();
}
