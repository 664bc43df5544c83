import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedRefusal } from '../../../src/services/refusal';
import { TritonError } from '../../../src/triton/errors';

test('a server refusing a request is a one-line warning with its reason, no stack', () => {
  const refused = new TritonError('invalid-argument', "failed to load 'broken_config'", {
    status: 400, request: 'POST /v2/repository/models/broken_config/load', serverMessage: "failed to load 'broken_config'",
  });
  const line = expectedRefusal(refused);
  assert.equal(line, "POST /v2/repository/models/broken_config/load: failed to load 'broken_config' [invalid-argument, HTTP 400]");
  assert.ok(!line!.includes('\n    at '), 'no stack frames');
  assert.match(expectedRefusal(new TritonError('unavailable', 'cannot reach the server (ECONNREFUSED)', { grpcCode: 14 }))!, /\[unavailable, gRPC code 14\]$/);
});

test('malformed answers and other errors are not refusals: they keep their stack', () => {
  assert.equal(expectedRefusal(new TritonError('protocol', 'response is not JSON')), undefined);
  assert.equal(expectedRefusal(new Error('a bug')), undefined);
  assert.equal(expectedRefusal('text'), undefined);
});
