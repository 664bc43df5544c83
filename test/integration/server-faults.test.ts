// Reference server fault switches, restart, body limits, none-mode refusals and the Triton-format log file.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpRequest } from '../support/httpRequest';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

const fp32Header = (): Buffer => Buffer.from(JSON.stringify({ inputs: [{ name: 'INPUT0', shape: [2], datatype: 'FP32', data: [1, 2] }], outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }] }));

describe('reference server faults and restart', () => {
  let server: ReferenceServer;
  const url = (p: string): string => server.httpUrl + p;
  before(async () => {
    server = await startReferenceServer();
  });
  after(async () => {
    await server.stop();
  });

  it('drops, truncates and delays on request', async () => {
    await assert.rejects(httpRequest(url('/v2/health/ready'), { headers: { 'x-fault': 'drop' } }), /socket hang up|ECONNRESET/);
    await assert.rejects(httpRequest(url('/v2'), { headers: { 'x-fault': 'truncate' } }), /aborted|before it was complete|ECONNRESET/);
    const t0 = Date.now();
    assert.equal((await httpRequest(url('/v2/health/live'), { headers: { 'x-fault': 'delay=300' } })).status, 200);
    assert.ok(Date.now() - t0 >= 290, `answered after ${Date.now() - t0} ms`);
    const bad = await httpRequest(url('/v2/health/live'), { headers: { 'x-fault': 'explode' } });
    assert.equal(bad.status, 400);
  });

  it('sends a wrong Inference-Header-Content-Length when asked', async () => {
    const res = await httpRequest(url('/v2/models/identity_fp32/infer'), { body: fp32Header(), headers: { 'x-fault': 'bad-header-length' } });
    assert.equal(res.status, 200);
    assert.ok(Number(res.headers['inference-header-content-length']) > res.body.length);
  });

  it('applies sticky faults from POST /__fault the given number of times', async () => {
    assert.equal((await httpRequest(url('/__fault'), { body: { fault: 'status=503', match: '/v2/health/live', count: 1 } })).status, 200);
    const first = await httpRequest(url('/v2/health/live'));
    assert.equal(first.status, 503);
    assert.deepEqual(first.json, { error: 'injected fault' });
    assert.equal((await httpRequest(url('/v2/health/live'))).status, 200);
  });

  it('fails gRPC calls on x-fault metadata', async () => {
    const protoDir = join(__dirname, '..', '..', 'proto');
    const def = protoLoader.loadSync([join(protoDir, 'grpc_service.proto')], { keepCase: true, longs: String, enums: String, oneofs: true, includeDirs: [protoDir] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
    const client = new pkg.inference.GRPCInferenceService(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
    const call = (fault: string): Promise<unknown> => new Promise((resolve, reject) => {
      const md = new grpc.Metadata();
      md.set('x-fault', fault);
      client['ServerLive']!({}, md, { deadline: Date.now() + 5000 }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r)));
    });
    try {
      await assert.rejects(call('status=14'), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE && e.details === 'injected fault');
      await assert.rejects(call('drop'), (e: grpc.ServiceError) => e.code !== grpc.status.OK);
      assert.deepEqual(await call('delay=10'), { live: true });
    } finally {
      client.close();
    }
  });

  it('drops streams after n responses with drop-after', async () => {
    const sse = httpRequest(url('/v2/models/repeat_int32/generate_stream'), { body: { IN: [1, 2, 3], DELAY: [0, 0, 0], WAIT: 0 }, headers: { 'x-fault': 'drop-after=1' } });
    await assert.rejects(sse, /aborted|before it was complete|ECONNRESET/);
    const protoDir = join(__dirname, '..', '..', 'proto');
    const def = protoLoader.loadSync([join(protoDir, 'grpc_service.proto')], { keepCase: true, longs: String, enums: String, oneofs: true, includeDirs: [protoDir] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
    const client = new pkg.inference.GRPCInferenceService(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
    try {
      const md = new grpc.Metadata();
      md.set('x-fault', 'drop-after=2');
      const stream = (client['ModelStreamInfer'] as (m: grpc.Metadata) => grpc.ClientDuplexStream<object, object>)(md);
      let received = 0;
      stream.on('data', () => received++);
      const failed = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
      const i32 = (xs: number[]): Buffer => Buffer.from(new Int32Array(xs).buffer);
      stream.write({ model_name: 'repeat_int32', id: 'r', inputs: [{ name: 'IN', datatype: 'INT32', shape: [4] }, { name: 'DELAY', datatype: 'UINT32', shape: [4] }, { name: 'WAIT', datatype: 'UINT32', shape: [1] }], raw_input_contents: [i32([1, 2, 3, 4]), i32([5, 5, 5, 5]), i32([0])] });
      const err = await failed;
      assert.notEqual(err.code, grpc.status.OK);
      assert.equal(received, 2);
    } finally {
      client.close();
    }
  });

  it('closes and reopens both listeners on the same ports on POST /__control/restart', async () => {
    const port = new URL(server.httpUrl).port;
    assert.equal((await httpRequest(url('/__control/restart'), { body: { delay_ms: 300 } })).status, 200);
    await server.waitForOutput(/Restarting listeners in 300 ms/);
    await assert.rejects(httpRequest(url('/v2/health/live'), { timeoutMs: 2000 }), /ECONNREFUSED|socket hang up|ECONNRESET/);
    await server.waitForOutput(/Listeners restarted/, 5000);
    assert.equal(new URL(server.httpUrl).port, port);
    assert.equal((await httpRequest(url('/v2/health/live'))).status, 200);
  });
});

describe('reference server limits, none mode and log file', () => {
  let server: ReferenceServer;
  let dir: string;
  const url = (p: string): string => server.httpUrl + p;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reference-log-'));
    server = await startReferenceServer({ extraArgs: ['--model-control-mode', 'none', '--http-max-input-size', '65536', '--log-file', join(dir, 'server.log')] });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a body over --http-max-input-size with 400 and a message', async () => {
    const res = await httpRequest(url('/v2/models/identity_fp32/infer'), { body: Buffer.alloc(200_000, 0x20) });
    assert.equal(res.status, 400);
    assert.match((res.json as { error: string }).error, /exceeds the maximum allowed value of 65536 bytes\. Use --http-max-input-size/);
    assert.equal((await httpRequest(url('/v2/health/live'))).status, 200);
  });

  it('fails to start, with Triton-like messages, on a taken port or a missing repository', async () => {
    const port = Number(new URL(server.httpUrl).port);
    await assert.rejects(startReferenceServer({ httpPort: port }), /exited before it was ready[\s\S]*error: creating server: Unavailable - Socket '127\.0\.0\.1:\d+' already in use/);
    await assert.rejects(startReferenceServer({ modelRepository: join(dir, 'missing') }), /error: creating server: Internal - failed to stat file /);
  });

  it('refuses load and unload in none mode, with all models loaded', async () => {
    const res = await httpRequest(url('/v2/repository/models/simple/unload'), { body: '' });
    assert.equal(res.status, 503);
    assert.deepEqual(res.json, { error: 'explicit model load / unload is not allowed if polling is enabled' });
    assert.equal((await httpRequest(url('/v2/models/simple/ready'))).status, 200);
  });

  it('writes Triton-format lines to the log file, verbose ones after raising the level', async () => {
    assert.equal((await httpRequest(url('/v2/logging'), { body: { log_verbose_level: 1 } })).status, 200);
    assert.equal((await httpRequest(url('/v2/logging'), { body: { log_format: 'iso8601' } })).status, 503);
    await httpRequest(url('/v2/health/live'));
    const text = readFileSync(server.logFile!, 'utf8');
    const lines = text.split('\n');
    assert.ok(lines.some((l) => /^I\d{4} \d{2}:\d{2}:\d{2}\.\d{6} \d+ model_lifecycle\.cc:\d+\] "successfully loaded 'simple'"$/.test(l)));
    assert.ok(lines.some((l) => /^E\d{4} .* "failed to load 'broken_config' version 1: Invalid argument: /.test(l)));
    assert.ok(lines.some((l) => /^\| Model +\| Version \| Status/.test(l)));
    assert.ok(lines.some((l) => /] "HTTP request: 0 \/v2\/health\/live"$/.test(l)));
    assert.ok(!/^ready /m.test(text), 'the ready line goes to stdout only');
  });
});

describe('reference server restricted APIs', () => {
  let server: ReferenceServer;
  before(async () => {
    server = await startReferenceServer({ extraArgs: ['--http-restricted-api', 'logging,model-repository:admin-key=secret', '--grpc-restricted-protocol=logging:admin-key=secret'] });
  });
  after(async () => {
    await server.stop();
  });

  it('answers 403 over HTTP and UNAVAILABLE over gRPC without the header, and serves with it', async () => {
    const denied = await httpRequest(`${server.httpUrl}/v2/logging`);
    assert.deepEqual([denied.status, denied.json], [403, { error: "This API is restricted, expecting header 'admin-key'" }]);
    assert.equal((await httpRequest(`${server.httpUrl}/v2/repository/index`, { body: '' })).status, 403);
    assert.equal((await httpRequest(`${server.httpUrl}/v2/logging`, { headers: { 'admin-key': 'secret' } })).status, 200);
    assert.equal((await httpRequest(`${server.httpUrl}/v2/health/live`)).status, 200);
    const protoDir = join(__dirname, '..', '..', 'proto');
    const def = protoLoader.loadSync([join(protoDir, 'grpc_service.proto')], { keepCase: true, longs: String, enums: String, oneofs: true, includeDirs: [protoDir] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor } };
    const client = new pkg.inference.GRPCInferenceService(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
    const logSettings = (md: grpc.Metadata): Promise<unknown> => new Promise((resolve, reject) => {
      client['LogSettings']!({}, md, { deadline: Date.now() + 5000 }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r)));
    });
    try {
      await assert.rejects(logSettings(new grpc.Metadata()), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE && e.details === "This protocol is restricted, expecting header 'triton-grpc-protocol-admin-key'");
      const md = new grpc.Metadata();
      md.set('triton-grpc-protocol-admin-key', 'secret');
      assert.ok(await logSettings(md));
    } finally {
      client.close();
    }
  });
});
