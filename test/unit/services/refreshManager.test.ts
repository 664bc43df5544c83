import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefreshManager } from '../../../src/services/refreshManager';
import type { RefreshOutcome, RefreshReason, Timers } from '../../../src/services/refreshManager';

// A hand-driven clock: timers fire only when the test advances time, so nothing depends on real delays.
class FakeClock implements Timers {
  now = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  count(): number {
    return this.pending.size;
  }
  dueTimes(): number[] {
    return [...this.pending.values()].map((p) => p.at - this.now).sort((a, b) => a - b);
  }
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await settle();
    }
    this.now = target;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

interface Deferred {
  resolve(o: RefreshOutcome): void;
  reject(e: unknown): void;
}

function harness(intervalSeconds = 5, outcome: () => RefreshOutcome = () => 'ok') {
  const clock = new FakeClock();
  const calls: { id: string; reasons: RefreshReason[]; signal: AbortSignal }[] = [];
  const manager = new RefreshManager({
    refresh: async (id, reasons, signal) => {
      calls.push({ id, reasons: [...reasons], signal });
      return outcome();
    },
    intervalSeconds: () => intervalSeconds,
    maxBackoffSeconds: 40,
    timers: clock,
  });
  return { clock, calls, manager };
}

test('a burst of requests while one refresh runs costs one follow-up run, not N', async () => {
  const clock = new FakeClock();
  const gates: Deferred[] = [];
  const seen: RefreshReason[][] = [];
  const manager = new RefreshManager({
    refresh: (_id, reasons) => {
      seen.push([...reasons]);
      return new Promise<RefreshOutcome>((resolve, reject) => gates.push({ resolve, reject }));
    },
    intervalSeconds: () => 0,
    timers: clock,
  });
  const first = manager.request('a', 'manual');
  const burst = Array.from({ length: 20 }, (_, i) => manager.request('a', i % 2 === 0 ? 'poll' : 'model-action'));
  await settle();
  assert.equal(gates.length, 1, 'only the first refresh started');
  gates[0]!.resolve('ok');
  assert.equal(await first, 'ok');
  await settle();
  assert.equal(gates.length, 2, 'one queued refresh started after the first');
  assert.deepEqual(seen[1], ['poll', 'model-action'], 'the queued run carries every distinct reason');
  gates[1]!.resolve('ok');
  const outcomes = await Promise.all(burst);
  assert.ok(outcomes.every((o) => o === 'ok'));
  assert.equal(manager.runs('a'), 2);
  manager.dispose();
});

test('servers are refreshed independently', async () => {
  const { manager, calls } = harness(0);
  await Promise.all([manager.request('a', 'manual'), manager.request('b', 'manual'), manager.request('a', 'manual')]);
  assert.equal(calls.filter((c) => c.id === 'a').length, 2);
  assert.equal(calls.filter((c) => c.id === 'b').length, 1);
  manager.dispose();
});

test('no polling while the view is hidden; polling at the interval once visible', async () => {
  const { manager, calls, clock } = harness(5);
  manager.setServers(['a']);
  await clock.advance(60_000);
  assert.equal(calls.length, 0, 'hidden view: nothing polled');
  manager.setVisible(true);
  await settle();
  assert.deepEqual(calls.map((c) => c.reasons), [['view-visible']]);
  await clock.advance(4_999);
  assert.equal(calls.length, 1);
  await clock.advance(1);
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1]!.reasons, ['poll']);
  await clock.advance(15_000);
  assert.equal(calls.length, 5);
  manager.setVisible(false);
  assert.equal(clock.count(), 0, 'hiding the view clears the poll timer');
  await clock.advance(60_000);
  assert.equal(calls.length, 5);
  manager.dispose();
});

