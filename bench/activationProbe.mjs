// One activation measurement in a fresh plain-node process: require the bundle and call activate()
// against a minimal stand-in for the `vscode` module, then print the timings as one JSON line.
// Usage: node bench/activationProbe.mjs <path/to/extension.js>
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);

const disposable = { dispose() {} };

// Anything not modelled below: callable, constructible, property access yields itself.
const anything = new Proxy(function () {}, {
  get(_target, prop) {
    if (prop === 'then') return undefined;
    if (prop === Symbol.toPrimitive) return () => '';
    if (prop === Symbol.iterator) return function* () {};
    if (prop === 'dispose') return () => undefined;
    return anything;
  },
  apply: () => anything,
  construct: () => anything,
});

class EventEmitter {
  constructor() { this.listeners = new Set(); this.event = (l) => { this.listeners.add(l); return { dispose: () => this.listeners.delete(l) }; }; }
  fire(value) { for (const l of this.listeners) l(value); }
  dispose() { this.listeners.clear(); }
}
class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((d) => d.dispose())); }
  dispose() { this.fn?.(); }
}
const logChannel = { name: 'log', trace() {}, debug() {}, info() {}, warn() {}, error() {}, append() {}, appendLine() {}, replace() {}, clear() {}, show() {}, hide() {}, dispose() {}, onDidChangeLogLevel: () => disposable, logLevel: 2 };
const configuration = { get: (_key, fallback) => fallback, has: () => false, inspect: () => undefined, update: async () => undefined };
const event = () => disposable;

const known = {
  EventEmitter,
  Disposable,
  window: new Proxy({
    createOutputChannel: () => logChannel,
    showInformationMessage: async () => undefined,
    showErrorMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    registerTreeDataProvider: () => disposable,
    createTreeView: () => ({ ...disposable, onDidChangeVisibility: event, onDidChangeSelection: event, onDidExpandElement: event, onDidCollapseElement: event, visible: false }),
    createStatusBarItem: () => ({ ...disposable, show() {}, hide() {} }),
    onDidChangeActiveTextEditor: event,
    visibleTextEditors: [],
  }, { get: (t, p) => (p in t ? t[p] : anything) }),
  commands: { registerCommand: () => disposable, executeCommand: async () => undefined, getCommands: async () => [] },
  workspace: new Proxy({
    getConfiguration: () => configuration,
    onDidChangeConfiguration: event,
    onDidChangeTextDocument: event,
    onDidOpenTextDocument: event,
    onDidCloseTextDocument: event,
    onDidSaveTextDocument: event,
    onDidChangeWorkspaceFolders: event,
    workspaceFolders: [],
    textDocuments: [],
    createFileSystemWatcher: () => ({ ...disposable, onDidCreate: event, onDidChange: event, onDidDelete: event }),
    registerTextDocumentContentProvider: () => disposable,
  }, { get: (t, p) => (p in t ? t[p] : anything) }),
  languages: new Proxy({ createDiagnosticCollection: () => ({ ...disposable, set() {}, delete() {}, clear() {} }) }, { get: (t, p) => (p in t ? t[p] : () => disposable) }),
};
// Bundlers copy a module's own properties into an ES-module wrapper whose prototype is the module's
// prototype: unmodelled names (enums, classes) resolve through this catch-all prototype.
const fake = Object.setPrototypeOf(known, new Proxy({}, { get: (_t, p) => (p === 'then' ? undefined : anything) }));

const fakePath = path.join(path.dirname(new URL(import.meta.url).pathname), '__fake_vscode__.js');
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? fakePath : originalResolve.call(this, request, ...rest);
};
require.cache[fakePath] = { id: fakePath, filename: fakePath, loaded: true, exports: fake };

const bundle = path.resolve(process.argv[2]);
const storage = path.join(tmpdir(), 'triton-bench-storage');
const context = {
  subscriptions: [],
  extensionPath: path.dirname(path.dirname(bundle)),
  extensionUri: anything,
  globalState: { get: (_k, d) => d, update: async () => undefined, keys: () => [], setKeysForSync() {} },
  workspaceState: { get: (_k, d) => d, update: async () => undefined, keys: () => [] },
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: event },
  storageUri: undefined,
  globalStorageUri: anything,
  logUri: anything,
  globalStoragePath: storage,
  logPath: storage,
  extensionMode: 1,
  extension: { id: 'triton-workbench.triton-workbench', packageJSON: {} },
  asAbsolutePath: (p) => path.join(path.dirname(path.dirname(bundle)), p),
};

try {
  // CPU time next to wall time: on a shared, loaded machine it is the steadier of the two.
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const extension = require(bundle);
  const t1 = performance.now();
  await extension.activate(context);
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  const loadedFiles = Object.keys(require.cache);
  const loaded = loadedFiles.length;
  const vendorLoaded = loadedFiles.some((f) => path.basename(f) === 'vendor.js');
  // The files of the bundle's folder that activation loaded: just extension.js when every feature
  // bundle (and vendor.js) waits for its first use.
  const bundlesLoaded = loadedFiles.filter((f) => path.dirname(f) === path.dirname(bundle)).map((f) => path.basename(f)).sort();
  console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000, modules: loaded, vendorLoaded, bundlesLoaded, subscriptions: context.subscriptions.length }));
  for (const d of context.subscriptions) try { d.dispose(); } catch { /* a stand-in may not dispose cleanly */ }
  process.exit(0);
} catch (error) {
  console.error(`activation failed: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
}
