import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExplorerTree } from '../../../src/services/explorerTree';
import type { ExplorerNode, NodeView } from '../../../src/services/explorerTree';
import { registerExplorerNodes } from '../../../src/services/explorerNodes';
import { ModelCatalog } from '../../../src/services/modelCatalog';
import { WorkspaceRepository } from '../../../src/services/workspaceRepository';
import type { CatalogChange } from '../../../src/services/catalogTypes';
import { TritonError } from '../../../src/triton/errors';
import { FakeCatalogClient } from './fakeCatalogClient';
import { nodesToRedraw } from '../../../src/services/treeRedraw';

function setup(servers = ['local']) {
  const clients = new Map<string, FakeCatalogClient>();
  for (const s of servers) clients.set(s, new FakeCatalogClient());
  const catalog = new ModelCatalog({ createClient: async (cfg) => clients.get(cfg.name)!, probeModelControl: false });
  catalog.setServers(servers.map((name) => ({ name, httpUrl: `http://127.0.0.1:1/${name}`, protocol: 'http' as const })));
  const workspace = new WorkspaceRepository();
  const tree = new ExplorerTree();
  registerExplorerNodes(tree);
  let active: string | undefined = servers[0];
  tree.bind({ catalog, workspace, activeServerId: () => active, refreshServer: (id) => catalog.refreshServer(id) });
  const changes: CatalogChange[] = [];
  catalog.onDidChange((c) => changes.push(c));
  return { clients, catalog, workspace, tree, changes, setActive: (id: string | undefined) => (active = id) };
}

async function childViews(tree: ExplorerTree, node: ExplorerNode | undefined): Promise<{ node: ExplorerNode; view: NodeView }[]> {
  return (await tree.children(node)).map((n) => ({ node: n, view: tree.view(n) }));
}

function simpleMeta(name: string) {
  return {
    name, versions: ['1'], platform: 'identity',
    inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [-1, 16] }],
    outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: [-1, 16] }],
  };
}

test('server → models from the index, each with its state icon, versions and the server reason', async () => {
  const { clients, tree } = setup();
  const c = clients.get('local')!;
  c.index = [
    { name: 'simple', version: '1', state: 'READY' },
    { name: 'broken', version: '1', state: 'UNAVAILABLE', reason: 'Invalid argument: model input dims' },
    { name: 'lazy' },
  ];
  const roots = await childViews(tree, undefined);
  assert.deepEqual(roots.map((r) => r.view.label), ['local', 'Workspace Repository']);
  const server = roots[0]!;
  const models = await childViews(tree, server.node);
  assert.deepEqual(models.map((m) => m.view.label), ['broken', 'lazy', 'simple'], 'sorted by name, loaded or not');
  assert.equal(server.view.description, 'connecting… ●', 'before its first refresh');
  assert.equal(tree.view(server.node).description, '2.59.1 · live, not ready (a model failed to load: broken) ●', 'expanding the server refreshed it');
  assert.match(tree.view(server.node).tooltip!, /model\\_repository, statistics/);
  const [broken, lazy, simple] = models;
  assert.equal(simple!.view.icon!.id, 'pass-filled');
  assert.match(simple!.view.description!, /^READY · v1/);
  assert.equal(broken!.view.icon!.id, 'error');
  assert.match(broken!.view.tooltip!, /Invalid argument: model input dims/);
  assert.equal(lazy!.view.description, 'not loaded');
  assert.equal(lazy!.view.collapsible, 'none', 'nothing to expand under a model never loaded');
  assert.match(broken!.view.contextValue, /^model unavailable control/);
  const brokenChildren = await childViews(tree, broken!.node);
  assert.equal(brokenChildren[0]!.view.label, 'Invalid argument: model input dims', 'the reason is a visible row');
});

