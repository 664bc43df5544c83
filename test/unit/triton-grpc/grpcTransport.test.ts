// The gRPC transport's non-inference RPCs, error mapping, deadlines and cancellation against a real
// loopback server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { createGrpcClient } from '../../../src/triton/grpc/grpcTransport';
import { parseGrpcTarget } from '../../../src/triton/grpc/grpcChannel';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { startTestServer, status } from './grpcTestServer';
import type { TestServer } from './grpcTestServer';
import { rejection } from './grpcTestServer';

type Unary = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => void;

let server: TestServer;
let client: TritonClient;
const seen: Record<string, Record<string, unknown>> = {};
let hangingStarted: (() => void) | undefined;

const record = (name: string, answer: (req: Record<string, unknown>) => unknown): Unary => (call, cb) => {
  seen[name] = call.request;
  try {
    cb(null, answer(call.request));
  } catch (e) {
    cb(e as grpc.ServiceError);
  }
};

before(async () => {
  server = await startTestServer({
    ServerLive: record('ServerLive', () => ({ live: true })),
    ServerReady: record('ServerReady', () => { throw status(grpc.status.UNAVAILABLE, 'Server not ready'); }),
    ModelReady: record('ModelReady', (r) => {
      if (r.name === 'gone') throw status(grpc.status.NOT_FOUND, "Request for unknown model: 'gone' is not found");
      return { ready: r.name === 'simple' };
    }),
    ServerMetadata: record('ServerMetadata', () => ({ name: 'triton', version: '2.59.1', extensions: ['classification', 'sequence'] })),
    ModelMetadata: record('ModelMetadata', (r) => {
      if (r.name !== 'simple') throw status(grpc.status.NOT_FOUND, `Request for unknown model: '${String(r.name)}' is not found`);
      return { name: 'simple', versions: ['1'], platform: 'onnxruntime_onnx', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: ['-1', '16'] }], outputs: [] };
    }),
    ModelConfig: record('ModelConfig', () => ({
      config: {
        name: 'simple', platform: 'onnxruntime_onnx', max_batch_size: 8,
        input: [{ name: 'INPUT0', data_type: 'TYPE_INT32', format: 'FORMAT_NCHW', dims: ['16'], reshape: { shape: ['1', '16'] } }],
        output: [{ name: 'OUTPUT0', data_type: 'TYPE_STRING', dims: ['-1'], label_filename: 'labels.txt' }],
        dynamic_batching: { preferred_batch_size: [4, 8], max_queue_delay_microseconds: '100', priority_queue_policy: { 2: { default_timeout_microseconds: '7' } } },
        instance_group: [{ name: 'simple_0', kind: 'KIND_CPU', count: 2, secondary_devices: [{ kind: 'KIND_NVDLA', device_id: '3' }] }],
        parameters: { k: { string_value: 'v' } },
      },
    })),
    ModelStatistics: record('ModelStatistics', () => ({
      model_stats: [{
        name: 'simple', version: '1', last_inference: '1700000000000', inference_count: '18446744073709551615', execution_count: '3',
        inference_stats: { success: { count: '3', ns: '12345' } },
        batch_stats: [{ batch_size: '1', compute_infer: { count: '3', ns: '99' } }],
        memory_usage: [{ type: 'GPU', id: '0', byte_size: '1024' }],
        response_stats: { 0: { success: { count: '2', ns: '5' } } },
      }],
    })),
    RepositoryIndex: record('RepositoryIndex', () => ({ models: [{ name: 'simple', version: '1', state: 'READY' }, { name: 'broken', state: 'UNAVAILABLE', reason: 'bad config' }, { name: 'never' }] })),
    RepositoryModelLoad: record('RepositoryModelLoad', (r) => {
      if (r.model_name === 'bad') throw status(grpc.status.INTERNAL, "failed to load 'bad', failed to poll from model repository");
      return {};
    }),
    RepositoryModelUnload: record('RepositoryModelUnload', () => ({})),
    SystemSharedMemoryStatus: record('SystemSharedMemoryStatus', () => ({ regions: { r1: { name: 'r1', key: '/r1', offset: '0', byte_size: '4096' } } })),
    SystemSharedMemoryRegister: record('SystemSharedMemoryRegister', (r) => {
      if (r.name === 'dup') throw status(grpc.status.ALREADY_EXISTS, "shared memory region 'dup' already in manager");
      return {};
    }),
    SystemSharedMemoryUnregister: record('SystemSharedMemoryUnregister', () => ({})),
    CudaSharedMemoryRegister: record('CudaSharedMemoryRegister', () => ({})),
    TraceSetting: record('TraceSetting', () => ({ settings: { trace_level: { value: ['TIMESTAMPS', 'TENSORS'] }, trace_rate: { value: ['1000'] } } })),
    LogSettings: record('LogSettings', () => ({
      settings: {
        log_file: { string_param: '' }, log_info: { bool_param: true }, log_warning: { bool_param: true },
        log_error: { bool_param: false }, log_verbose_level: { uint32_param: 2 }, log_format: { string_param: 'ISO8601' },
      },
    })),
    // Never answers: the client's deadline or signal must end the call.
    ModelInfer: () => hangingStarted?.(),
  });
  client = createGrpcClient({ url: `grpc://${server.url}`, protocol: 'grpc' });
});

