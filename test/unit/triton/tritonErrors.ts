// Assertions on the client's errors shared by the HTTP/1.1 tests.
import assert from 'node:assert/strict';
import { TritonError } from '../../../src/triton/errors';
import type { TritonErrorKind } from '../../../src/triton/errors';

/** Awaits `promise`, which must fail with a TritonError of `kind` whose message matches `pattern`. */
export async function rejectsWith(promise: Promise<unknown>, kind: TritonErrorKind, pattern: RegExp): Promise<TritonError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TritonError, `expected a TritonError, got ${String(error)}`);
    assert.equal(error.kind, kind, `kind of "${error.message}"`);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a '${kind}' TritonError`);
}

export const pause = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
