// The catalog and the explorer tree over both transports against the reference server: states,
// reasons, lifecycle, config overrides from pbtxt, and detection of a server that forbids load/unload.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { healthWords } from '../../../src/services/serverReadiness';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';
import { createClientFor } from '../../../src/services/clientFactory';
import { pbtxtToConfigJson } from '../../../src/services/configOverride';
import { ModelCatalog } from '../../../src/services/modelCatalog';
import type { SecretStore, ServerConfig } from '../../../src/services/serverConfig';
import { configJsonToPbtxt } from '../../../src/pbtxt/fromJson';
import { loadSchema } from '../../../src/pbtxt/schema';

const noSecrets: SecretStore = { get: async () => undefined, store: async () => undefined, delete: async () => undefined };

function catalogFor(config: ServerConfig): ModelCatalog {
  const catalog = new ModelCatalog({ createClient: (s) => createClientFor(s, noSecrets), probeModelControl: true, quickDeadlineMs: 5_000, loadDeadlineMs: 10_000 });
  catalog.setServers([config]);
  return catalog;
}

let server: ReferenceServer;

before(async () => {
  server = await startReferenceServer();
});

after(async () => {
  await server.stop();
});

for (const protocol of ['http', 'grpc'] as const) {
  describe(`over ${protocol}`, () => {
    const model = protocol === 'http' ? 'identity_uint16' : 'identity_uint32';

    test('health, version, models with states and reasons', async () => {
      const catalog = catalogFor({ name: 'ref', httpUrl: server.httpUrl, grpcUrl: server.grpcUrl, protocol });
      try {
        assert.equal(await catalog.refreshServer('ref'), 'ok');
        const state = catalog.server('ref')!;
        assert.match(state.health.version!, /^2\.\d+\.\d+$/);
        assert.ok(state.health.extensions!.includes('model_repository'));
        assert.equal(state.control, 'explicit', 'the probe found load/unload allowed');
        assert.equal(catalog.model('ref', 'simple')!.state, 'READY');
        const broken = catalog.model('ref', 'broken_config')!;
        assert.equal(broken.state, 'UNAVAILABLE');
        assert.match(broken.reason!, /dimension/);
        // Strict readiness: the failed model keeps the server live but not ready, and the explorer says why.
        assert.equal(state.health.state, 'live');
        assert.equal(healthWords(catalog.server('ref')!), 'live, not ready (a model failed to load: broken_config)');
        const meta = await catalog.metadata('ref', 'simple', '1');
        assert.deepEqual(meta.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(',')}]`), ['INPUT0 INT32 [-1,16]', 'INPUT1 INT32 [-1,16]']);
      } finally {
        catalog.dispose();
      }
    });

    test('unload, load, and load with a config override converted from pbtxt', async () => {
      const catalog = catalogFor({ name: 'ref', httpUrl: server.httpUrl, grpcUrl: server.grpcUrl, protocol });
      try {
        await catalog.refreshServer('ref');
        const unloaded = await catalog.unload('ref', model);
        assert.equal(unloaded!.state, 'UNAVAILABLE');
        assert.equal(unloaded!.reason, 'unloaded');
        assert.equal((await catalog.load('ref', model, undefined))!.state, 'READY');
        // The server's own config, rendered to pbtxt and parsed back, is a valid override.
        const original = await catalog.config('ref', model);
        const text = configJsonToPbtxt(original, loadSchema()).replace(/^max_batch_size: \d+$/m, 'max_batch_size: 0');
        const override = pbtxtToConfigJson(text);
        assert.equal((await catalog.load('ref', model, JSON.stringify({ ...override, max_batch_size: 0, parameters: { note: { string_value: protocol } } })))!.state, 'READY');
        const changed = await catalog.config('ref', model);
        assert.deepEqual(changed.parameters, { note: { string_value: protocol } });
        assert.equal((await catalog.load('ref', model, undefined))!.state, 'READY');
      } finally {
        catalog.dispose();
      }
    });
  });
}

test('a server in NONE model-control mode is detected up front and its load errors keep the server reason', async () => {
  const locked = await startReferenceServer({ extraArgs: ['--model-control-mode', 'none'] });
  const catalog = catalogFor({ name: 'locked', httpUrl: locked.httpUrl, grpcUrl: locked.grpcUrl, protocol: 'grpc' });
  try {
    await catalog.refreshServer('locked');
    assert.equal(catalog.server('locked')!.control, 'forbidden');
    await assert.rejects(catalog.unload('locked', 'simple'), /not allowed/);
    assert.equal(catalog.model('locked', 'simple')!.state, 'READY');
  } finally {
    catalog.dispose();
    await locked.stop();
  }
});