after(async () => {
  await client?.close();
  await server?.stop();
});

test('target parsing', () => {
  assert.deepEqual(parseGrpcTarget('localhost:8001'), { address: 'localhost:8001', tls: false });
  assert.deepEqual(parseGrpcTarget('grpcs://triton.example:443/'), { address: 'triton.example:443', tls: true });
  assert.deepEqual(parseGrpcTarget('[::1]:9'), { address: '[::1]:9', tls: false });
  assert.deepEqual(parseGrpcTarget('host'), { address: 'host:8001', tls: false });
  assert.throws(() => parseGrpcTarget('http://h:1'), /scheme 'http:\/\/'/);
  assert.throws(() => parseGrpcTarget('h:1/v2'), /path/);
  assert.throws(() => parseGrpcTarget('h:99999'), /port/);
});

test('createTritonClient picks the gRPC transport', async () => {
  const c = createTritonClient({ url: server.url, protocol: 'grpc' });
  assert.equal(c.protocol, 'grpc');
  assert.equal(await c.isServerLive({ deadlineMs: 5000 }), true);
  await c.close();
  assert.equal((await rejection(c.isServerLive())).kind, 'cancelled');
});

test('health: true, false on a non-OK status, false for an unknown model, error when unreachable', async () => {
  assert.equal(await client.isServerLive({ deadlineMs: 5000 }), true);
  assert.equal(await client.isServerReady({ deadlineMs: 5000 }), false);
  assert.equal(await client.isModelReady('simple', { deadlineMs: 5000, version: 1 }), true);
  assert.deepEqual(seen.ModelReady, { name: 'simple', version: '1' });
  assert.equal(await client.isModelReady('other', { deadlineMs: 5000 }), false);
  assert.equal(await client.isModelReady('gone', { deadlineMs: 5000 }), false);
  // A local mistake is not a "no" from the server.
  assert.equal((await rejection(client.isServerLive({ deadlineMs: -1 }))).kind, 'invalid-argument');
  assert.equal((await rejection(client.isModelReady('simple', { version: 'v1' }))).kind, 'invalid-argument');

  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const dead = createGrpcClient({ url: `127.0.0.1:${port}`, protocol: 'grpc' });
  const e = await rejection(dead.isServerLive({ deadlineMs: 5000 }));
  assert.equal(e.kind, 'unavailable');
  await dead.close();
});

test('metadata calls convert 64-bit shapes to numbers', async () => {
  assert.deepEqual(await client.serverMetadata({ deadlineMs: 5000 }), { name: 'triton', version: '2.59.1', extensions: ['classification', 'sequence'] });
  const md = await client.modelMetadata('simple', { deadlineMs: 5000 });
  assert.deepEqual(md.inputs, [{ name: 'INPUT0', datatype: 'INT32', shape: [-1, 16] }]);
  const e = await rejection(client.modelMetadata('nope', { deadlineMs: 5000 }));
  assert.equal(e.kind, 'not-found');
  assert.equal(e.grpcCode, grpc.status.NOT_FOUND);
  assert.equal(e.serverMessage, "Request for unknown model: 'nope' is not found");
  assert.match(e.message, /^ModelMetadata nope: Request for unknown model/);
});

