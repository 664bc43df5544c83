// Bundles the extension host code (node/cjs) and the webview code (browser/iife) into dist/.
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';
const root = new URL('..', import.meta.url).pathname;

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

/** Extra node entry points (CLI tools shipped in the VSIX), named by output file. */
const nodeEntries = { extension: join(root, 'src/extension.ts') };
// The image library (decoders, PIL-exact resize, WebAssembly kernels) is only needed once an image is
// chosen: its own bundle, which the extension's require() of that module loads then (see imagingPlugin).
nodeEntries.imaging = join(root, 'src/inference/image/index.ts');
const cli = join(root, 'src/pbtxt/cli.ts');
if (existsSync(cli)) nodeEntries['lint-config'] = cli;
const preprocessCli = join(root, 'src/inference/image/cli.ts');
if (existsSync(preprocessCli)) nodeEntries.preprocess = preprocessCli;

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

const imagingPlugin = {
  name: 'imaging',
  setup(build) {
    build.onResolve({ filter: /inference\/image\/index$/ }, (args) =>
      args.kind === 'require-call' && !args.importer.includes('/src/inference/image/') ? { path: './imaging.js', external: true } : undefined);
  },
};

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

const hostOptions = {
  ...common,
  entryPoints: nodeEntries,
  outdir: join(root, 'dist'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // protobufjs and grpc-js probe optional modules with require(); keep bundling deterministic.
  mainFields: ['module', 'main'],
  metafile: true,
  plugins: [vendorPlugin, imagingPlugin],
};

// Each vendored package is a getter, so loading vendor.js runs none of them until asked.
const vendorOptions = {
  ...common,
  stdin: {
    contents: VENDORED.map((p) => `Object.defineProperty(exports, ${JSON.stringify(p)}, { enumerable: true, get: () => require(${JSON.stringify(p)}) });`).join('\n'),
    resolveDir: root,
    sourcefile: 'vendor.js',
    loader: 'js',
  },
  outfile: join(root, 'dist/vendor.js'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  mainFields: ['module', 'main'],
};

const webOptions = {
  ...common,
  entryPoints: webviewEntries(),
  outdir: join(root, 'dist/webview'),
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  // Each panel's CSS (its own + src/webview-ui/common's + the codicons) lands beside its script as
  // <name>.css; the codicon font goes to dist/webview/assets/, which the CSP allows fonts from.
  loader: { '.ttf': 'file' },
  assetNames: 'assets/[name]-[hash]',
};

if (!watch) rmSync(join(root, 'dist'), { recursive: true, force: true });

const builds = [hostOptions, vendorOptions];
if (Object.keys(webOptions.entryPoints).length > 0) builds.push(webOptions);

// The CUDA helper runs as a separate Python process (it loads the CUDA runtime at run time): shipped as is.
const copyCudaHelper = () => {
  mkdirSync(join(root, 'dist'), { recursive: true });
  copyFileSync(join(root, 'src/cuda/cuda-helper.py'), join(root, 'dist/cuda-helper.py'));
};

if (watch) {
  copyCudaHelper();
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log('[build] watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  copyCudaHelper();
}
