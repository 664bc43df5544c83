// Tree redraws asked for in a burst reach the view as one event (VS Code fails on overlapping ones).
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { RedrawBatch } from '../../../src/services/redrawBatch';
import { RedrawBatcher } from '../../../src/services/redrawBatch';

type Node = { id: string };
const server = { id: 'server:reference' };
const simple = { id: 'server:reference/model:simple' };
const broken = { id: 'server:reference/model:broken_config' };
const workspaceRow = { id: 'workspace/model:simple' };

function recorder(windowMs = 20): { batcher: RedrawBatcher<Node>; batches: RedrawBatch<string>[] } {
  const batches: RedrawBatch<string>[] = [];
  const batcher = new RedrawBatcher<Node>(windowMs, (b) => batches.push(b === 'all' ? 'all' : b.map((n) => n.id)));
  return { batcher, batches };
}

test('a burst of node redraws is one event with each node once', async () => {
  const { batcher, batches } = recorder();
  batcher.request(simple);
  batcher.request(workspaceRow);
  batcher.request(simple);
  assert.deepEqual(batches, [], 'nothing goes out before the window ends');
  await sleep(60);
  assert.deepEqual(batches, [[simple.id, workspaceRow.id]]);
});

test('a node inside another node of the batch is left out: the outer redraw covers it', async () => {
  const { batcher, batches } = recorder();
  batcher.request(broken);
  batcher.request(server);
  batcher.request(simple);
  await sleep(60);
  assert.deepEqual(batches, [[server.id]]);
});

test('a whole-tree redraw in the window swallows the node redraws', async () => {
  const { batcher, batches } = recorder();
  batcher.request(simple);
  batcher.request(undefined);
  batcher.request(broken);
  await sleep(60);
  assert.deepEqual(batches, ['all']);
});

test('redraws further apart than the window stay apart, and dispose drops what is pending', async () => {
  const { batcher, batches } = recorder();
  batcher.request(simple);
  await sleep(60);
  batcher.request(broken);
  await sleep(60);
  assert.deepEqual(batches, [[simple.id], [broken.id]]);
  batcher.request(server);
  batcher.dispose();
  await sleep(60);
  assert.equal(batches.length, 2);
});