test('a READY version lists inputs and outputs with datatype and shape; config and statistics leaves exist', async () => {
  const { clients, tree } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'simple', version: '1', state: 'READY' }, { name: 'simple', version: '2', state: 'UNAVAILABLE', reason: 'unloaded' }];
  c.metadata.set('simple', simpleMeta('simple'));
  const [server] = await tree.children(undefined);
  const [model] = await tree.children(server);
  const kids = await childViews(tree, model);
  assert.deepEqual(kids.map((k) => k.view.label), ['Version 2', 'Version 1', 'Config', 'Statistics']);
  assert.equal(kids[0]!.view.collapsible, 'none', 'an unavailable version has nothing to expand');
  const groups = await childViews(tree, kids[1]!.node);
  assert.deepEqual(groups.map((g) => `${g.view.label} ${g.view.description}`), ['Inputs 1', 'Outputs 1']);
  const inputs = await childViews(tree, groups[0]!.node);
  assert.deepEqual(inputs.map((t) => `${t.view.label}: ${t.view.description}`), ['INPUT0: FP32 [-1, 16]']);
  assert.equal(kids[2]!.view.command?.command, 'triton.showServerConfig');
});

test('nodes are interned: the same id gives the same object across refreshes', async () => {
  const { clients, tree, catalog } = setup();
  clients.get('local')!.index = [{ name: 'a', version: '1', state: 'READY' }];
  const [server] = await tree.children(undefined);
  const [first] = await tree.children(server);
  await catalog.refreshServer('local');
  const [second] = await tree.children(server);
  assert.equal(first, second);
  assert.equal(tree.find('server:local/model:a'), first);
});

test('one model changing state emits a change for that model only', async () => {
  const { clients, catalog, changes } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'a', version: '1', state: 'READY' }, { name: 'b', version: '1', state: 'READY' }];
  await catalog.refreshServer('local');
  changes.length = 0;
  c.index = [{ name: 'a', version: '1', state: 'READY' }, { name: 'b', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' }];
  c.isServerReady = async () => true;
  await catalog.refreshServer('local');
  assert.deepEqual(changes, [{ kind: 'model', serverId: 'local', model: 'b' }]);
  changes.length = 0;
  await catalog.refreshServer('local');
  assert.deepEqual(changes, [], 'nothing changed, nothing redrawn');
});

test('load and unload refresh only that model', async () => {
  const { clients, catalog, changes } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'a', version: '1', state: 'READY' }, { name: 'b', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' }];
  await catalog.refreshServer('local');
  changes.length = 0;
  const after = await catalog.load('local', 'b', undefined);
  assert.equal(after?.state, 'READY');
  assert.ok(changes.every((ch) => ch.kind === 'model' && ch.model === 'b'), JSON.stringify(changes));
  assert.equal(changes.length, 2, 'LOADING, then the final state');
  const unloaded = await catalog.unload('local', 'a');
  assert.equal(unloaded?.state, 'UNAVAILABLE');
  assert.equal(unloaded?.reason, 'unloaded');
});

test('an unreachable server says why, keeps its last model list, and recovers', async () => {
  const { clients, tree, catalog } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'a', version: '1', state: 'READY' }];
  const [server] = await tree.children(undefined);
  await tree.children(server);
  c.down = new TritonError('unavailable', 'cannot reach the server (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1');
  assert.equal(await catalog.refreshServer('local'), 'unreachable');
  const view = tree.view(server!);
  assert.equal(view.description, 'unreachable ●');
  assert.equal(view.icon!.id, 'debug-disconnect');
  const rows = await childViews(tree, server);
  assert.match(rows[0]!.view.label, /^Unreachable: cannot reach the server \(ECONNREFUSED\)/);
  assert.match(rows[0]!.view.contextValue, /unreachable/);
  assert.equal(rows[1]!.view.label, 'a', 'the last known models stay listed');
  assert.match(rows[1]!.view.description!, /last known$/);
  c.down = undefined;
  assert.equal(await catalog.refreshServer('local'), 'ok');
  assert.match(tree.view(server!).description!, /2\.59\.1/);
  assert.deepEqual((await childViews(tree, server)).map((r) => r.view.label), ['a']);
});

