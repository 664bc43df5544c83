// Explorer DOM bench: the packaged extension in code-server against a 1,000-model reference server;
// times from clicking the Triton icon to the model rows being in the DOM.
// Usage: npm run package && npx tsx bench/explorer-dom.ts [--models 1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkbench } from '../test/e2e/support/workbench';
import { openTritonView } from '../test/e2e/support/actions';
import { generateRepository, startServer } from './explorerFixture';

const i = process.argv.indexOf('--models');
const modelCount = i === -1 ? 1000 : Number(process.argv[i + 1]);
const goalMs = 300;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'triton-explorer-dom-'));
  generateRepository(dir, modelCount);
  const server = await startServer(dir);
  const workbench = await openWorkbench({ settings: { 'triton.servers': [{ name: 'bench', httpUrl: server.httpUrl, grpcUrl: server.grpcUrl }], 'triton.refreshInterval': 0 } });
  try {
    const { page } = workbench;
    const t0 = performance.now();
    const pane = await openTritonView(page);
    await pane.locator('.monaco-list-row:has(.monaco-icon-label[aria-label="bench"])').waitFor({ timeout: 60_000 });
    const tServer = performance.now();
    const first = pane.locator('.monaco-list-row:has(.monaco-icon-label[aria-label="model_0000"])');
    await first.waitFor({ timeout: 60_000 });
    const t1 = performance.now();
    // The list is virtual: check that it knows every row, not that all are drawn.
    const setSize = await first.getAttribute('aria-setsize');
    if (Number(setSize) !== modelCount) throw new Error(`the server row lists ${setSize} children, expected ${modelCount}`);
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    console.log(`code-server, ${modelCount} models`);
    console.log(`click on the Triton icon → first model row in the DOM: ${(t1 - t0).toFixed(0)} ms (includes activation, the server round trips and rendering)`);
    // An expanded server row is drawn together with its children, so the first span holds the extension host's
    // start, activation, the server's health and index round trips and the tree's own work.
    console.log(`  of which click → server row: ${(tServer - t0).toFixed(0)} ms; server row → first model row: ${(t1 - tServer).toFixed(0)} ms`);
    console.log(`goal ${goalMs} ms: end-to-end ratio ${((t1 - t0) / goalMs).toFixed(2)} (run with --models 20 to see the part that does not depend on the model count)`);
    if (heap > 0) console.log(`workbench renderer JS heap: ${(heap / 1024 / 1024).toFixed(1)} MiB`);
  } finally {
    await workbench.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