test('model config has the HTTP /config shape', async () => {
  const cfg = await client.modelConfig('simple', { deadlineMs: 5000 });
  assert.equal(cfg.name, 'simple');
  assert.equal(cfg.max_batch_size, 8);
  assert.equal(cfg.backend, '', 'scalars are printed with their defaults');
  assert.deepEqual(cfg.output, [{
    name: 'OUTPUT0', data_type: 'TYPE_STRING', dims: [-1], label_filename: 'labels.txt', is_shape_tensor: false, is_non_linear_format_io: false,
  }]);
  const input = (cfg.input as Record<string, unknown>[])[0]!;
  assert.equal(input.format, 'FORMAT_NCHW');
  assert.deepEqual(input.dims, [16]);
  assert.deepEqual(input.reshape, { shape: [1, 16] });
  const db = cfg.dynamic_batching as Record<string, unknown>;
  assert.equal(db.max_queue_delay_microseconds, 100);
  assert.equal(db.priority_levels, 0);
  assert.deepEqual(db.preferred_batch_size, [4, 8]);
  assert.equal(db.default_queue_policy, undefined, 'unset sub-messages are left out');
  assert.deepEqual(Object.keys(db.priority_queue_policy as object), ['2']);
  assert.equal((db.priority_queue_policy as Record<string, Record<string, unknown>>)['2']!.default_timeout_microseconds, 7);
  const group = (cfg.instance_group as Record<string, unknown>[])[0]!;
  assert.equal(group.kind, 'KIND_CPU');
  assert.deepEqual(group.secondary_devices, [{ kind: 'KIND_NVDLA', device_id: '3' }], 'other 64-bit fields stay strings');
  assert.deepEqual(cfg.parameters, { k: { string_value: 'v' } });
  assert.equal(cfg.sequence_batching, undefined);
  assert.equal(cfg.scheduling_choice, undefined, 'no oneof helper keys');
  assert.equal(cfg.version_policy, undefined);
});

test('statistics keep 64-bit counters exact', async () => {
  const [s] = await client.modelStatistics('simple', { deadlineMs: 5000 });
  assert.ok(s);
  assert.equal(s.inference_count, 2n ** 64n - 1n);
  assert.equal(s.last_inference, 1700000000000);
  assert.deepEqual(s.inference_stats.success, { count: 3, ns: 12345 });
  assert.deepEqual(s.inference_stats.queue, { count: 0, ns: 0 });
  assert.deepEqual(s.batch_stats[0]?.compute_infer, { count: 3, ns: 99 });
  assert.deepEqual(s.memory_usage, [{ type: 'GPU', id: 0, byte_size: 1024 }]);
  assert.deepEqual(s.response_stats['0']?.success, { count: 2, ns: 5 });
  assert.deepEqual(seen.ModelStatistics, { name: 'simple', version: '' });
});

test('repository index, load with config and files, unload with dependents', async () => {
  assert.deepEqual(await client.repositoryIndex({ ready: true, deadlineMs: 5000 }), [
    { name: 'simple', version: '1', state: 'READY' }, { name: 'broken', state: 'UNAVAILABLE', reason: 'bad config' }, { name: 'never' },
  ]);
  assert.equal(seen.RepositoryIndex?.ready, true);
  await client.loadModel('simple', { config: { max_batch_size: 16 }, files: { '1/model.onnx': Uint8Array.from([1, 2, 3]) }, deadlineMs: 5000 });
  const params = seen.RepositoryModelLoad?.parameters as Record<string, Record<string, unknown>>;
  assert.equal(params.config?.string_param, '{"max_batch_size":16}');
  assert.deepEqual([...(params['file:1/model.onnx']?.bytes_param as Buffer)], [1, 2, 3]);
  const e = await rejection(client.loadModel('bad', { deadlineMs: 5000 }));
  assert.equal(e.kind, 'server');
  assert.match(e.message, /failed to load 'bad'/);
  await client.unloadModel('simple', { unloadDependents: true, deadlineMs: 5000 });
  const unload = seen.RepositoryModelUnload?.parameters as Record<string, Record<string, unknown>>;
  assert.equal(unload.unload_dependents?.bool_param, true);
  assert.equal(unload.unload_dependents?.parameter_choice, 'bool_param');
});