test('401 and 403 are explained with what to do', async () => {
  const { clients, tree, catalog } = setup();
  const c = clients.get('local')!;
  c.down = new TritonError('unauthenticated', 'missing token', { status: 401, serverMessage: 'missing token' });
  await catalog.refreshServer('local');
  const [server] = await tree.children(undefined);
  const [row] = await childViews(tree, server);
  assert.match(row!.view.description!, /Set Server Token/);
  c.down = undefined;
  c.repositoryIndex = async () => {
    throw new TritonError('permission-denied', "This API is restricted, expecting header 'admin-key'", { status: 403, serverMessage: "This API is restricted, expecting header 'admin-key'" });
  };
  await catalog.refreshServer('local');
  const rows = await childViews(tree, server);
  assert.match(rows[0]!.view.label, /Cannot list models: This API is restricted/);
  assert.match(rows[0]!.view.description!, /restricted API/);
});

test('a server that forbids load/unload says so and its models lose the control flag', async () => {
  const { clients, tree, catalog } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'a', version: '1', state: 'READY' }];
  c.controlForbidden = true;
  const [server] = await tree.children(undefined);
  await assert.rejects(catalog.unload('local', 'a'), /not allowed/);
  assert.equal(catalog.server('local')!.control, 'forbidden');
  const rows = await childViews(tree, server);
  assert.match(rows[0]!.view.label, /Load\/unload disabled/);
  assert.match(rows[1]!.view.contextValue, /\bnoControl\b/);
  assert.equal(catalog.model('local', 'a')!.state, 'READY', 'the failed unload left the model as the server reports it');
});

test('the control mode can be probed up front', async () => {
  const client = new FakeCatalogClient();
  client.controlForbidden = true;
  const catalog = new ModelCatalog({ createClient: async () => client, probeModelControl: true });
  catalog.setServers([{ name: 's', httpUrl: 'http://127.0.0.1:1', protocol: 'http' }]);
  await catalog.refreshServer('s');
  assert.equal(catalog.server('s')!.control, 'forbidden');
  assert.equal(client.calls.unload, 1);
  await catalog.refreshServer('s');
  assert.equal(client.calls.unload, 1, 'probed once per server');
});

test('a model that disappears between two refreshes is dropped and reported gone', async () => {
  const { clients, tree, catalog, changes } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'a', version: '1', state: 'READY' }, { name: 'b', version: '1', state: 'READY' }];
  const [server] = await tree.children(undefined);
  const [, b] = await tree.children(server);
  c.index = [{ name: 'a', version: '1', state: 'READY' }];
  changes.length = 0;
  assert.equal(await catalog.refreshModel('local', 'b'), 'gone');
  assert.deepEqual(changes, [{ kind: 'server', serverId: 'local' }]);
  assert.equal(tree.view(b!).description, 'no longer in the repository');
  assert.deepEqual((await childViews(tree, server)).map((r) => r.view.label), ['a']);
  assert.deepEqual(await tree.children(b), []);
});

test('concurrent metadata requests for one model share one call', async () => {
  const { clients, catalog } = setup();
  const c = clients.get('local')!;
  c.metadata.set('m', simpleMeta('m'));
  let open!: () => void;
  c.gate = new Promise<void>((r) => (open = r));
  const all = Promise.all(Array.from({ length: 10 }, () => catalog.metadata('local', 'm', '1')));
  open();
  const results = await all;
  assert.equal(c.calls.modelMetadata, 1);
  assert.ok(results.every((r) => r === results[0]));
});

