// Explorer bench: a reference server with a generated 1,000-model repository; times how long the
// tree takes to produce its model rows once the index has arrived, and what the catalog costs in memory.
// Usage: npm run bench:explorer [-- --models 1000 --runs 15]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRepository, startServer } from './explorerFixture';
import { createTritonClient } from '../src/triton/client';
import { registerExplorerNodes } from '../src/services/explorerNodes';
import { ExplorerTree } from '../src/services/explorerTree';
import { ModelCatalog } from '../src/services/modelCatalog';
import { modelsFromIndex } from '../src/services/modelIndex';
import { WorkspaceRepository } from '../src/services/workspaceRepository';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const modelCount = arg('models', 1000);
const runs = arg('runs', 15);
const goalMs = 300;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'triton-explorer-bench-'));
  generateRepository(dir, modelCount);
  const started = performance.now();
  const server = await startServer(dir);
  console.log(`reference server with ${modelCount} models ready in ${(performance.now() - started).toFixed(0)} ms at ${server.httpUrl}`);
  try {
    const client = createTritonClient({ url: server.httpUrl, protocol: 'http' });
    const fetchTimes: number[] = [];
    const parseTimes: number[] = [];
    const renderTimes: number[] = [];
    let rows = 0;
    for (let run = 0; run < runs; run++) {
      // A fresh catalog and tree per run: the first render, as after opening the view.
      const catalog = new ModelCatalog({ createClient: async () => client });
      catalog.setServers([{ name: 'bench', httpUrl: server.httpUrl, protocol: 'http' }]);
      const tree = new ExplorerTree();
      registerExplorerNodes(tree);
      tree.bind({ catalog, workspace: new WorkspaceRepository(), activeServerId: () => 'bench', refreshServer: (id) => catalog.refreshServer(id) });

      const t0 = performance.now();
      let index: unknown[] | undefined = await client.repositoryIndex({ deadlineMs: 10_000 });
      const t1 = performance.now();
      modelsFromIndex(index as Parameters<typeof modelsFromIndex>[0]);
      const t2 = performance.now();
      index = undefined;
      await catalog.refreshServer('bench');
      // Index arrived: from here on is what the view waits for — getChildren + getTreeItem of every model row.
      const t3 = performance.now();
      const [serverNode] = await tree.children(undefined);
      const children = await tree.children(serverNode);
      const views = children.map((n) => tree.view(n));
      const t4 = performance.now();
      rows = views.filter((v) => v.contextValue.startsWith('model')).length;
      fetchTimes.push(t1 - t0);
      parseTimes.push(t2 - t1);
      // The catalog turns the index into model entries as part of the refresh: count that work in too.
      renderTimes.push(t2 - t1 + (t4 - t3));
    }
    // Memory: what one server's catalog plus the rendered rows keep alive, held until measured.
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const retained: unknown[] = [];
    {
      const catalog = new ModelCatalog({ createClient: async () => client });
      catalog.setServers([{ name: 'bench', httpUrl: server.httpUrl, protocol: 'http' }]);
      const tree = new ExplorerTree();
      registerExplorerNodes(tree);
      tree.bind({ catalog, workspace: new WorkspaceRepository(), activeServerId: () => 'bench', refreshServer: (id) => catalog.refreshServer(id) });
      await catalog.refreshServer('bench');
      const [serverNode] = await tree.children(undefined);
      retained.push(catalog, tree, (await tree.children(serverNode)).map((n) => tree.view(n)));
    }
    gc();
    const heapDelta = process.memoryUsage().heapUsed - heapBefore;
    if (retained.length !== 3) throw new Error('nothing retained');
    if (rows !== modelCount) throw new Error(`expected ${modelCount} model rows, got ${rows}`);
    const render = median(renderTimes);
    console.log(`model rows rendered: ${rows}`);
    console.log(`index fetch (HTTP, ${modelCount} entries): median ${median(fetchTimes).toFixed(1)} ms`);
    console.log(`index → model entries: median ${median(parseTimes).toFixed(2)} ms`);
    console.log(`index arrival → getChildren + getTreeItem of all model rows: median ${render.toFixed(2)} ms, max ${Math.max(...renderTimes).toFixed(2)} ms over ${runs} runs`);
    console.log(`goal ${goalMs} ms: ratio ${(render / goalMs).toFixed(4)} (${render <= goalMs ? 'within' : 'OVER'} goal)`);
    console.log(`retained heap of catalog + tree for ${modelCount} models: ${(heapDelta / 1024).toFixed(0)} KiB${(globalThis as { gc?: unknown }).gc === undefined ? ' (run with --expose-gc for a stable figure)' : ''} (~${(heapDelta / modelCount).toFixed(0)} B/model)`);
    await client.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
