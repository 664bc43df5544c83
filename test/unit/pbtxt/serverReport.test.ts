// Which repository index entries count as load failures worth a diagnostic on the config.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isLoadFailure } from '../../../src/pbtxt/serverReport';

test('a model unloaded on purpose is not a load failure', () => {
  // Triton's index after an explicit unload (and for an ensemble whose step was unloaded).
  assert.equal(isLoadFailure({ state: 'UNAVAILABLE', reason: 'unloaded' }), false);
  assert.equal(isLoadFailure({ state: 'UNAVAILABLE', reason: ' unloaded\n' }), false);
});

test('a model that failed to load is one, whatever its reason says', () => {
  assert.equal(isLoadFailure({ state: 'UNAVAILABLE', reason: "model input 'INPUT0' dimension must be integer >= 1" }), true);
  assert.equal(isLoadFailure({ state: 'UNAVAILABLE', reason: 'unloaded model file is missing' }), true);
});

test('ready, loading and reason-less entries are not failures', () => {
  assert.equal(isLoadFailure({ state: 'READY' }), false);
  assert.equal(isLoadFailure({ state: 'LOADING', reason: 'loading' }), false);
  assert.equal(isLoadFailure({ state: 'UNAVAILABLE', reason: '' }), false);
  assert.equal(isLoadFailure({ state: 'UNAVAILABLE' }), false);
});
