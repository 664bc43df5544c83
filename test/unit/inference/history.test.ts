import { test } from 'node:test';
import assert from 'node:assert/strict';
import { historySummary, MAX_ENTRY_CHARS, RequestHistory } from '../../../src/inference/history';
import type { KeyValueStore } from '../../../src/inference/history';
import type { RequestDraft } from '../../../src/inference/requestDraft';

/** A store that keeps values as JSON text, as workspaceState does, so nothing survives that JSON cannot carry. */
class JsonStore implements KeyValueStore {
  readonly texts = new Map<string, string>();
  writes = 0;
  get<T>(key: string): T | undefined {
    const t = this.texts.get(key);
    return t === undefined ? undefined : (JSON.parse(t) as T);
  }
  update(key: string, value: unknown): Promise<void> {
    this.writes++;
    this.texts.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

function draft(model: string, text = '[1, 2]'): RequestDraft {
  return {
    version: 1, model, protocol: 'http', binary: true, mode: { kind: 'single' }, outputs: [],
    inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 2], source: { kind: 'json', text } }],
  };
}

test('entries come back newest first with their draft, server, latency and summary; re-run gives the draft', async () => {
  const store = new JsonStore();
  let clock = 1000;
  const history = new RequestHistory(store, 50, 'k', () => clock++);
  const a = await history.add({ draft: draft('simple'), server: { name: 'local', url: 'http://127.0.0.1:8000' }, latencyMs: 3.5, result: { model: 'simple', version: '1', outputs: [] } });
  const b = await history.add({ draft: { ...draft('other'), modelVersion: '2' }, server: { name: 'local' }, error: 'model not found' });
  const fresh = new RequestHistory(store, 50, 'k');
  const list = fresh.list();
  assert.deepEqual(list.map((e) => e.id), [b.id, a.id]);
  assert.equal(list[1]!.timestamp, 1000);
  assert.equal(list[1]!.latencyMs, 3.5);
  assert.equal(list[0]!.modelVersion, '2');
  assert.equal(list[0]!.error, 'model not found');
  assert.deepEqual(fresh.draftFor(a.id), draft('simple'));
  assert.notEqual(a.id, b.id);
});

test('the history keeps at most its limit, dropping the oldest', async () => {
  const history = new RequestHistory(new JsonStore(), 5, 'k');
  for (let i = 0; i < 12; i++) await history.add({ draft: draft(`m${i}`), server: { name: 's' } });
  assert.deepEqual(history.list().map((e) => e.model), ['m11', 'm10', 'm9', 'm8', 'm7']);
});

test('delete one entry, then clear them all', async () => {
  const history = new RequestHistory(new JsonStore(), 50, 'k');
  const first = await history.add({ draft: draft('a'), server: { name: 's' } });
  await history.add({ draft: draft('b'), server: { name: 's' } });
  assert.equal(await history.remove(first.id), true);
  assert.equal(await history.remove(first.id), false);
  assert.deepEqual(history.list().map((e) => e.model), ['b']);
  assert.throws(() => history.draftFor(first.id), /no longer exists/);
  await history.clear();
  assert.deepEqual(history.list(), []);
});

test('an oversized draft is stored without it, and re-running it says why it cannot', async () => {
  const store = new JsonStore();
  const history = new RequestHistory(store, 50, 'k');
  const entry = await history.add({ draft: draft('big', `[${'1,'.repeat(MAX_ENTRY_CHARS)}1]`), server: { name: 's' } });
  assert.equal(entry.draft, undefined);
  assert.ok(store.texts.get('k')!.length < 10_000);
  assert.throws(() => history.draftFor(entry.id), /'big'.*too large to keep/);
});

test('damaged stored entries are skipped, the rest is kept', async () => {
  const store = new JsonStore();
  const history = new RequestHistory(store, 50, 'k');
  const good = await history.add({ draft: draft('ok'), server: { name: 's' } });
  const stored = store.get<unknown[]>('k')!;
  await store.update('k', [...stored, 42, { id: 'x', timestamp: 'yesterday' }, { ...(stored[0] as object), id: 'y', draft: { version: 9 } }]);
  assert.deepEqual(history.list().map((e) => e.id), [good.id]);
  await store.update('k', 'not a list');
  assert.deepEqual(history.list(), []);
});

test('history summaries stay small for big outputs and survive the JSON round trip', async () => {
  const store = new JsonStore();
  const history = new RequestHistory(store, 50, 'k');
  const big = Float32Array.from({ length: 1 << 20 }, (_, i) => i % 1000);
  const words = Array.from({ length: 500 }, (_, i) => new TextEncoder().encode(`word ${i} `.repeat(40)));
  const result = historySummary({ modelName: 'm', modelVersion: '1', outputs: [
    { name: 'y', datatype: 'FP32', shape: [1024, 1024], data: big },
    { name: 's', datatype: 'BYTES', shape: [500], data: words },
  ] });
  await history.add({ draft: draft('m'), server: { name: 's' }, result });
  assert.ok(store.texts.get('k')!.length < 8_000, `${store.texts.get('k')!.length} characters stored`);
  const kept = history.list()[0]!.result!;
  assert.deepEqual(kept, JSON.parse(JSON.stringify(result)));
  const y = kept.outputs[0]!;
  assert.ok(y.kind === 'numeric' && y.first.length === 16 && y.max === '999');
});
