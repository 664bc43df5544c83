// Server logs, the launcher and live settings in a real extension host: Start Server runs the
// reference server through the custom-command preset on the workspace's repository, its log (with the
// broken_config failure) reaches the log view, the tree and status bar show its state, verbose
// logging toggles on the live server, a file log source is followed, and Stop ends the process.
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TritonWorkbenchApi } from '../../src/extension';
import { extensionId, waitFor, workbenchApi } from './support/workbench';
import type { SnapshotNode } from '../../src/vscode/tree/modelTreeProvider';



// The log tests wait longer than the shared default: a launched server has to start first.
function waitLong<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  return waitFor(what, probe, 30_000);
}

async function verboseLevel(httpUrl: string): Promise<number> {
  const res = await fetch(`${httpUrl}/v2/logging`);
  return ((await res.json()) as { log_verbose_level: number }).log_verbose_level;
}

describe('server logs and launcher', function () {
  this.timeout(90_000);
  let wb: TritonWorkbenchApi;
  let root: string;
  let original: unknown;
  const name = 'launched-test';

  before(async function () {
    if (!process.env.TRITON_TEST_HTTP_URL) this.skip();
    wb = await workbenchApi();
    root = vscode.extensions.getExtension(extensionId)!.extensionPath;
    original = vscode.workspace.getConfiguration('triton').inspect('servers')?.workspaceValue;
    await vscode.commands.executeCommand('workbench.view.extension.triton');
  });

  after(async () => {
    await vscode.commands.executeCommand('triton.stopServer', { serverId: name });
    if (original !== undefined) await vscode.workspace.getConfiguration('triton').update('servers', original, vscode.ConfigurationTarget.Workspace);
  });

  it('starts the reference server through the custom preset, adds its entry, and shows its log with the load failure', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const command = ['${node}', join(root, 'test/server/run.mjs'), '--model-repository', '${repository}', '--http-port', '${httpPort}', '--grpc-port', '${grpcPort}', '--metrics-port', '${metricsPort}'];
    const started = await vscode.commands.executeCommand<{ httpUrl: string; pid: number }>('triton.startServer', { preset: 'custom', repository: join(folder, 'model_repository'), serverName: name, command });
    assert.ok(started, 'Start Server returned nothing (see the extension log)');
    assert.equal(wb.logs.launchState(name)?.kind, 'running');
    assert.equal((await fetch(`${started.httpUrl}/v2/health/live`)).status, 200);
    const servers = vscode.workspace.getConfiguration('triton').get<{ name: string; httpUrl: string }[]>('servers') ?? [];
    assert.equal(servers.find((s) => s.name === name)?.httpUrl, started.httpUrl, 'the launched server is in triton.servers');

    const failure = await waitLong('the broken_config failure in the log', () => wb.logs.history(name).find((e) => e.loadFailure === true));
    assert.equal(failure.model, 'broken_config');
    assert.match(failure.message, /model output 'OUTPUT0' dimension must be integer >= 1/);
    await waitLong('the log view to receive the entries', () => ((wb.logs.panel(name)?.posted ?? 0) > 0 ? true : undefined));
    assert.match(wb.logs.statusBarText(), new RegExp(`${name}: running`));

    await wb.explorer.refresh(name);
    const server = await waitLong('the launched server in the tree', async () => (await wb.explorer.snapshot(3)).find((n: SnapshotNode) => n.label === name && (n.children?.length ?? 0) > 0));
    const launchedRow = server.children!.find((c) => c.kind === 'launched-server');
    assert.ok(launchedRow, JSON.stringify(server.children?.map((c) => c.label)));
    assert.match(launchedRow.label, /^Started here: running/);
    const settings = server.children!.find((c) => c.kind === 'server-settings');
    assert.ok(settings, 'a Server Settings node');
    const rows = settings.children ?? [];
    assert.equal(rows.find((r) => r.label === 'Verbose level')?.description, '0');
    assert.equal(rows.find((r) => r.label === 'Line format')?.description, 'default');
    assert.ok(rows.some((r) => r.label === 'Trace rate'), rows.map((r) => r.label).join(', '));
  });

  it('Verbose for 60 s raises the level on the server and the toggle restores it', async () => {
    const httpUrl = (vscode.workspace.getConfiguration('triton').get<{ name: string; httpUrl: string }[]>('servers') ?? []).find((s) => s.name === name)!.httpUrl;
    assert.equal(await verboseLevel(httpUrl), 0);
    await vscode.commands.executeCommand('triton.toggleVerbose', { serverId: name });
    assert.equal(await verboseLevel(httpUrl), 1);
    await vscode.commands.executeCommand('triton.toggleVerbose', { serverId: name });
    assert.equal(await verboseLevel(httpUrl), 0);
  });

  it('Show Logs for an error opens the server log at that time', async () => {
    const at = Date.now() - 5000;
    await vscode.commands.executeCommand('triton.showLogsForError', { serverId: name, timeMs: at });
    assert.equal(wb.logs.panel(name)?.lastFocus, at);
  });

  it('follows a configured log file, including lines appended later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-ext-log-'));
    const file = join(dir, 'triton.log');
    writeFileSync(file, 'I1206 10:00:00.000001 7 model_lifecycle.cc:473] "loading: from_file:1"\n');
    const servers = vscode.workspace.getConfiguration('triton').get<unknown[]>('servers') ?? [];
    await vscode.workspace.getConfiguration('triton').update('servers', [...servers, { name: 'filelog', httpUrl: process.env.TRITON_TEST_HTTP_URL, log: { file, tailLines: 10 } }], vscode.ConfigurationTarget.Workspace);
    await waitLong('the filelog server', () => (wb.explorer.catalog.serverIds().includes('filelog') ? true : undefined));
    await vscode.commands.executeCommand('triton.showServerLog', { serverId: 'filelog' });
    await waitLong('the file content', () => wb.logs.history('filelog').find((e) => e.model === 'from_file'));
    appendFileSync(file, 'E1206 10:00:01.000001 7 model_lifecycle.cc:654] "failed to load \'later\' version 1: boom"\n');
    const later = await waitLong('the appended line', () => wb.logs.history('filelog').find((e) => e.model === 'later'));
    assert.equal(later.loadFailure, true);
  });

  it('Stop Server ends the process with SIGINT and the tree says so', async () => {
    const httpUrl = (vscode.workspace.getConfiguration('triton').get<{ name: string; httpUrl: string }[]>('servers') ?? []).find((s) => s.name === name)!.httpUrl;
    await vscode.commands.executeCommand('triton.stopServer', { serverId: name });
    const state = wb.logs.launchState(name);
    assert.ok(state?.kind === 'exited' && state.expected, JSON.stringify(state));
    await assert.rejects(fetch(`${httpUrl}/v2/health/live`));
    assert.ok(wb.logs.history(name).some((e) => e.message === 'Waiting for in-flight requests to complete.'));
  });
});