test('workspace model folders are listed without a server and linked to server models by name', async () => {
  const { clients, tree, workspace } = setup();
  clients.get('local')!.index = [{ name: 'simple', version: '1', state: 'READY' }];
  workspace.setConfigPaths(['/ws/models/simple/config.pbtxt', '/ws/other/thing/config.pbtxt', '/ws/not-a-config.txt'], ['/ws']);
  const roots = await childViews(tree, undefined);
  const ws = roots.find((r) => r.view.label === 'Workspace Repository')!;
  const folders = await childViews(tree, ws.node);
  assert.deepEqual(folders.map((f) => `${f.view.label} ${f.view.resourcePath}`), ['simple /ws/models/simple/config.pbtxt', 'thing /ws/other/thing/config.pbtxt']);
  const [server] = await tree.children(undefined);
  const [model] = await childViews(tree, server);
  assert.match(model!.view.description!, /⇄ workspace/);
  assert.equal(model!.view.resourcePath, '/ws/models/simple/config.pbtxt');
  assert.match(model!.view.contextValue, /\blinked\b/);
  assert.match(tree.view(folders[0]!.node).description!, /READY on local/);

  const empty = setup([]);
  empty.workspace.setConfigPaths(['/ws/m/config.pbtxt'], ['/ws']);
  assert.deepEqual((await childViews(empty.tree, undefined)).map((r) => r.view.label), ['Workspace Repository'], 'shown with no server');
});

test('new node kinds can be added under servers without touching the built-in kinds', async () => {
  const { clients, tree } = setup();
  clients.get('local')!.index = [{ name: 'a', version: '1', state: 'READY' }];
  tree.registerKind({ kind: 'shm', view: () => ({ label: 'Shared Memory', contextValue: 'shm', collapsible: 'none' }) });
  const sub = tree.contribute({ parentKind: 'server', order: 10, children: (p, ctx) => [ctx.tree.node({ id: `${p.id}/shm`, kind: 'shm', serverId: p.serverId })] });
  const [server] = await tree.children(undefined);
  assert.deepEqual((await childViews(tree, server)).map((r) => r.view.label), ['a', 'Shared Memory']);
  sub.dispose();
  assert.deepEqual((await childViews(tree, server)).map((r) => r.view.label), ['a']);
});

test('the active server is marked and expanded', async () => {
  const { tree, setActive } = setup(['one', 'two']);
  const [one, two] = await tree.children(undefined);
  assert.equal(tree.view(one!).collapsible, 'expanded');
  assert.equal(tree.view(two!).collapsible, 'collapsed');
  setActive('two');
  assert.match(tree.view(two!).contextValue, /\bactive\b/);
  assert.doesNotMatch(tree.view(one!).contextValue, /\bactive\b/);
});

test('a model state change on the active server redraws its Workspace Repository rows too', async () => {
  const { clients, catalog, tree, workspace, changes } = setup(['local', 'other']);
  clients.get('local')!.index = [{ name: 'simple' }, { name: 'x', version: '1', state: 'READY' }];
  workspace.setConfigPaths(['/a/simple/config.pbtxt', '/b/models/simple/config.pbtxt', '/a/x/config.pbtxt'], ['/a', '/b']);
  const [server] = await tree.children(undefined);
  await tree.children(server);
  const ws = (await tree.children(undefined)).find((n) => n.kind === 'workspace')!;
  const rows = await tree.children(ws);
  const simpleRows = rows.filter((r) => r.model === 'simple');
  assert.equal(simpleRows.length, 2);
  assert.match(tree.view(simpleRows[0]!).description!, /not loaded on local/);
  // The model is loaded on the server (a poll where only its state changed).
  clients.get('local')!.index = [{ name: 'simple', version: '1', state: 'READY' }, { name: 'x', version: '1', state: 'READY' }];
  changes.length = 0;
  await catalog.refreshServer('local');
  const modelChange = changes.find((c) => c.kind === 'model' && c.model === 'simple');
  assert.ok(modelChange !== undefined, JSON.stringify(changes));
  const redraw = nodesToRedraw(modelChange, tree, 'local');
  assert.notEqual(redraw, 'all');
  const ids = (redraw as ExplorerNode[]).map((n) => n.id);
  assert.ok(ids.includes('server:local/model:simple'), ids.join());
  for (const row of simpleRows) assert.ok(ids.includes(row.id), `${row.id} is redrawn`);
  assert.ok(!ids.some((id) => id.includes('/x/')), 'other models are left alone');
  assert.match(tree.view(simpleRows[0]!).description!, /READY on local/);
  // The same change on a server that is not active leaves workspace rows alone.
  assert.deepEqual((nodesToRedraw({ kind: 'model', serverId: 'other', model: 'simple' }, tree, 'local') as ExplorerNode[]).map((n) => n.id), []);
  const serverRedraw = nodesToRedraw({ kind: 'server', serverId: 'local' }, tree, 'local') as ExplorerNode[];
  assert.equal(serverRedraw.filter((n) => n.kind === 'workspace-model').length, 3);
});

