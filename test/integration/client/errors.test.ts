// Every error kind the client reports, produced by a real server over both transports: bad requests,
// dead servers and closed ports, deadlines, cancellation, injected faults (delay, drop, truncated
// answers, lying header lengths, error statuses). Each call is bounded; none may hang.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { encodeTensor } from '../../../src/triton/tensor';
import type { TritonErrorKind } from '../../../src/triton/errors';
import type { InferInput } from '../../../src/triton/types';
import { httpRequest } from '../../support/httpRequest';
import { startReferenceServer } from '../../support/referenceServer';
import { expectTritonError, fault, REFERENCE_ONLY, requireModel, TEST_TIMEOUT_MS, TRANSPORTS, useSuiteServer } from '../support/clientSuite';
import type { Transport } from '../support/clientSuite';

const IN0 = Int32Array.from({ length: 16 }, (_, i) => i);

function simpleInputs(): InferInput[] {
  return [
    { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: IN0 },
    { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: IN0 },
  ];
}

/** A loopback port with nothing listening: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function urlFor(transport: Transport, port: number): string {
  return transport === 'http' ? `http://127.0.0.1:${port}` : `127.0.0.1:${port}`;
}

/** The call must fail well before its own deadline would have ended it. */
async function quickly<T>(started: number, limitMs: number, promise: Promise<T>): Promise<T> {
  const value = await promise;
  const elapsed = Date.now() - started;
  assert.ok(elapsed < limitMs, `took ${elapsed} ms (limit ${limitMs} ms)`);
  return value;
}