test('shared memory: status, register (ALREADY_EXISTS maps to invalid-argument), CUDA raw handle', async () => {
  assert.deepEqual(await client.systemSharedMemoryStatus(undefined, { deadlineMs: 5000 }), [{ name: 'r1', key: '/r1', offset: 0, byte_size: 4096 }]);
  await client.registerSystemSharedMemory('r2', '/r2', 64, 4096, { deadlineMs: 5000 });
  assert.deepEqual(seen.SystemSharedMemoryRegister, { name: 'r2', key: '/r2', offset: '4096', byte_size: '64' });
  const e = await rejection(client.registerSystemSharedMemory('dup', '/d', 64));
  assert.equal(e.kind, 'invalid-argument');
  assert.equal(e.grpcCode, grpc.status.ALREADY_EXISTS);
  await client.unregisterSystemSharedMemory(undefined, { deadlineMs: 5000 });
  assert.deepEqual(seen.SystemSharedMemoryUnregister, { name: '' });
  const handle = new Uint8Array(64).fill(7);
  await client.registerCudaSharedMemory('c', handle, 0, 128, { deadlineMs: 5000 });
  assert.deepEqual([...(seen.CudaSharedMemoryRegister?.raw_handle as Buffer)], [...handle]);
  const unimpl = await rejection(client.cudaSharedMemoryStatus(undefined, { deadlineMs: 5000 }));
  assert.equal(unimpl.kind, 'unsupported');
});

test('trace and log settings use the value kinds Triton checks', async () => {
  const trace = await client.updateTraceSettings({ trace_rate: '1000', trace_level: ['TIMESTAMPS', 'TENSORS'], log_frequency: null }, 'simple', { deadlineMs: 5000 });
  assert.deepEqual(trace, { trace_level: ['TIMESTAMPS', 'TENSORS'], trace_rate: '1000' });
  const sent = seen.TraceSetting as { model_name: string; settings: Record<string, { value: string[] }> };
  assert.equal(sent.model_name, 'simple');
  assert.deepEqual(sent.settings.log_frequency?.value, []);
  assert.deepEqual(sent.settings.trace_rate?.value, ['1000']);
  const log = await client.updateLogSettings({ log_verbose_level: 2, log_info: true, log_format: 'ISO8601' }, { deadlineMs: 5000 });
  assert.deepEqual(log, { log_file: '', log_info: true, log_warning: true, log_error: false, log_verbose_level: 2, log_format: 'ISO8601' });
  const settings = (seen.LogSettings as { settings: Record<string, Record<string, unknown>> }).settings;
  assert.equal(settings.log_verbose_level?.parameter_choice, 'uint32_param');
  assert.equal(settings.log_info?.parameter_choice, 'bool_param');
  assert.equal(settings.log_format?.parameter_choice, 'string_param');
});

test('a server that never answers → deadline error', async () => {
  const started = Date.now();
  const e = await rejection(client.infer('m', [], undefined, { deadlineMs: 150 }));
  assert.equal(e.kind, 'deadline');
  assert.ok(Date.now() - started < 3000);
});

test('aborting the signal cancels the call; an aborted signal never starts one', async () => {
  const controller = new AbortController();
  const reached = new Promise<void>((r) => { hangingStarted = r; });
  const pending = rejection(client.infer('m', [], undefined, { signal: controller.signal, deadlineMs: 10000 }));
  await reached;
  controller.abort();
  assert.equal((await pending).kind, 'cancelled');
  assert.equal((await rejection(client.serverMetadata({ signal: controller.signal }))).kind, 'cancelled');
});

test('generate is HTTP only', async () => {
  assert.equal((await rejection(client.generate('m', {}))).kind, 'unsupported');
  const it = client.generateStream('m', {})[Symbol.asyncIterator]();
  assert.equal((await rejection(it.next())).kind, 'unsupported');
});
