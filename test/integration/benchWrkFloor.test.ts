// The bench's native floor: wrk posting the client's exact binary infer body (bytes that need Lua
// escapes, such as a zero followed by digits) must get 200 answers from the reference server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { wrkFloor, wrkMissing } from '../../bench/wrkFloor';
import { buildInferBody } from '../../src/triton/http/inferBody';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

const missing = wrkMissing();

describe('bench native floor (wrk)', { skip: missing === undefined ? false : `${missing}` }, () => {
  let server: ReferenceServer;
  before(async () => {
    server = await startReferenceServer({ extraArgs: ['--log-info', 'false'] });
  });
  after(async () => {
    await server.stop();
  });

  it('posts the binary infer body and every answer is a 200', { timeout: 30_000 }, async () => {
    // 0x00 then '1'..: a decimal Lua escape without padding would swallow the digits that follow.
    const data = Float32Array.from({ length: 16 }, (_, i) => i * 0.25);
    const body = buildInferBody([{ name: 'INPUT0', datatype: 'FP32', shape: [16], data }], undefined, { binaryData: true });
    const bytes = Buffer.concat(body.chunks);
    assert.ok(bytes.includes(0), 'the body has zero bytes to escape');
    const floor = wrkFloor(server.httpUrl, '/v2/models/identity_fp32/infer', bytes, {
      'content-type': 'application/octet-stream', 'inference-header-content-length': String(body.headerLength),
    });
    try {
      const run = await floor.run(2, 1000);
      assert.equal(run.errors, 0, 'wrk counted non-2xx answers or socket errors');
      assert.ok(run.requests > 50, `${run.requests} requests in a second`);
      assert.ok(run.p50Us > 0 && run.p99Us >= run.p50Us, `p50 ${run.p50Us} µs, p99 ${run.p99Us} µs`);
      assert.ok(Math.abs(run.seconds - 1) < 0.5, `ran ${run.seconds} s`);
    } finally {
      floor.close();
    }
  });

  it('counts a wrong body as errors instead of hiding it', { timeout: 30_000 }, async () => {
    const floor = wrkFloor(server.httpUrl, '/v2/models/identity_fp32/infer', Buffer.from('{"inputs": ['), { 'content-type': 'application/json' });
    try {
      const run = await floor.run(1, 1000);
      assert.ok(run.requests > 0);
      assert.equal(run.errors, run.requests, 'every 400 answer is an error');
    } finally {
      floor.close();
    }
  });
});
