// The gRPC transport against the reference server process: decoupled streaming, sequences over a
// stream, /dev/shm regions, and answers identical to the HTTP transport's for every model.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { TritonError } from '../../../src/triton/errors';
import type { InferInput, StreamResponse } from '../../../src/triton/types';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

const DEADLINE_MS = 10000;
let server: ReferenceServer;
let grpcClient: TritonClient;
let httpClient: TritonClient;

function repeatInputs(values: number[], waitMs = 0): InferInput[] {
  return [
    { name: 'IN', datatype: 'INT32', shape: [values.length], data: Int32Array.from(values) },
    { name: 'DELAY', datatype: 'UINT32', shape: [values.length], data: new Uint32Array(values.length) },
    { name: 'WAIT', datatype: 'UINT32', shape: [1], data: Uint32Array.from([waitMs]) },
  ];
}

async function collect(stream: AsyncIterable<StreamResponse>): Promise<StreamResponse[]> {
  const out: StreamResponse[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

function firstValue(item: StreamResponse, name: string): number {
  assert.ok(item.result, `expected a result, got ${item.error?.message}`);
  const tensor = item.result.outputs.find((o) => o.name === name);
  assert.ok(tensor?.data, `output ${name} missing`);
  return Number((tensor.data as ArrayLike<number>)[0]);
}

describe('gRPC transport against the reference server', { timeout: 60000 }, () => {
  before(async () => {
    server = await startReferenceServer();
    grpcClient = createTritonClient({ url: server.grpcUrl, protocol: 'grpc', deadlineMs: DEADLINE_MS });
    httpClient = createTritonClient({ url: server.httpUrl, protocol: 'http', deadlineMs: DEADLINE_MS });
  });

  after(async () => {
    await grpcClient?.close();
    await httpClient?.close();
    await server?.stop();
  });

  it('decoupled model: one response per element, then an empty final response when asked', async () => {
    const stream = grpcClient.streamInfer({ deadlineMs: DEADLINE_MS });
    stream.send({ model: 'repeat_int32', inputs: repeatInputs([7, 8, 9]), options: { requestId: 'plain' } });
    stream.send({ model: 'repeat_int32', inputs: repeatInputs([4]), options: { requestId: 'flagged', enableEmptyFinalResponse: true } });
    stream.end();
    const got = await collect(stream);
    const plain = got.filter((g) => g.result?.id === 'plain');
    assert.deepEqual(plain.map((g) => firstValue(g, 'OUT')), [7, 8, 9]);
    assert.deepEqual(plain.map((g) => firstValue(g, 'IDX')), [0, 1, 2]);
    assert.ok(plain.every((g) => g.result && g.final === false), 'no final flag without the empty final response');
    const flagged = got.filter((g) => g.result?.id === 'flagged');
    assert.deepEqual(flagged.map((g) => g.result?.outputs.length), [2, 0]);
    assert.deepEqual(flagged.map((g) => g.result && g.final), [false, true]);
  });

  it('in-stream errors name their request and later requests still succeed', async () => {
    const stream = grpcClient.streamInfer({ deadlineMs: DEADLINE_MS });
    stream.send({ model: 'wrong_model_name', inputs: [], options: { requestId: 'e1' } });
    stream.send({ model: 'identity_int32', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1], data: [1] }], options: { requestId: 'e2' } });
    stream.send({ model: 'identity_int32', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [2], data: [5, 6] }], options: { requestId: 'ok' } });
    stream.end();
    const got = await collect(stream);
    const errors = got.flatMap((g) => (g.error ? [g] : []));
    assert.deepEqual(errors.map((g) => g.requestId).sort(), ['e1', 'e2']);
    assert.match(errors.find((g) => g.requestId === 'e1')!.error.message, /Request for unknown model/);
    const ok = got.find((g) => g.result?.id === 'ok');
    assert.ok(ok?.result && ok.final);
    assert.deepEqual(Array.from(ok.result.outputs[0]!.data as Int32Array), [5, 6]);
  });

  it('cancelling a stream while the model still works ends iteration with cancelled', async () => {
    const controller = new AbortController();
    const stream = grpcClient.streamInfer({ signal: controller.signal });
    // The final flag follows 30 s later; the first response arrives at once.
    stream.send({ model: 'repeat_int32', inputs: repeatInputs([1, 2], 30000), options: { requestId: 'slow' } });
    const it = stream[Symbol.asyncIterator]();
    assert.equal(firstValue((await it.next()).value as StreamResponse, 'OUT'), 1);
    assert.equal(firstValue((await it.next()).value as StreamResponse, 'OUT'), 2);
    const pending = it.next();
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof TritonError && e.kind === 'cancelled');
  });

  it('sequences over a stream: numeric and string correlation ids', async () => {
    const stream = grpcClient.streamInfer({ deadlineMs: DEADLINE_MS });
    const values = [0, 11, 7, 5, 3, 2, 0, 1];
    values.forEach((v, i) => stream.send({
      model: 'simple_sequence', inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1], data: [v] }],
      options: { requestId: `n${i}`, sequenceId: 2n ** 63n + 5n, sequenceStart: i === 0, sequenceEnd: i === values.length - 1 },
    }));
    const running = [4, 5, 6];
    running.forEach((v, i) => stream.send({
      model: 'simple_string_dyna_sequence', inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [1, 1], data: [v] }],
      options: { requestId: `s${i}`, sequenceId: '1002', sequenceStart: i === 0, sequenceEnd: i === running.length - 1 },
    }));
    stream.end();
    const got = await collect(stream);
    const byId = new Map(got.map((g) => [g.result?.id ?? `error:${g.error?.message}`, g]));
    // OUTPUT = INPUT + START for simple_sequence.
    assert.deepEqual(values.map((_, i) => firstValue(byId.get(`n${i}`)!, 'OUTPUT')), [1, 11, 7, 5, 3, 2, 0, 1]);
    // Running sum, plus the correlation id on the END request.
    assert.deepEqual(running.map((_, i) => firstValue(byId.get(`s${i}`)!, 'OUTPUT')), [4, 9, 15 + 1002]);
  });

  it('inputs read from and outputs written to a /dev/shm region', async () => {
    const key = `/grpc_test_${randomBytes(4).toString('hex')}`;
    const file = `/dev/shm${key}`;
    const region = `grpc_${randomBytes(4).toString('hex')}`;
    const contents = Buffer.alloc(256);
    for (let i = 0; i < 16; i++) {
      contents.writeInt32LE(i, i * 4);
      contents.writeInt32LE(3, 64 + i * 4);
    }
    writeFileSync(file, contents);
    try {
      await grpcClient.registerSystemSharedMemory(region, key, 256);
      const status = await grpcClient.systemSharedMemoryStatus(region);
      assert.deepEqual(status, [{ name: region, key, offset: 0, byte_size: 256 }]);
      const shm = (offset: number): { region: string; byteSize: number; offset: number } => ({ region, byteSize: 64, offset });
      const result = await grpcClient.infer('simple', [
        { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], sharedMemory: shm(0) },
        { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], sharedMemory: shm(64) },
      ], [{ name: 'OUTPUT0', sharedMemory: shm(128) }, { name: 'OUTPUT1', sharedMemory: shm(192) }]);
      assert.deepEqual(result.outputs.map((o) => [o.name, o.data, o.sharedMemory?.offset]).sort(), [['OUTPUT0', undefined, 128], ['OUTPUT1', undefined, 192]]);
      const after = readFileSync(file);
      const ints = (at: number): number[] => Array.from({ length: 16 }, (_, i) => after.readInt32LE(at + i * 4));
      assert.deepEqual(ints(128), Array.from({ length: 16 }, (_, i) => i + 3));
      assert.deepEqual(ints(192), Array.from({ length: 16 }, (_, i) => i - 3));
      const dup = await grpcClient.registerSystemSharedMemory(region, key, 256).then(() => undefined, (e: unknown) => e);
      assert.ok(dup instanceof TritonError && dup.kind === 'invalid-argument', `duplicate register gave ${String(dup)}`);
    } finally {
      await grpcClient.unregisterSystemSharedMemory(region).catch(() => undefined);
      rmSync(file, { force: true });
    }
    assert.deepEqual(await grpcClient.systemSharedMemoryStatus(), []);
  });

  it('config, metadata, index, statistics, trace and log settings equal the HTTP answers', async () => {
    const index = await grpcClient.repositoryIndex();
    assert.deepEqual(index, await httpClient.repositoryIndex());
    const ready = index.filter((m) => m.state === 'READY').map((m) => m.name);
    assert.ok(ready.length >= 10, `only ${ready.length} ready models`);
    for (const name of ready) {
      const [g, h] = await Promise.all([grpcClient.modelConfig(name), httpClient.modelConfig(name)]);
      assert.ok(isDeepStrictEqual(g, h), `config of ${name} differs:\n${JSON.stringify(g)}\n${JSON.stringify(h)}`);
      assert.deepEqual(await grpcClient.modelMetadata(name), await httpClient.modelMetadata(name));
    }
    assert.deepEqual(await grpcClient.serverMetadata(), await httpClient.serverMetadata());
    assert.deepEqual(await grpcClient.modelStatistics(), await httpClient.modelStatistics());
    assert.deepEqual(await grpcClient.getTraceSettings(), await httpClient.getTraceSettings());
    assert.deepEqual(await grpcClient.getLogSettings(), await httpClient.getLogSettings());
  });

  it('load with a config override, unload, and a failed load', async () => {
    const original = await grpcClient.modelConfig('identity_fp32');
    await grpcClient.loadModel('identity_fp32', { config: { ...original, max_batch_size: 0, parameters: { marker: { string_value: 'grpc' } } } });
    const changed = await grpcClient.modelConfig('identity_fp32');
    assert.deepEqual(changed.parameters, { marker: { string_value: 'grpc' } });
    await grpcClient.unloadModel('identity_fp32', { unloadDependents: true });
    assert.equal(await grpcClient.isModelReady('identity_fp32'), false);
    await grpcClient.loadModel('identity_fp32');
    assert.equal(await grpcClient.isModelReady('identity_fp32'), true);
    const failed = await grpcClient.loadModel('wrong_model_name').then(() => undefined, (e: unknown) => e);
    assert.ok(failed instanceof TritonError && /failed to load/.test(failed.message), String(failed));
  });
});
