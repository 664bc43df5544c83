// The model explorer in a real extension host against the reference server: the tree shows models
// and their states, lifecycle commands change what it shows, a server going down and coming back is
// followed, and a server in NONE model-control mode disables load/unload.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExplorerApi } from '../../src/vscode/explorer/registerExplorer';
import type { SnapshotNode } from '../../src/vscode/tree/modelTreeProvider';
import { waitFor } from './support/workbench';

const extensionId = 'triton-workbench.triton-workbench';

async function api(): Promise<ExplorerApi> {
  const extension = vscode.extensions.getExtension<{ explorer: ExplorerApi }>(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  const exports = await extension.activate();
  return exports.explorer;
}


function find(nodes: readonly SnapshotNode[] | undefined, label: string): SnapshotNode | undefined {
  return nodes?.find((n) => n.label === label);
}

async function serverNode(explorer: ExplorerApi, name: string): Promise<SnapshotNode> {
  const node = find(await explorer.snapshot(2), name);
  assert.ok(node, `server '${name}' is not in the tree`);
  return node;
}

async function modelNode(explorer: ExplorerApi, server: string, model: string): Promise<SnapshotNode | undefined> {
  return find((await serverNode(explorer, server)).children, model);
}

interface SpawnedServer {
  httpUrl: string;
  grpcUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A private reference server, so outages and control modes do not disturb the shared one. */
function spawnServer(root: string, args: string[]): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [join(root, 'test/server/run.mjs'), '--http-port', '0', '--grpc-port', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`reference server did not start in 30 s:\n${out.slice(-4000)}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /^ready http=(\S+) grpc=(\S+)$/m.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        httpUrl: `http://${m[1]}`,
        grpcUrl: m[2]!,
        child,
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reference server exited (code ${code}):\n${out.slice(-4000)}`));
    });
  });
}

async function setServers(servers: unknown[]): Promise<void> {
  await vscode.workspace.getConfiguration('triton').update('servers', servers, vscode.ConfigurationTarget.Workspace);
}

describe('model explorer', function () {
  this.timeout(60_000);
  const httpUrl = process.env.TRITON_TEST_HTTP_URL;
  const grpcUrl = process.env.TRITON_TEST_GRPC_URL;
  let explorer: ExplorerApi;
  let root: string;
  let original: unknown;

  before(async function () {
    if (!httpUrl) this.skip();
    explorer = await api();
    root = vscode.extensions.getExtension(extensionId)!.extensionPath;
    original = vscode.workspace.getConfiguration('triton').inspect('servers')?.workspaceValue;
    await vscode.commands.executeCommand('workbench.view.extension.triton');
  });

  after(async () => {
    if (original !== undefined) await setServers(original as unknown[]);
  });

  it('shows the reference server as active with its version and health in the tree and status bar', async () => {
    const server = await waitFor('the reference server to be ready', async () => {
      const s = await serverNode(explorer, 'reference');
      return /2\.\d+\.\d+/.test(s.description ?? '') ? s : undefined;
    });
    assert.equal(explorer.activeServerId(), 'reference');
    assert.match(server.contextValue!, /^server (ready|live) active/);
    assert.match(server.tooltip!, /Extensions: .*model\\_repository/);
    assert.match(explorer.statusBarText(), /reference: (ready|live) · 2\./);
  });

  it('lists repository models with their states; an UNAVAILABLE model shows the server reason', async () => {
    const server = await serverNode(explorer, 'reference');
    const labels = (server.children ?? []).filter((c) => c.kind === 'model').map((c) => c.label);
    for (const name of ['simple', 'broken_config', 'identity_fp32']) assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
    const simple = find(server.children, 'simple')!;
    assert.equal(simple.icon, 'pass-filled');
    assert.match(simple.description!, /^READY · v1/);
    const broken = find(server.children, 'broken_config')!;
    assert.equal(broken.icon, 'error');
    assert.match(broken.description!, /UNAVAILABLE/);
    assert.match(broken.tooltip!, /Reason: .*dimension/);
  });

  it('puts an UNAVAILABLE model\'s reason on the workspace config.pbtxt of that model without being asked', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folders.length > 0, 'the test workspace is open');
    const uri = vscode.Uri.joinPath(folders[0].uri, 'model_repository/broken_config/config.pbtxt');
    await vscode.workspace.fs.stat(uri);
    await explorer.refresh('reference');
    const placed = await waitFor('the server reason in Problems', async () => {
      const found = vscode.languages.getDiagnostics(uri).find((d) => d.source === 'triton server');
      return found;
    });
    assert.match(placed.message, /^reference: .*dimension/);
  });

  it('links a server model to the workspace folder of the same name', async () => {
    const simple = await waitFor('the workspace scan', async () => {
      const m = await modelNode(explorer, 'reference', 'simple');
      return m?.contextValue?.includes('linked') ? m : undefined;
    });
    assert.match(simple.description!, /⇄ workspace/);
    const ws = find(await explorer.snapshot(2), 'Workspace Repository');
    assert.ok(ws?.children?.some((c) => c.label === 'simple' && /READY on reference/.test(c.description ?? '')));
  });

  it('redraws the Workspace Repository row of a model when it is unloaded and loaded', async () => {
    const rowOf = async (): Promise<SnapshotNode | undefined> => find(find(await explorer.snapshot(2), 'Workspace Repository')?.children, 'simple');
    const row = await rowOf();
    assert.ok(row, 'simple is in the Workspace Repository');
    const redrawn: (string | undefined)[] = [];
    const sub = explorer.onDidRedraw((id) => redrawn.push(id));
    const target = { serverId: 'reference', model: 'simple' };
    try {
      assert.equal(await vscode.commands.executeCommand('triton.unloadModel', target), true);
      assert.ok(redrawn.includes(row.id) || redrawn.includes(undefined), `the row ${row.id} was redrawn: ${JSON.stringify(redrawn)}`);
      assert.match((await rowOf())!.description!, /UNAVAILABLE on reference/);
      redrawn.length = 0;
      assert.equal(await vscode.commands.executeCommand('triton.loadModel', target), true);
      assert.ok(redrawn.includes(row.id) || redrawn.includes(undefined), `the row ${row.id} was redrawn: ${JSON.stringify(redrawn)}`);
      assert.match((await rowOf())!.description!, /READY on reference/);
    } finally {
      sub.dispose();
      await vscode.commands.executeCommand('triton.loadModel', target);
    }
  });

  it('shows a READY version with its inputs and outputs', async () => {
    const snap = await explorer.snapshot(6);
    const simple = find(find(snap, 'reference')?.children, 'simple');
    const version = find(simple?.children, 'Version 1');
    const inputs = find(version?.children, 'Inputs');
    assert.deepEqual(inputs?.children?.map((t) => `${t.label} ${t.description}`), ['INPUT0 INT32 [-1, 16]', 'INPUT1 INT32 [-1, 16]']);
    assert.ok(find(simple?.children, 'Config'));
    assert.ok(find(simple?.children, 'Statistics'));
  });

  it('unload, load and reload change what the tree shows', async () => {
    const target = { serverId: 'reference', model: 'identity_int8' };
    assert.equal(await vscode.commands.executeCommand('triton.unloadModel', target), true);
    let node = await modelNode(explorer, 'reference', 'identity_int8');
    assert.match(node!.description!, /^UNAVAILABLE/);
    assert.match(node!.tooltip!, /unloaded/);
    assert.match(node!.contextValue!, /^model unavailable control/);
    assert.equal(await vscode.commands.executeCommand('triton.loadModel', target), true);
    node = await modelNode(explorer, 'reference', 'identity_int8');
    assert.match(node!.description!, /^READY/);
    assert.equal(await vscode.commands.executeCommand('triton.reloadModel', target), true);
    node = await modelNode(explorer, 'reference', 'identity_int8');
    assert.match(node!.description!, /^READY/);
    const ready = await fetch(`${httpUrl}/v2/models/identity_int8/ready`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(ready.status, 200, 'the server agrees');
  });

  it('loads a model with the workspace config.pbtxt, unsaved edits included', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const dir = join(folder, 'models_under_test', 'identity_int16');
    mkdirSync(join(dir, '1'), { recursive: true });
    const configPath = join(dir, 'config.pbtxt');
    writeFileSync(configPath, 'name: "identity_int16"\nbackend: "identity"\nmax_batch_size: 0\ninput [ { name: "INPUT0" data_type: TYPE_INT16 dims: [ -1 ] } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_INT16 dims: [ -1 ] } ]\n');
    // The file watcher reports the new folder; a manual refresh also rescans, in case the watcher misses it.
    await vscode.commands.executeCommand('triton.refresh');
    await waitFor('the new model folder to be linked', async () => {
      const m = await modelNode(explorer, 'reference', 'identity_int16');
      return m?.contextValue?.includes('linked') ? m : undefined;
    });
    const doc = await vscode.workspace.openTextDocument(configPath);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(2, 0, 2, doc.lineAt(2).text.length), 'max_batch_size: 4'));
    assert.ok(doc.isDirty);
    assert.equal(await vscode.commands.executeCommand('triton.loadModelWithLocalConfig', { serverId: 'reference', model: 'identity_int16' }), true);
    const config = (await (await fetch(`${httpUrl}/v2/models/identity_int16/config`, { signal: AbortSignal.timeout(5_000) })).json()) as { max_batch_size: number };
    assert.equal(config.max_batch_size, 4, 'the server runs the unsaved buffer');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.equal(await vscode.commands.executeCommand('triton.reloadModel', { serverId: 'reference', model: 'identity_int16' }), true);
  });

  it('loads the model of the active editor\'s config.pbtxt from the palette and the editor menu without asking which', async () => {
    const configPath = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'models_under_test', 'identity_int16', 'config.pbtxt');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(configPath));
    await waitFor('the model folder to be known', async () => ((await modelNode(explorer, 'reference', 'identity_int16'))?.contextValue?.includes('linked') ? true : undefined));
    // Asking would leave a quick pick of the server's models open, and the command unsettled.
    const asked = new Promise<string>((resolve) => setTimeout(() => resolve('a quick pick is waiting for an answer'), 10_000));
    try {
      assert.equal(await Promise.race([vscode.commands.executeCommand('triton.loadModelWithLocalConfig'), asked]), true);
      // The editor context menu passes the file's Uri.
      assert.equal(await Promise.race([vscode.commands.executeCommand('triton.loadModelWithLocalConfig', editor.document.uri), asked]), true);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    const ready = await fetch(`${httpUrl}/v2/models/identity_int16/ready`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(ready.status, 200);
  });

  it('removing the active server clears triton.activeServer instead of leaving it pointing at nothing', async () => {
    const activeSetting = (): unknown => vscode.workspace.getConfiguration('triton').get('activeServer');
    try {
      await setServers([{ name: 'reference', httpUrl, grpcUrl }, { name: 'spare', httpUrl: 'http://127.0.0.1:9' }]);
      await waitFor('the spare server in the tree', async () => (find(await explorer.snapshot(1), 'spare') ? true : undefined));
      await vscode.commands.executeCommand('triton.switchServer', { serverId: 'spare' });
      assert.equal(activeSetting(), 'spare');
      await setServers([{ name: 'reference', httpUrl, grpcUrl }]);
      await waitFor('triton.activeServer to let go of the removed server', async () => (activeSetting() !== 'spare' ? true : undefined));
      assert.equal(explorer.activeServerId(), 'reference');
    } finally {
      await vscode.commands.executeCommand('triton.switchServer', { serverId: 'reference' });
    }
  });

  it('shows the server config as pbtxt, the statistics rendered and the metadata in read-only documents', async () => {
    const editor = (await vscode.commands.executeCommand('triton.showServerConfig', { serverId: 'reference', model: 'simple' })) as vscode.TextEditor;
    assert.equal(editor.document.uri.scheme, 'triton-config');
    assert.equal(editor.document.languageId, 'pbtxt');
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'simple (server reference) — effective config');
    assert.match(editor.document.getText(), /^name: "simple"$/m);
    assert.match(editor.document.getText(), /max_batch_size: 8/);
    const stats = (await vscode.commands.executeCommand('triton.showStatistics', { serverId: 'reference', model: 'simple' })) as vscode.TextDocument;
    assert.match(stats.getText(), /# Statistics of simple on reference/);
    assert.match(stats.getText(), /\| Executions \| \d+ \|/);
    // Rendered in the Markdown preview, not opened as Markdown source.
    const preview = await waitFor('the statistics preview tab', async () => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      return tab?.input instanceof vscode.TabInputWebview ? tab : undefined;
    });
    assert.match((preview.input as vscode.TabInputWebview).viewType, /markdown\.preview/);
    assert.match(preview.label, /statistics/);
    const meta = (await vscode.commands.executeCommand('triton.showModelMetadata', { serverId: 'reference', model: 'simple' })) as vscode.TextEditor;
    assert.equal((JSON.parse(meta.document.getText()) as { name: string }).name, 'simple');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('diffs the server config with the workspace config.pbtxt normalised, and switches to the raw config and back', async () => {
    const local = vscode.Uri.file(join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'models_under_test', 'identity_int16', 'config.pbtxt'));
    const activeDiff = (): vscode.TabInputTextDiff | undefined => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    };
    try {
      assert.equal(await vscode.commands.executeCommand('triton.diffWithLocalConfig', { serverId: 'reference', model: 'identity_int16' }), true);
      const normalised = await waitFor('the normalised diff', async () => (activeDiff()?.original.path.includes('/normalized/') ? activeDiff() : undefined));
      assert.equal(normalised.modified.scheme, 'triton-config');
      const [left, right] = await Promise.all([vscode.workspace.openTextDocument(normalised.original), vscode.workspace.openTextDocument(normalised.modified)]);
      assert.doesNotMatch(left.getText(), /is_shape_tensor|FORMAT_NONE|PRIORITY_DEFAULT/);
      assert.equal(left.getText(), right.getText(), 'the model runs the workspace config: nothing differs');
      // Typing in the workspace file (unsaved) updates the open normalised diff.
      const source = await vscode.workspace.openTextDocument(local);
      const edit = new vscode.WorkspaceEdit();
      const at = source.getText().indexOf('max_batch_size: 0');
      assert.ok(at >= 0, source.getText());
      edit.replace(local, new vscode.Range(source.positionAt(at), source.positionAt(at + 'max_batch_size: 0'.length)), 'max_batch_size: 2');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await waitFor('the normalised workspace side to follow the edit', async () => (/^max_batch_size: 2$/m.test(right.getText()) ? true : undefined));
      assert.doesNotMatch(left.getText(), /^max_batch_size: 2$/m, 'the server side did not change');
      const undo = new vscode.WorkspaceEdit();
      undo.replace(local, new vscode.Range(source.positionAt(at), source.positionAt(at + 'max_batch_size: 2'.length)), 'max_batch_size: 0');
      assert.ok(await vscode.workspace.applyEdit(undo));
      assert.ok(await source.save());
      await waitFor('the normalised sides to agree again', async () => (left.getText() === right.getText() ? true : undefined));
      assert.equal(await vscode.commands.executeCommand('triton.diffRawConfig'), true);
      const raw = await waitFor('the raw diff', async () => (activeDiff()?.original.path.includes('/config/') ? activeDiff() : undefined));
      assert.equal(raw.modified.toString(), local.toString(), 'the raw diff compares with the workspace file itself');
      assert.match((await vscode.workspace.openTextDocument(raw.original)).getText(), /is_shape_tensor: false/);
      assert.equal(await vscode.commands.executeCommand('triton.diffNormalizedConfig'), true);
      await waitFor('the normalised diff again', async () => (activeDiff()?.original.path.includes('/normalized/') ? true : undefined));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('copies a curl request the server accepts', async () => {
    const command = (await vscode.commands.executeCommand('triton.copyCurl', { serverId: 'reference', model: 'simple' })) as string;
    assert.equal(await vscode.env.clipboard.readText(), command);
    const url = /curl -sS -X POST '([^']+)'/.exec(command)![1]!;
    const body = /-d '(.*)'$/s.exec(command)![1]!;
    const response = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 200, await response.clone().text());
    const result = (await response.json()) as { outputs: { name: string; shape: number[] }[] };
    assert.deepEqual(result.outputs.map((o) => [o.name, o.shape]).sort(), [['OUTPUT0', [1, 16]], ['OUTPUT1', [1, 16]]]);
  });

  it('coalesces a burst of refreshes of one server into at most two runs', async () => {
    const before = explorer.refreshRuns('reference');
    await Promise.all(Array.from({ length: 20 }, () => explorer.refresh('reference')));
    const runs = explorer.refreshRuns('reference') - before;
    assert.ok(runs >= 1 && runs <= 2, `${runs} refresh runs for 20 requests`);
  });

  it('follows a server going down and coming back', async () => {
    const outage = await spawnServer(root, ['--model-control-mode', 'explicit', '--load-model', 'simple']);
    try {
      await setServers([{ name: 'reference', httpUrl, grpcUrl }, { name: 'outage', httpUrl: outage.httpUrl, grpcUrl: outage.grpcUrl }]);
      await waitFor('the outage server in the tree', async () => {
        await explorer.refresh('outage');
        const s = await serverNode(explorer, 'outage');
        return find(s.children, 'simple') ? s : undefined;
      });
      // Switching the active server moves the status bar to it.
      await vscode.commands.executeCommand('triton.switchServer', { serverId: 'outage' });
      assert.equal(explorer.activeServerId(), 'outage');
      assert.match(explorer.statusBarText(), /outage: (ready|live)/);
      // The restart switch takes the listeners down for 4 s, then brings them back on the same ports.
      const restart = await fetch(`${outage.httpUrl}/__control/restart`, { method: 'POST', body: '{"delay_ms":4000}', signal: AbortSignal.timeout(5_000) });
      assert.equal(restart.status, 200);
      const down = await waitFor('the tree to show the server unreachable', async () => {
        await explorer.refresh('outage');
        const s = await serverNode(explorer, 'outage');
        return s.description?.startsWith('unreachable') ? s : undefined;
      });
      assert.equal(down.icon, 'debug-disconnect');
      assert.match(explorer.statusBarText(), /outage: unreachable/);
      assert.match(down.children![0]!.label, /^Unreachable: /);
      assert.ok(find(down.children, 'simple'), 'the last known models stay listed');
      const back = await waitFor('the tree to show the server again', async () => {
        await explorer.refresh('outage');
        const s = await serverNode(explorer, 'outage');
        return /2\.\d+/.test(s.description ?? '') ? s : undefined;
      }, 20_000);
      assert.ok(!back.children!.some((c) => c.label.startsWith('Unreachable')));
      await waitFor('the status bar to show the server ready again', async () => (/outage: (ready|live)/.test(explorer.statusBarText()) ? true : undefined));
    } finally {
      await vscode.commands.executeCommand('triton.switchServer', { serverId: 'reference' });
      await outage.stop();
    }
  });

  it('shows a hostile server\'s version and error in the status bar as plain text', async () => {
    let live = true;
    const hostile = createServer((req, res) => {
      req.resume();
      const send = (status: number, body: unknown): void => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
      };
      if (req.url === '/v2/health/live' || req.url === '/v2/health/ready') return void res.writeHead(live ? 200 : 400, { 'Content-Length': 0 }).end();
      if (req.url === '/v2' && !live) return send(401, { error: '![](https://evil.example/pixel) [Re-enter token](https://evil.example/login)' });
      if (req.url === '/v2') return send(200, { name: 'triton', version: '$(zap) 9.9', extensions: [] });
      if (req.url === '/v2/repository/index') return send(200, []);
      send(404, { error: 'Not Found' });
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    try {
      await setServers([{ name: 'reference', httpUrl, grpcUrl }, { name: 'hostile', httpUrl: hostileUrl }]);
      await waitFor('the hostile server in the tree', async () => (find(await explorer.snapshot(1), 'hostile') ? true : undefined));
      await vscode.commands.executeCommand('triton.switchServer', { serverId: 'hostile' });
      const text = await waitFor('the hostile version in the status bar', async () => {
        await explorer.refresh('hostile');
        return explorer.statusBarText().includes('9.9') ? explorer.statusBarText() : undefined;
      });
      assert.ok(!text.includes('$(zap)'), `the version's $(zap) must not become an icon: ${text}`);
      live = false;
      const tooltip = await waitFor('the hostile server unreachable', async () => {
        await explorer.refresh('hostile');
        return /unreachable/.test(explorer.statusBarText()) ? explorer.statusBarTooltip() : undefined;
      });
      assert.ok(tooltip !== undefined && tooltip.includes('Problem: '), tooltip);
      assert.ok(!tooltip.includes('![]('), `no image markup: ${tooltip}`);
      assert.ok(!tooltip.includes('](https://'), `no link markup: ${tooltip}`);
      assert.ok(tooltip.includes('\\!\\[\\]\\(https:\\/\\/evil\\.example\\/pixel\\)'), tooltip);
    } finally {
      await vscode.commands.executeCommand('triton.switchServer', { serverId: 'reference' });
      await setServers([{ name: 'reference', httpUrl, grpcUrl }]);
      hostile.closeAllConnections();
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
    }
  });

  it('says when a server forbids load/unload and hides those actions', async () => {
    const locked = await spawnServer(root, ['--model-control-mode', 'none']);
    try {
      await setServers([{ name: 'reference', httpUrl, grpcUrl }, { name: 'locked', httpUrl: locked.httpUrl, protocol: 'http' }]);
      const server = await waitFor('the locked server to be probed', async () => {
        await explorer.refresh('locked');
        const s = await serverNode(explorer, 'locked');
        return s.children?.some((c) => c.label.startsWith('Load/unload disabled')) ? s : undefined;
      });
      assert.match(server.contextValue!, /\bnoControl\b/);
      const simple = find(server.children, 'simple')!;
      assert.match(simple.contextValue!, /^model ready noControl/);
      assert.equal(await vscode.commands.executeCommand('triton.unloadModel', { serverId: 'locked', model: 'simple' }), false);
      const ready = await fetch(`${locked.httpUrl}/v2/models/simple/ready`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(ready.status, 200, 'nothing was unloaded');
    } finally {
      await locked.stop();
      await setServers([{ name: 'reference', httpUrl, grpcUrl }]);
    }
  });
});