test('two workspace folders with the same layout give distinct rows that open their own config', async () => {
  const { tree, workspace } = setup([]);
  workspace.setConfigPaths(['/a/models/simple/config.pbtxt', '/b/models/simple/config.pbtxt'], ['/a', '/b']);
  const ws = (await tree.children(undefined)).find((n) => n.kind === 'workspace')!;
  const rows = await childViews(tree, ws);
  assert.equal(new Set(rows.map((r) => r.node.id)).size, 2);
  assert.notEqual(rows[0]!.node, rows[1]!.node);
  assert.deepEqual(rows.map((r) => r.view.resourcePath), ['/a/models/simple/config.pbtxt', '/b/models/simple/config.pbtxt']);
  assert.deepEqual(rows.map((r) => r.view.description), ['a/models/simple', 'b/models/simple']);
});

test('a server listing a version or a tensor twice still gives every row its own id', async () => {
  const { clients, tree } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'm', version: '1', state: 'UNAVAILABLE', reason: 'x' }, { name: 'm', version: '1', state: 'READY' }, { name: 'm', version: '2', state: 'READY' }];
  c.metadata.set('m', {
    name: 'm', versions: ['1'], platform: 'identity',
    inputs: [{ name: 'IN', datatype: 'FP32', shape: [1] }, { name: 'IN', datatype: 'INT8', shape: [2] }],
    outputs: [{ name: 'OUT', datatype: 'FP32', shape: [1] }],
  });
  const [server] = await tree.children(undefined);
  const [model] = await tree.children(server);
  const kids = await tree.children(model);
  const versions = kids.filter((k) => k.kind === 'version');
  assert.deepEqual(versions.map((v) => v.id), ['server:local/model:m/version:2', 'server:local/model:m/version:1']);
  assert.equal(tree.view(versions[1]!).description, 'READY', 'the READY twin wins');
  const [inputs] = await tree.children(versions[1]);
  const tensors = await childViews(tree, inputs);
  assert.equal(new Set(tensors.map((t) => t.node.id)).size, 2);
  assert.deepEqual(tensors.map((t) => t.view.description), ['FP32 [1]', 'INT8 [2]']);
});

test('a tensor datatype from the server is escaped in its Markdown tooltip', async () => {
  const { clients, tree } = setup();
  const c = clients.get('local')!;
  c.index = [{ name: 'm', version: '1', state: 'READY' }];
  c.metadata.set('m', { name: 'm', versions: ['1'], platform: 'x', inputs: [{ name: 'IN', datatype: '![](https://evil.example/p)', shape: [1] }], outputs: [] });
  const [server] = await tree.children(undefined);
  const [model] = await tree.children(server);
  const [version] = (await tree.children(model)).filter((k) => k.kind === 'version');
  const [inputs] = await tree.children(version);
  const [tensor] = await tree.children(inputs);
  const tooltip = tree.view(tensor!).tooltip!;
  assert.ok(tooltip.includes('\\!\\[\\]\\(https:\\/\\/evil\\.example\\/p\\)'), tooltip);
});