describe('client errors', { timeout: TEST_TIMEOUT_MS * 6 }, () => {
  const server = useSuiteServer();

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      let cached: TritonClient | undefined;
      const client = (): TritonClient => (cached ??= server().client(transport));

      it('invalid-argument: wrong shape, wrong datatype, missing input, unknown output', async () => {
        await expectTritonError(client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [1, 15], data: IN0.subarray(0, 15) },
          { name: 'INPUT1', datatype: 'INT32', shape: [1, 15], data: IN0.subarray(0, 15) },
        ]), 'invalid-argument', /shape/);
        await expectTritonError(client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: IN0 },
          { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16) },
        ]), 'invalid-argument', /data-type|datatype/i);
        await expectTritonError(client().infer('simple', [simpleInputs()[0]!]), 'invalid-argument', /INPUT1|expected 2 inputs/);
        await expectTritonError(client().infer('simple', [
          ...simpleInputs(), { name: 'INPUT9', datatype: 'INT32', shape: [1, 16], data: IN0 },
        ]), 'invalid-argument', /INPUT9/);
        await expectTritonError(client().infer('simple', simpleInputs(), [{ name: 'OUTPUT9' }]), 'invalid-argument', /OUTPUT9/);
        await expectTritonError(client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [9, 16], data: new Int32Array(144) },
          { name: 'INPUT1', datatype: 'INT32', shape: [9, 16], data: new Int32Array(144) },
        ]), 'invalid-argument', /batch/);
      });

      it('invalid-argument: an element count that does not match the shape, caught before sending', async () => {
        await expectTritonError(client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: IN0.subarray(0, 12) },
          { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: IN0 },
        ]), 'invalid-argument', /12 element\(s\).*16/);
      });

      it('invalid-argument: raw bytes that do not match the shape, refused by the server', async () => {
        const short = encodeTensor('INT32', IN0.subarray(0, 15), [15]);
        await expectTritonError(client().infer('simple', [
          { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], raw: short },
          { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: IN0 },
        ]), 'invalid-argument', /INPUT0/);
      });

      it('the client keeps working after refused requests', async () => {
        await expectTritonError(client().infer('wrong_model_name', simpleInputs()), 'not-found');
        const result = await client().infer('simple', simpleInputs());
        assert.deepEqual(Array.from(result.outputs.find((o) => o.name === 'OUTPUT0')!.data as Int32Array), Array.from(IN0, (v) => 2 * v));
      });

      it('unavailable: nothing listens on the port', async () => {
        const dead = createTritonClient({ url: urlFor(transport, await closedPort()), protocol: transport, deadlineMs: 10_000 });
        try {
          const started = Date.now();
          await quickly(started, 8_000, expectTritonError(dead.isServerLive(), 'unavailable'));
          await quickly(started, 8_000, expectTritonError(dead.infer('simple', simpleInputs()), 'unavailable'));
        } finally {
          await dead.close();
        }
      });

      it('unavailable: the server dies between calls', { skip: REFERENCE_ONLY }, async () => {
        const doomed = await startReferenceServer({ httpPort: 0, grpcPort: 0 });
        const own = createTritonClient({ url: transport === 'http' ? doomed.httpUrl : doomed.grpcUrl, protocol: transport, deadlineMs: 10_000 });
        try {
          assert.equal(await own.isServerLive(), true);
          await own.infer('simple', simpleInputs());
          await doomed.stop();
          const started = Date.now();
          await quickly(started, 8_000, expectTritonError(own.infer('simple', simpleInputs()), 'unavailable'));
          await quickly(started, 8_000, expectTritonError(own.isServerReady(), 'unavailable'));
        } finally {
          await own.close();
          await doomed.stop();
        }
      });

      it('deadline: the server delays past the call deadline', { skip: REFERENCE_ONLY }, async () => {
        const started = Date.now();
        const error = await quickly(started, 4_000, expectTritonError(
          client().infer('simple', simpleInputs(), undefined, { ...fault('delay=8000'), deadlineMs: 300 }), 'deadline'));
        assert.ok(Date.now() - started >= 250, 'the deadline fired early');
        assert.match(error.message, /simple|ModelInfer|infer/i);
        await expectTritonError(client().serverMetadata({ ...fault('delay=8000'), deadlineMs: 200 }), 'deadline');
        assert.equal(await client().isServerLive(), true);
      });

      it('deadline: the client-wide default applies when a call gives none', { skip: REFERENCE_ONLY }, async () => {
        const own = server().client(transport, { deadlineMs: 250 });
        const started = Date.now();
        await quickly(started, 4_000, expectTritonError(own.isServerLive(fault('delay=8000')), 'deadline'));
      });

      it('cancelled: an AbortSignal fired mid-call, and one aborted before the call', { skip: REFERENCE_ONLY }, async () => {
        const controller = new AbortController();
        const pending = client().infer('simple', simpleInputs(), undefined, { ...fault('delay=8000'), signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        const started = Date.now();
        await quickly(started, 4_000, expectTritonError(pending, 'cancelled'));
        await expectTritonError(client().infer('simple', simpleInputs(), undefined, { signal: AbortSignal.abort() }), 'cancelled');
        await expectTritonError(client().repositoryIndex({ signal: AbortSignal.abort() }), 'cancelled');
        assert.equal(await client().isServerLive(), true);
      });

      it('cancelled: aborting inferMany cancels running and waiting requests', { skip: REFERENCE_ONLY }, async () => {
        const controller = new AbortController();
        const requests = Array.from({ length: 6 }, () => ({ model: 'simple', inputs: simpleInputs(), options: fault('delay=8000') }));
        const pending = client().inferMany(requests, { concurrency: 2, signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        const outcomes = await quickly(Date.now(), 4_000, pending);
        assert.deepEqual(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind)), Array.from({ length: 6 }, () => 'cancelled'));
      });

      it('server: an internal error status carries the server message', { skip: REFERENCE_ONLY }, async () => {
        const status = transport === 'http' ? 'status=500' : 'status=13';
        const error = await expectTritonError(client().infer('simple', simpleInputs(), undefined, fault(status)), 'server', /injected fault/);
        assert.equal(error.serverMessage, 'injected fault');
        if (transport === 'http') assert.equal(error.status, 500);
        else assert.equal(error.grpcCode, 13);
      });

      it('maps error statuses to kinds: unavailable, unauthenticated, permission-denied, unsupported', { skip: REFERENCE_ONLY }, async () => {
        const cases: [string, TritonErrorKind][] = transport === 'http'
          ? [['status=503', 'unavailable'], ['status=401', 'unauthenticated'], ['status=403', 'permission-denied'], ['status=501', 'unsupported'], ['status=504', 'deadline']]
          : [['status=14', 'unavailable'], ['status=16', 'unauthenticated'], ['status=7', 'permission-denied'], ['status=12', 'unsupported'], ['status=5', 'not-found']];
        for (const [spec, kind] of cases) {
          await expectTritonError(client().serverMetadata(fault(spec)), kind, /injected fault/);
        }
      });

      it('a dropped connection is a clear error, not a hang', { skip: REFERENCE_ONLY }, async () => {
        const started = Date.now();
        const error = await quickly(started, 8_000, expectTritonError(client().infer('simple', simpleInputs(), undefined, fault('drop')), transport === 'http' ? 'unavailable' : 'server'));
        assert.match(error.message, transport === 'http' ? /ECONNRESET|socket hang up|reach/ : /RST_STREAM|stream|connection/i);
        assert.equal(await client().isServerLive(), true);
      });

      if (transport === 'http') {
        it('protocol: a truncated answer', { skip: REFERENCE_ONLY }, async () => {
          const started = Date.now();
          await quickly(started, 8_000, expectTritonError(client().infer('simple', simpleInputs(), undefined, fault('truncate')), 'protocol', /cut off/));
          await quickly(started, 8_000, expectTritonError(client().serverMetadata(fault('truncate')), 'protocol', /cut off/));
          const big = new Float32Array(1024 * 1024);
          const error = await quickly(started, 15_000, expectTritonError(
            client().infer('identity_fp32', [{ name: 'INPUT0', datatype: 'FP32', shape: [big.length], data: big }], undefined, fault('truncate')), 'protocol', /cut off/));
          assert.match(error.message, /of \d+ bytes/);
          assert.equal(await client().isServerLive(), true);
        });

        it('protocol: an Inference-Header-Content-Length past the body, or inside the JSON', { skip: REFERENCE_ONLY }, async () => {
          await expectTritonError(client().infer('simple', simpleInputs(), undefined, fault('bad-header-length')), 'protocol', /Inference-Header-Content-Length|header/i);
          await expectTritonError(client().infer('simple', simpleInputs(), undefined, fault('bad-header-length=7')), 'protocol');
          assert.equal((await client().infer('simple', simpleInputs())).outputs.length, 2);
        });

        it('a keep-alive socket dropped once is replayed for idempotent calls only', { skip: REFERENCE_ONLY }, async () => {
          const own = server().client('http', { concurrency: 1 });
          const dropNext = async (match: string): Promise<void> => {
            const answer = await httpRequest(`${server().httpUrl}/__fault`, { body: { fault: 'drop', match, count: 1 }, timeoutMs: 10_000 });
            assert.equal(answer.status, 200);
          };
          assert.equal((await own.serverMetadata()).name, 'triton');
          await dropNext('/v2');
          // The GET meets the dropped socket, and is sent again on a fresh one.
          assert.equal((await own.serverMetadata()).name, 'triton');
          await own.infer('simple', simpleInputs());
          await dropNext('/v2/repository/models/simple/load');
          // Loading is not idempotent: the failure is reported, not repeated.
          await expectTritonError(own.loadModel('simple'), 'unavailable', /ECONNRESET|hang up/);
          assert.equal(await own.isModelReady('simple'), true);
        });

        it('protocol: an answer larger than maxResponseBytes', async (t) => {
          if (!(await requireModel(t, client(), 'identity_fp32'))) return;
          const small = server().client('http', { maxResponseBytes: 1024 });
          await expectTritonError(small.infer('identity_fp32', [{ name: 'INPUT0', datatype: 'FP32', shape: [4096], data: new Float32Array(4096) }]), 'protocol', /limit/);
          assert.equal(await small.isServerLive(), true);
        });
      } else {
        it('protocol: an answer larger than the channel accepts', async (t) => {
          if (!(await requireModel(t, client(), 'identity_fp32'))) return;
          const small = server().client('grpc', { grpcChannelOptions: { 'grpc.max_receive_message_length': 1024 } });
          const error = await expectTritonError(small.infer('identity_fp32', [{ name: 'INPUT0', datatype: 'FP32', shape: [4096], data: new Float32Array(4096) }]), 'protocol');
          assert.match(error.message, /larger than max/);
          assert.equal(await small.isServerLive(), true);
        });
      }
    });
  }
});
