// The words the explorer and status bar use for a server's health: a live server that is not ready
// names the models whose load failed (Triton's strict readiness), and an unloaded model is no failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelEntry, ServerHealth, ServerState } from '../../../src/services/catalogTypes';
import { failedModels, healthWords } from '../../../src/services/serverReadiness';

function server(health: ServerHealth['state'], models: ModelEntry[]): ServerState {
  return {
    id: 's', control: 'explicit', health: { state: health, version: '2.59.1' },
    config: { name: 's', httpUrl: 'http://127.0.0.1:1', protocol: 'http' } as ServerState['config'],
    models: new Map(models.map((m) => [m.name, m])),
  };
}

const failed = (name: string): ModelEntry => ({ name, state: 'UNAVAILABLE', reason: `load failed for ${name}`, versions: [] });

test('a live server names the models that failed to load, never the unloaded ones', () => {
  const unloaded: ModelEntry = { name: 'gone', state: 'UNAVAILABLE', reason: 'unloaded', versions: [] };
  const idle: ModelEntry = { name: 'idle', state: 'UNAVAILABLE', versions: [] };
  assert.deepEqual(failedModels(server('live', [failed('a'), unloaded, idle])), ['a']);
  assert.equal(healthWords(server('live', [failed('a'), unloaded])), 'live, not ready (a model failed to load: a)');
  assert.equal(healthWords(server('live', [unloaded])), 'live, not ready');
  assert.equal(healthWords(server('live', ['a', 'b', 'c', 'd', 'e'].map(failed))), 'live, not ready (5 models failed to load: a, b, c and 2 more)');
});

test('other states keep their plain words', () => {
  assert.equal(healthWords(server('ready', [failed('a')])), 'ready');
  assert.equal(healthWords(server('unknown', [])), 'connecting');
  assert.equal(healthWords(server('unreachable', [failed('a')])), 'unreachable');
});
