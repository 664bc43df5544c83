import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, planFromSettings } from '../../../src/services/loadTestSettings';
import { isFromLoadTestPage, isLoadTestPageState, isToLoadTestPage } from '../../../src/shared/loadTestProtocol';
import type { LoadTestSettings } from '../../../src/shared/loadTestProtocol';

const base: LoadTestSettings = defaultSettings('http');

test('the form becomes the engine plan and bounds', () => {
  assert.deepEqual(planFromSettings({ ...base, levels: [1, 2, 4], stepSeconds: 1.5, maxRequests: 500, maxSeconds: 20 }), {
    plan: { mode: 'concurrency', levels: [1, 2, 4], stepMs: 1500 }, maxRequests: 500, maxDurationMs: 20_000,
  });
  assert.deepEqual(planFromSettings({ ...base, mode: 'rate', rate: 25, durationSeconds: 3 }).plan, { mode: 'rate', requestsPerSecond: 25, durationMs: 3000 });
});

test('every bad figure is refused with the name of its field', () => {
  const refused = (over: Partial<LoadTestSettings>, why: RegExp): void => assert.throws(() => planFromSettings({ ...base, ...over }), why);
  refused({ levels: [] }, /Concurrency levels: give at least one/);
  refused({ levels: [1, 2.5] }, /Concurrency levels: 2.5 is not a whole number/);
  refused({ levels: [1, Number.NaN] }, /Concurrency levels: NaN/);
  refused({ levels: [2000] }, /from 1 to 1024/);
  refused({ stepSeconds: 0 }, /Step duration/);
  refused({ maxRequests: 0 }, /Max requests/);
  refused({ maxRequests: 2_000_000 }, /Max requests/);
  refused({ maxSeconds: Number.NaN }, /Max time/);
  refused({ maxSeconds: 7200 }, /Max time/);
  refused({ mode: 'rate', rate: 0 }, /Rate must be above 0/);
  refused({ mode: 'rate', rate: 1e6 }, /at most 100000/);
  refused({ mode: 'rate', durationSeconds: -1 }, /Duration/);
  // A sweep's rate fields do not matter, nor a rate's levels.
  assert.doesNotThrow(() => planFromSettings({ ...base, rate: -1 }));
  assert.doesNotThrow(() => planFromSettings({ ...base, mode: 'rate', levels: [] }));
});

test('page → host messages are checked; anything else is dropped', () => {
  assert.ok(isFromLoadTestPage({ type: 'start', settings: base }));
  assert.ok(isFromLoadTestPage({ type: 'stop' }));
  assert.ok(isFromLoadTestPage({ type: 'copyCommand', settings: base }));
  assert.ok(!isFromLoadTestPage({ type: 'start' }));
  assert.ok(!isFromLoadTestPage({ type: 'start', settings: { ...base, protocol: 'ftp' } }));
  assert.ok(!isFromLoadTestPage({ type: 'start', settings: { ...base, levels: ['1'] } }));
  assert.ok(!isFromLoadTestPage({ type: 'start', settings: { ...base, levels: Array(65).fill(1) } }), 'too many levels');
  assert.ok(!isFromLoadTestPage({ type: 'start', settings: { ...base, maxRequests: Number.POSITIVE_INFINITY } }));
  assert.ok(!isFromLoadTestPage({ type: 'eval', code: 'x' }));
  assert.ok(!isFromLoadTestPage(null));
});

test('host → page envelopes and the saved state are checked', () => {
  assert.ok(isToLoadTestPage({ type: 'step', runId: 1, index: 0, step: { label: 'c=1' } }));
  assert.ok(isToLoadTestPage({ type: 'finished', runId: 1, result: { steps: [] }, run: { model: 'm' } }));
  assert.ok(!isToLoadTestPage({ type: 'finished', runId: 1, result: {}, run: { model: 'm' } }));
  assert.ok(!isToLoadTestPage({ type: 'finished', runId: 1, result: { steps: [] } }), 'without the run record');
  assert.ok(!isToLoadTestPage({ type: 'notice' }));
  assert.ok(isLoadTestPageState({ target: { serverId: 's', model: 'm' }, settings: base }));
  assert.ok(isLoadTestPageState({ target: { serverId: 's', model: 'm' } }));
  assert.ok(!isLoadTestPageState({ target: { serverId: 's' } }));
  assert.ok(!isLoadTestPageState({ target: { serverId: 's', model: 'm' }, settings: { mode: 'x' } }));
  assert.ok(isLoadTestPageState({ target: { serverId: 's', model: 'm' }, settings: base, lastRun: { model: 'm' } }));
  assert.ok(!isLoadTestPageState({ target: { serverId: 's', model: 'm' }, lastRun: 'run' }));
});
