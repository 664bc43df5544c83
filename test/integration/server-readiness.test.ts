// Strict readiness as tritonserver has it by default: a model that failed to load makes the server
// live but not ready, over HTTP, gRPC and the gRPC health service.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { httpRequest } from '../support/httpRequest';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

type Stub = grpc.Client & Record<string, (...a: unknown[]) => unknown>;

interface Probe {
  httpLive: number;
  httpReady: number;
  grpcLive: unknown;
  grpcReady: unknown;
  health: unknown;
}

const protoDir = join(__dirname, '..', '..', 'proto');
const def = protoLoader.loadSync([join(protoDir, 'grpc_service.proto'), join(protoDir, 'health.proto')], { keepCase: true, longs: String, enums: String, oneofs: true, includeDirs: [protoDir] });
const pkg = grpc.loadPackageDefinition(def) as unknown as { inference: { GRPCInferenceService: grpc.ServiceClientConstructor }; grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };

const unary = (c: Stub, method: string, req: object): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => c[method]!(req, { deadline: Date.now() + 5000 }, (e: Error | null, r: Record<string, unknown>) => (e ? reject(e) : resolve(r))));

async function probe(server: ReferenceServer): Promise<Probe> {
  const client = new pkg.inference.GRPCInferenceService(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as Stub;
  const health = new pkg.grpc.health.v1.Health(server.grpcUrl, grpc.credentials.createInsecure()) as unknown as Stub;
  try {
    return {
      httpLive: (await httpRequest(`${server.httpUrl}/v2/health/live`)).status,
      httpReady: (await httpRequest(`${server.httpUrl}/v2/health/ready`)).status,
      grpcLive: (await unary(client, 'ServerLive', {}))['live'],
      grpcReady: (await unary(client, 'ServerReady', {}))['ready'],
      health: (await unary(health, 'Check', {}))['status'],
    };
  } finally {
    client.close();
    health.close();
  }
}

describe('reference server readiness', () => {
  const servers: ReferenceServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('is live but not ready while a model failed to load (strict readiness by default)', async () => {
    const server = await startReferenceServer({ extraArgs: ['--model-control-mode=explicit', '--load-model=simple', '--load-model=broken_config'] });
    servers.push(server);
    assert.deepEqual(await probe(server), { httpLive: 200, httpReady: 400, grpcLive: true, grpcReady: false, health: 'NOT_SERVING' });
    assert.equal((await httpRequest(`${server.httpUrl}/v2/models/simple/ready`)).status, 200, 'the models that loaded still serve');
  });

  it('turns not ready when a load through the repository API fails', async () => {
    const server = await startReferenceServer({ extraArgs: ['--model-control-mode=explicit', '--load-model=simple'] });
    servers.push(server);
    assert.deepEqual(await probe(server), { httpLive: 200, httpReady: 200, grpcLive: true, grpcReady: true, health: 'SERVING' });
    assert.equal((await httpRequest(`${server.httpUrl}/v2/repository/models/broken_config/load`, { body: '' })).status, 400);
    assert.deepEqual(await probe(server), { httpLive: 200, httpReady: 400, grpcLive: true, grpcReady: false, health: 'NOT_SERVING' });
  });

  it('reports ready despite a failed model with --strict-readiness=false', async () => {
    const server = await startReferenceServer({ extraArgs: ['--strict-readiness=false'] });
    servers.push(server);
    assert.deepEqual(await probe(server), { httpLive: 200, httpReady: 200, grpcLive: true, grpcReady: true, health: 'SERVING' });
  });
});
