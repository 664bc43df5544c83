// The reference server as a real process: HTTP endpoints, binary/compressed inference, repository, shm, gRPC.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { httpRequest } from '../support/httpRequest';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

const int32 = (xs: number[]): Buffer => {
  const b = Buffer.alloc(xs.length * 4);
  xs.forEach((x, i) => b.writeInt32LE(x, i * 4));
  return b;
};
const range16 = Array.from({ length: 16 }, (_, i) => i);

describe('reference server over HTTP', () => {
  let server: ReferenceServer;
  const url = (p: string): string => server.httpUrl + p;

  before(async () => {
    server = await startReferenceServer({ metricsPort: 0 });
  });
  after(async () => {
    await server.stop();
  });

  it('answers health and server metadata like Triton', async () => {
    assert.equal((await httpRequest(url('/v2/health/live'))).status, 200);
    // broken_config failed to load, so with strict readiness (the default) the server is live but not ready.
    assert.equal((await httpRequest(url('/v2/health/ready'))).status, 400);
    const meta = await httpRequest(url('/v2'));
    assert.equal((meta.json as { name: string }).name, 'triton');
    assert.ok((meta.json as { extensions: string[] }).extensions.includes('binary_tensor_data'));
    const missing = await httpRequest(url('/v2/models/nope'));
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { error: "Request for unknown model: 'nope' is not found" });
    assert.equal((await httpRequest(url('/v2/models/simple/'))).status, 404);
    assert.equal((await httpRequest(url('/v2/health/live'), { method: 'POST', body: '' })).status, 405);
  });

  it('adds and subtracts with JSON tensors and counts the request in statistics', async () => {
    const before = (await httpRequest(url('/v2/models/simple/stats'))).json as { model_stats: Array<{ inference_count: number }> };
    const res = await httpRequest(url('/v2/models/simple/infer'), {
      body: { id: 'j1', inputs: [
        { name: 'INPUT0', shape: [2, 16], datatype: 'INT32', data: [...range16, ...range16] },
        { name: 'INPUT1', shape: [2, 16], datatype: 'INT32', data: Array(32).fill(1) },
      ] },
    });
    assert.equal(res.status, 200);
    const body = res.json as { id: string; outputs: Array<{ name: string; shape: number[]; data: number[] }> };
    assert.equal(body.id, 'j1');
    const out0 = body.outputs.find((o) => o.name === 'OUTPUT0')!;
    assert.deepEqual(out0.shape, [2, 16]);
    assert.deepEqual(out0.data.slice(0, 16), range16.map((x) => x + 1));
    assert.deepEqual(body.outputs.find((o) => o.name === 'OUTPUT1')!.data.slice(16), range16.map((x) => x - 1));
    const afterStats = (await httpRequest(url('/v2/models/simple/stats'))).json as { model_stats: Array<{ inference_count: number; batch_stats: Array<{ batch_size: number }> }> };
    assert.equal(afterStats.model_stats[0]!.inference_count - before.model_stats[0]!.inference_count, 2);
    assert.ok(afterStats.model_stats[0]!.batch_stats.some((b) => b.batch_size === 2));
  });

  it('takes binary inputs, gzip bodies and returns binary outputs gzip-compressed', async () => {
    const header = Buffer.from(JSON.stringify({
      inputs: [
        { name: 'INPUT0', shape: [1, 16], datatype: 'INT32', parameters: { binary_data_size: 64 } },
        { name: 'INPUT1', shape: [1, 16], datatype: 'INT32', parameters: { binary_data_size: 64 } },
      ],
      outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }, { name: 'OUTPUT1', parameters: { binary_data: false } }],
    }));
    const body = gzipSync(Buffer.concat([header, int32(range16), int32(Array(16).fill(2))]));
    const res = await httpRequest(url('/v2/models/simple/infer'), {
      body, headers: { 'Inference-Header-Content-Length': String(header.length), 'Content-Encoding': 'gzip', 'Accept-Encoding': 'gzip' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    const plain = gunzipSync(res.body);
    const jsonLength = Number(res.headers['inference-header-content-length']);
    const json = JSON.parse(plain.subarray(0, jsonLength).toString()) as { outputs: Array<{ name: string; data?: number[]; parameters?: { binary_data_size: number } }> };
    const o0 = json.outputs.find((o) => o.name === 'OUTPUT0')!;
    assert.equal(o0.parameters!.binary_data_size, 64);
    const sums = plain.subarray(jsonLength, jsonLength + 64);
    assert.deepEqual(range16.map((i) => sums.readInt32LE(i * 4)), range16.map((x) => x + 2));
    assert.deepEqual(json.outputs.find((o) => o.name === 'OUTPUT1')!.data, range16.map((x) => x - 2));
  });

  it('takes a raw binary body (Inference-Header-Content-Length: 0) as the single input and answers in binary', async () => {
    const raw = Buffer.alloc(12);
    [1.5, -2, 3].forEach((v, i) => raw.writeFloatLE(v, i * 4));
    const res = await httpRequest(url('/v2/models/identity_fp32/infer'), { body: raw, headers: { 'Inference-Header-Content-Length': '0' } });
    assert.equal(res.status, 200, res.body.toString());
    const jsonLength = Number(res.headers['inference-header-content-length']);
    const header = JSON.parse(res.body.subarray(0, jsonLength).toString()) as { outputs: Array<{ shape: number[]; parameters: { binary_data_size: number } }> };
    assert.deepEqual(header.outputs[0]!.shape, [3]);
    assert.deepEqual(res.body.subarray(jsonLength), raw);
    const empty = await httpRequest(url('/v2/models/identity_fp32/infer'), { body: '' });
    assert.equal(empty.status, 200);
    assert.deepEqual((empty.json as { outputs: Array<{ shape: number[] }> }).outputs[0]!.shape, [0]);
  });

  it('applies binary_data_output only to unlisted outputs, and picks the weighted Accept-Encoding', async () => {
    const inputs = [{ name: 'INPUT0', shape: [1, 16], datatype: 'INT32', data: range16 }, { name: 'INPUT1', shape: [1, 16], datatype: 'INT32', data: range16 }];
    const all = await httpRequest(url('/v2/models/simple/infer'), { body: { parameters: { binary_data_output: true }, inputs } });
    const allHeader = JSON.parse(all.body.subarray(0, Number(all.headers['inference-header-content-length'])).toString()) as { outputs: Array<{ parameters?: { binary_data_size: number } }> };
    assert.deepEqual(allHeader.outputs.map((o) => o.parameters?.binary_data_size), [64, 64]);
    const listed = await httpRequest(url('/v2/models/simple/infer'), { body: { parameters: { binary_data_output: true }, inputs, outputs: [{ name: 'OUTPUT1' }] } });
    assert.equal(listed.headers['content-type'], 'application/json');
    const body = listed.json as { outputs: Array<{ name: string; data: number[] }> };
    assert.deepEqual(body.outputs.map((o) => o.name), ['OUTPUT1']);
    assert.deepEqual(body.outputs[0]!.data, Array(16).fill(0));
    const deflated = await httpRequest(url('/v2/models/simple/infer'), { body: { inputs }, headers: { 'Accept-Encoding': 'deflate;q=0.5, gzip;q=0.4, br' } });
    assert.equal(deflated.headers['content-encoding'], 'deflate');
    assert.equal((JSON.parse(inflateSync(deflated.body).toString()) as { model_name: string }).model_name, 'simple');
  });

  it('reports short binary data and garbage bodies as errors and keeps serving', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [3], datatype: 'FP32', parameters: { binary_data_size: 12 } }] }));
    const short = await httpRequest(url('/v2/models/identity_fp32/infer'), { body: Buffer.concat([header, Buffer.alloc(4)]), headers: { 'Inference-Header-Content-Length': String(header.length) } });
    assert.equal(short.status, 400);
    assert.match((short.json as { error: string }).error, /unexpected size for input 'INPUT0', expecting 8 additional bytes/);
    const garbage = await httpRequest(url('/v2/models/simple/infer'), { body: randomBytes(4096) });
    assert.ok(garbage.status >= 400 && garbage.status < 600, `status ${garbage.status}`);
    assert.equal(typeof (garbage.json as { error: string }).error, 'string');
    const wrongType = await httpRequest(url('/v2/models/identity_fp32/infer'), { body: { inputs: [{ name: 'INPUT0', shape: [1], datatype: 'INT32', data: [1] }] } });
    assert.equal(wrongType.status, 400);
    assert.match((wrongType.json as { error: string }).error, /data-type is 'INT32', but model 'identity_fp32' expects 'FP32'/);
    assert.equal((await httpRequest(url('/v2/health/live'))).status, 200);
  });

  it('lists the broken model as UNAVAILABLE with the validation reason, and unloads/loads models', async () => {
    const index = (await httpRequest(url('/v2/repository/index'), { body: '' })).json as Array<{ name: string; state?: string; reason?: string }>;
    const broken = index.find((e) => e.name === 'broken_config')!;
    assert.equal(broken.state, 'UNAVAILABLE');
    assert.match(broken.reason!, /dimension must be integer >= 1, or -1/);
    assert.equal((await httpRequest(url('/v2/repository/models/identity_int8/unload'), { body: '' })).status, 200);
    assert.equal((await httpRequest(url('/v2/models/identity_int8/ready'))).status, 400);
    const gone = await httpRequest(url('/v2/models/identity_int8'));
    assert.deepEqual(gone.json, { error: "Request for unknown model: 'identity_int8' has no available versions" });
    const reloaded = await httpRequest(url('/v2/repository/models/identity_int8/load'), { body: { parameters: { config: JSON.stringify({ backend: 'identity', max_batch_size: 4, input: [{ name: 'INPUT0', data_type: 'TYPE_INT8', dims: [2] }], output: [{ name: 'OUTPUT0', data_type: 'TYPE_INT8', dims: [2] }] }) } } });
    assert.equal(reloaded.status, 200);
    const config = (await httpRequest(url('/v2/models/identity_int8/config'))).json as { max_batch_size: number; instance_group: Array<{ kind: string }> };
    assert.equal(config.max_batch_size, 4);
    assert.equal(config.instance_group[0]!.kind, 'KIND_CPU');
    const bad = await httpRequest(url('/v2/repository/models/simple/load'), { body: { parameters: { config: '{"max_batch_size":' } } });
    assert.equal(bad.status, 500);
    assert.deepEqual(bad.json, { error: "failed to load 'simple', failed to poll from model repository" });
    assert.equal((await httpRequest(url('/v2/models/simple/ready'))).status, 200);
  });

  it('reads inputs from and writes outputs to /dev/shm regions', async () => {
    const key = `/reference_smoke_${process.pid}`;
    const file = join('/dev/shm', key.slice(1));
    writeFileSync(file, Buffer.concat([int32(range16), int32(Array(16).fill(5)), Buffer.alloc(128)]));
    try {
      const reg = await httpRequest(url('/v2/systemsharedmemory/region/smoke/register'), { body: { key, offset: 0, byte_size: 256 } });
      assert.equal(reg.status, 200);
      const tooBig = await httpRequest(url('/v2/systemsharedmemory/region/smoke2/register'), { body: { key, offset: 0, byte_size: 4096 } });
      assert.equal(tooBig.status, 400);
      const shm = (offset: number, size = 64): object => ({ shared_memory_region: 'smoke', shared_memory_byte_size: size, shared_memory_offset: offset });
      const res = await httpRequest(url('/v2/models/simple/infer'), { body: {
        inputs: [{ name: 'INPUT0', shape: [1, 16], datatype: 'INT32', parameters: shm(0) }, { name: 'INPUT1', shape: [1, 16], datatype: 'INT32', parameters: shm(64) }],
        outputs: [{ name: 'OUTPUT0', parameters: shm(128) }, { name: 'OUTPUT1', parameters: shm(192) }],
      } });
      assert.equal(res.status, 200, res.body.toString());
      const region = readFileSync(file);
      assert.deepEqual(range16.map((i) => region.readInt32LE(128 + i * 4)), range16.map((x) => x + 5));
      assert.deepEqual(range16.map((i) => region.readInt32LE(192 + i * 4)), range16.map((x) => x - 5));
      const status = (await httpRequest(url('/v2/systemsharedmemory/status'))).json;
      assert.deepEqual(status, [{ name: 'smoke', key, offset: 0, byte_size: 256 }]);
      assert.equal((await httpRequest(url('/v2/cudasharedmemory/region/c/register'), { body: { raw_handle: { b64: '' }, device_id: 0, byte_size: 8 } })).status, 400);
    } finally {
      await httpRequest(url('/v2/systemsharedmemory/unregister'), { body: '' });
      rmSync(file, { force: true });
    }
  });

  it('classifies a red image as red with the labels file', async () => {
    const plane = 224 * 224;
    const data = Buffer.alloc(3 * plane * 4);
    const rgb = [230, 25, 20].map((v) => v / 127.5 - 1);
    for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) data.writeFloatLE(rgb[c]!, (c * plane + i) * 4);
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'data_0', shape: [3, 224, 224], datatype: 'FP32', parameters: { binary_data_size: data.length } }], outputs: [{ name: 'fc6_1', parameters: { classification: 2 } }] }));
    const res = await httpRequest(url('/v2/models/color_classifier/infer'), { body: Buffer.concat([header, data]), headers: { 'Inference-Header-Content-Length': String(header.length) } });
    assert.equal(res.status, 200);
    const out = (res.json as { outputs: Array<{ datatype: string; data: string[] }> }).outputs[0]!;
    assert.equal(out.datatype, 'BYTES');
    assert.match(out.data[0]!, /^\d+\.\d{6}:0:red$/);
  });

  it('serves Prometheus metrics in Triton\'s families from the same statistics', async () => {
    const before = await httpRequest(`${server.metricsUrl!}/metrics`);
    const count = (text: string): number => Number(/^nv_inference_request_success\{model="identity_uint8",version="1"\} (\d+)$/m.exec(text)![1]);
    const n = count(before.body.toString());
    await httpRequest(url('/v2/models/identity_uint8/infer'), { body: { inputs: [{ name: 'INPUT0', shape: [2], datatype: 'UINT8', data: [1, 2] }] } });
    const after = await httpRequest(`${server.metricsUrl!}/metrics/`);
    assert.equal(after.headers['content-type'], 'text/plain; charset=utf-8');
    const text = after.body.toString();
    assert.equal(count(text), n + 1);
    assert.match(text, /^# TYPE nv_inference_request_failure counter$/m);
    assert.match(text, /^nv_inference_request_failure\{model="simple",reason="BACKEND",version="1"\} \d+$/m);
    assert.match(text, /^nv_cpu_memory_total_bytes \d+$/m);
    assert.equal((await httpRequest(`${server.metricsUrl!}/other`)).body.length, 0);
    assert.equal((await httpRequest(`${server.metricsUrl!}/metrics`, { body: '' })).status, 405);
  });

  it('serves gRPC: health, inference and a decoupled stream', async () => {
    const protoDir = join(__dirname, '..', '..', 'proto');
    const def = protoLoader.loadSync([join(protoDir, 'grpc_service.proto'), join(protoDir, 'health.proto')], { keepCase: true, longs: String, enums: String, oneofs: true, includeDirs: [protoDir] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor }; grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
    const client = new pkg.inference.GRPCInferenceService(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as Record<string, (...a: unknown[]) => unknown> & grpc.Client;
    const health = new pkg.grpc.health.v1.Health(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as Record<string, (...a: unknown[]) => unknown> & grpc.Client;
    const unary = (c: Record<string, (...a: unknown[]) => unknown>, m: string, req: object): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => c[m]!(req, { deadline: Date.now() + 5000 }, (e: Error | null, r: Record<string, unknown>) => (e ? reject(e) : resolve(r))));
    try {
      assert.equal((await unary(health, 'Check', {}))['status'], 'NOT_SERVING', 'broken_config failed to load');
      const res = await unary(client, 'ModelInfer', { model_name: 'simple', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 16] }, { name: 'INPUT1', datatype: 'INT32', shape: [1, 16] }], raw_input_contents: [int32(range16), int32(Array(16).fill(3))] });
      const raw = res['raw_output_contents'] as Buffer[];
      assert.equal(raw[0]!.readInt32LE(15 * 4), 18);
      await assert.rejects(unary(client, 'ModelInfer', { model_name: 'nope' }), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND && /Request for unknown model: 'nope'/.test(e.details));
      await assert.rejects(unary(client, 'ModelInfer', { model_name: 'identity_fp32', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [-4] }], raw_input_contents: [Buffer.alloc(16)] }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /unexpected shape for input 'INPUT0' for model 'identity_fp32'\. Expected \[-1\], got \[-4\]/.test(e.details));
      await assert.rejects(unary(client, 'ModelInfer', { model_name: 'identity_fp32', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [2], contents: { int_contents: [1, 2] } }] }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /unexpected explicit tensor data for input tensor 'INPUT0' for model 'identity_fp32' of type 'INT32', expected datatype 'FP32'/.test(e.details));
      const stream = (client['ModelStreamInfer'] as () => grpc.ClientDuplexStream<object, { infer_response: { raw_output_contents: Buffer[]; parameters: Record<string, { bool_param: boolean }> } }>)();
      const values: number[] = [];
      let finals = 0;
      stream.on('data', (m) => {
        if (m.infer_response.raw_output_contents?.length) values.push(m.infer_response.raw_output_contents[0]!.readInt32LE(0));
        if (m.infer_response.parameters['triton_final_response']?.bool_param) finals++;
      });
      const ended = new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      stream.write({ model_name: 'repeat_int32', id: 'r', parameters: { triton_enable_empty_final_response: { bool_param: true } }, inputs: [{ name: 'IN', datatype: 'INT32', shape: [3] }, { name: 'DELAY', datatype: 'UINT32', shape: [3] }, { name: 'WAIT', datatype: 'UINT32', shape: [1] }], raw_input_contents: [int32([7, 8, 9]), int32([1, 1, 1]), int32([1])] });
      stream.end();
      await ended;
      assert.deepEqual(values, [7, 8, 9]);
      assert.equal(finals, 1);
    } finally {
      client.close();
      health.close();
    }
  });
});
