// The gRPC stack is bundled but loaded only on first use: a server set to the gRPC protocol must
// still answer through the packaged extension, in the real extension host.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

interface SnapshotNode {
  label: string;
  kind: string;
  description?: string;
  children?: SnapshotNode[];
}

interface ExplorerApi {
  snapshot(maxDepth?: number): Promise<SnapshotNode[]>;
  refresh(serverId?: string): Promise<void>;
  activeServerId(): string | undefined;
}

async function explorerApi(): Promise<ExplorerApi> {
  const extension = vscode.extensions.getExtension<{ explorer: ExplorerApi }>('triton-workbench.triton-workbench');
  assert.ok(extension);
  return (await extension.activate()).explorer;
}

describe('gRPC from the bundle', function () {
  this.timeout(60_000);
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('triton');
  // The server list and the active server are put back as they were, for the tests that follow.
  let originalServers: unknown;
  let originalActive: unknown;
  let activeBefore: string | undefined;

  before(async () => {
    originalServers = config().inspect('servers')?.workspaceValue;
    originalActive = config().inspect('activeServer')?.workspaceValue;
    activeBefore = (await explorerApi()).activeServerId();
  });

  after(async () => {
    await config().update('servers', originalServers, vscode.ConfigurationTarget.Workspace);
    await config().update('activeServer', originalActive, vscode.ConfigurationTarget.Workspace);
    // Let the refresh those changes start finish here, not during the next suite.
    const explorer = await explorerApi();
    const deadline = Date.now() + 15_000;
    for (;;) {
      const active = explorer.activeServerId();
      const node = (await explorer.snapshot(2)).find((n) => n.label === active);
      if (active === activeBefore && (active === undefined || (node?.children ?? []).some((c) => c.kind === 'model'))) break;
      if (Date.now() > deadline) throw new Error(`the explorer did not return to server ${activeBefore} (now ${active})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('lists the reference server models over gRPC', async () => {
    const httpUrl = process.env.TRITON_TEST_HTTP_URL;
    const grpcUrl = process.env.TRITON_TEST_GRPC_URL;
    assert.ok(httpUrl && grpcUrl, 'the runner passes the reference server URLs');
    const explorer = await explorerApi();
    // An HTTP URL nobody listens on: only the gRPC path can produce the models.
    const deadHttp = 'http://127.0.0.1:9';
    await config().update('servers', [{ name: 'over-grpc', httpUrl: deadHttp, grpcUrl, protocol: 'grpc' }], vscode.ConfigurationTarget.Workspace);
    const deadline = Date.now() + 30_000;
    let last: SnapshotNode | undefined;
    for (;;) {
      await explorer.refresh('over-grpc');
      last = (await explorer.snapshot(2)).find((n) => n.label === 'over-grpc');
      const simple = last?.children?.find((c) => c.kind === 'model' && c.label === 'simple');
      if (simple && /READY/.test(simple.description ?? '')) break;
      if (Date.now() > deadline) assert.fail(`no READY model 'simple' over gRPC; last seen: ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
