// Launch commands built from presets, and the settings entry of a launched server (no process started here;
// test/integration/logs/launcher.test.ts runs the real thing).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildLaunchCommand, pickPorts, portIsFree, withLaunchedServer } from '../../../src/services/serverLauncher';
import { createServer } from 'node:net';

describe('launch commands', () => {
  it('docker preset: loopback ports, the repository mounted at /models, explicit control, GPUs only when asked', () => {
    const cmd = buildLaunchCommand({ preset: 'docker', repository: '/work/models', ports: { http: 8000, grpc: 8001, metrics: 8002 }, dockerTag: '25.01', dockerGpus: 'all' });
    assert.deepEqual(cmd.argv, [
      'docker', 'run', '--rm', '--name', 'triton-workbench-8000', '--gpus', 'all', '-p', '127.0.0.1:8000:8000', '-p', '127.0.0.1:8001:8001', '-p', '127.0.0.1:8002:8002',
      '-v', '/work/models:/models', 'nvcr.io/nvidia/tritonserver:25.01-py3', 'tritonserver', '--model-repository=/models',
      '--model-control-mode=explicit', '--load-model=*', '--exit-on-error=false',
    ]);
    assert.equal(cmd.containerName, 'triton-workbench-8000');
    assert.equal(cmd.httpUrl, 'http://127.0.0.1:8000');
    assert.equal(cmd.grpcUrl, '127.0.0.1:8001');
    const cpu = buildLaunchCommand({ preset: 'docker', repository: '/m', ports: { http: 9000, grpc: 9001, metrics: 9002 }, dockerTag: '24.08' });
    assert.ok(!cpu.argv.includes('--gpus'));
    assert.ok(cpu.argv.includes('127.0.0.1:9000:8000'));
    assert.throws(() => buildLaunchCommand({ preset: 'docker', repository: '/m', ports: { http: 1, grpc: 2, metrics: 3 }, dockerTag: '25.01; rm -rf /' }), /not a docker image tag/);
    assert.throws(() => buildLaunchCommand({ preset: 'docker', repository: '/m', ports: { http: 1, grpc: 2, metrics: 3 }, dockerTag: '25.01', dockerGpus: 'all --privileged' }), /not a --gpus value/);
    assert.throws(() => buildLaunchCommand({ preset: 'docker', repository: '/m:/etc', ports: { http: 1, grpc: 2, metrics: 3 }, dockerTag: '25.01' }), /contains ':'/);
  });

  it('local preset passes the ports; custom fills placeholders; bad ports are refused', () => {
    const local = buildLaunchCommand({ preset: 'local', repository: '/m', ports: { http: 18000, grpc: 18001, metrics: 18002 } });
    assert.deepEqual(local.argv.slice(-3), ['--http-port=18000', '--grpc-port=18001', '--metrics-port=18002']);
    assert.equal(local.argv[0], 'tritonserver');
    const custom = buildLaunchCommand({ preset: 'custom', repository: '/m', ports: { http: 1, grpc: 2, metrics: 3 }, command: ['${node}', 'x.mjs', '--repo=${repository}', '${httpPort}/${grpcPort}/${metricsPort}', '${other}'] }, '/usr/bin/node');
    assert.deepEqual(custom.argv, ['/usr/bin/node', 'x.mjs', '--repo=/m', '1/2/3', '${other}']);
    assert.equal(custom.env.ELECTRON_RUN_AS_NODE, '1');
    assert.throws(() => buildLaunchCommand({ preset: 'local', repository: '/m', ports: { http: 0, grpc: 1, metrics: 2 } }), /port 0/);
    assert.throws(() => buildLaunchCommand({ preset: 'custom', repository: '/m', ports: { http: 1, grpc: 2, metrics: 3 }, command: [] }), /customCommand/);
  });

  it('the launched server updates the entry of its name (keeping its other keys) or is added', () => {
    const cmd = buildLaunchCommand({ preset: 'local', repository: '/m', ports: { http: 18000, grpc: 18001, metrics: 18002 } });
    const raw = [{ name: 'prod', httpUrl: 'http://prod:8000' }, { name: 'local (launched)', httpUrl: 'http://127.0.0.1:8000', log: { file: '/tmp/t.log' }, custom: 1 }];
    const updated = withLaunchedServer(raw, 'local (launched)', cmd);
    assert.deepEqual(updated[1], { name: 'local (launched)', httpUrl: 'http://127.0.0.1:18000', grpcUrl: '127.0.0.1:18001', log: { file: '/tmp/t.log' }, custom: 1 });
    assert.deepEqual(updated[0], raw[0]);
    const added = withLaunchedServer([raw[0]], 'local (launched)', cmd);
    assert.equal(added.length, 2);
    assert.deepEqual(added[1], { name: 'local (launched)', httpUrl: 'http://127.0.0.1:18000', grpcUrl: '127.0.0.1:18001', protocol: 'http' });
  });
});

describe('ports', () => {
  it('a busy preferred port is replaced by a free one; the three are distinct', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen({ port: 0, host: '127.0.0.1' }, () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      assert.equal(await portIsFree(port), false);
      const ports = await pickPorts({ http: port, grpc: port, metrics: 0 });
      assert.notEqual(ports.http, port);
      assert.equal(new Set([ports.http, ports.grpc, ports.metrics]).size, 3);
    } finally {
      busy.close();
    }
  });
});