test('an unreachable server is polled with doubling delays up to the cap, and back to the interval on recovery', async () => {
  let up = false;
  const { manager, calls, clock } = harness(5, () => (up ? 'ok' : 'unreachable'));
  manager.setServers(['a']);
  manager.setVisible(true);
  await settle();
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    delays.push(clock.dueTimes()[0]!);
    await clock.advance(clock.dueTimes()[0]!);
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 40_000, 40_000]);
  assert.equal(manager.failures('a'), 6);
  assert.deepEqual(calls.at(-1)!.reasons, ['recovery']);
  up = true;
  await clock.advance(clock.dueTimes()[0]!);
  assert.equal(manager.failures('a'), 0);
  assert.deepEqual(clock.dueTimes(), [5_000]);
  manager.dispose();
});

test('a refresh that throws counts as unreachable and is reported', async () => {
  const errors: unknown[] = [];
  const manager = new RefreshManager({
    refresh: async () => {
      throw new Error('boom');
    },
    intervalSeconds: () => 0,
    onError: (_id, e) => errors.push(e),
    timers: new FakeClock(),
  });
  assert.equal(await manager.request('a', 'manual'), 'unreachable');
  assert.equal(errors.length, 1);
  assert.equal(manager.failures('a'), 1);
  manager.dispose();
});

test('the interval setting is read on every schedule, and 0 turns polling off', async () => {
  let interval = 5;
  const clock = new FakeClock();
  let runs = 0;
  const manager = new RefreshManager({
    refresh: async () => {
      runs++;
      return 'ok';
    },
    intervalSeconds: () => interval,
    timers: clock,
  });
  manager.setServers(['a']);
  manager.setVisible(true);
  await settle();
  interval = 2;
  await clock.advance(5_000);
  assert.deepEqual(clock.dueTimes(), [2_000]);
  interval = 0;
  await clock.advance(2_000);
  assert.equal(clock.count(), 0);
  assert.equal(runs, 3);
  manager.dispose();
});

test('removing a server or disposing aborts its in-flight refresh and stops its timer', async () => {
  const clock = new FakeClock();
  const signals: AbortSignal[] = [];
  const manager = new RefreshManager({
    refresh: (_id, _r, signal) => {
      signals.push(signal);
      return new Promise<RefreshOutcome>((resolve) => signal.addEventListener('abort', () => resolve('unreachable')));
    },
    intervalSeconds: () => 5,
    timers: clock,
  });
  manager.setServers(['a', 'b']);
  manager.setVisible(true);
  await settle();
  assert.equal(signals.length, 2);
  manager.setServers(['b']);
  assert.equal(signals[0]!.aborted, true);
  assert.equal(signals[1]!.aborted, false);
  manager.dispose();
  assert.equal(signals[1]!.aborted, true);
  await settle();
  assert.equal(clock.count(), 0, 'no timer survives dispose');
});

test('ensure joins the refresh in flight instead of queueing another', async () => {
  const gates: Deferred[] = [];
  const manager = new RefreshManager({
    refresh: () => new Promise<RefreshOutcome>((resolve, reject) => gates.push({ resolve, reject })),
    intervalSeconds: () => 0,
    timers: new FakeClock(),
  });
  const first = manager.request('a', 'startup');
  const joined = manager.ensure('a', 'view-visible');
  await settle();
  gates[0]!.resolve('ok');
  assert.equal(await joined, 'ok');
  await first;
  await settle();
  assert.equal(gates.length, 1, 'no second run');
  const fresh = manager.ensure('a', 'view-visible');
  await settle();
  assert.equal(gates.length, 2, 'with nothing in flight, ensure starts a run');
  gates[1]!.resolve('ok');
  await fresh;
  manager.dispose();
});

test('an interval under a second polls once a second, not every few milliseconds', async () => {
  for (const setting of [0.01, 0.5, 1e-9]) {
    const clock = new FakeClock();
    const manager = new RefreshManager({ refresh: async () => 'ok', intervalSeconds: () => setting, timers: clock });
    manager.setServers(['a']);
    manager.setVisible(true);
    await settle();
    assert.deepEqual(clock.dueTimes(), [1_000], `refreshInterval ${setting}`);
    assert.equal(manager.nextDelayMs('a'), 1_000);
    manager.dispose();
  }
});
