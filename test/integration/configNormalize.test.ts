// The normalised config diff against the reference server: each model's effective config and the
// config.pbtxt it was loaded from say the same once Triton's fill-ins and defaults are accounted for.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSchema } from '../../src/pbtxt/schema';
import { pbtxtToConfigJson } from '../../src/services/configOverride';
import { normalizeConfigPair } from '../../src/services/configNormalize';
import type { TritonClient } from '../../src/triton/client';
import { createTritonClient } from '../../src/triton/client';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

const MODELS = join(__dirname, '..', 'server', 'models');

describe('normalised config diff against the reference server', { timeout: 60_000 }, () => {
  let server: ReferenceServer;
  let http: TritonClient;

  before(async () => {
    server = await startReferenceServer({ modelRepository: MODELS });
    http = createTritonClient({ url: server.httpUrl, protocol: 'http', deadlineMs: 10_000 });
  });
  after(async () => {
    await http?.close();
    await server?.stop();
  });

  it('every READY model\'s effective config matches its config.pbtxt once normalised', async () => {
    const schema = loadSchema();
    const ready = (await http.repositoryIndex()).filter((e) => e.state === 'READY').map((e) => e.name);
    assert.ok(ready.length >= 20, `only ${ready.length} READY models`);
    const differing: string[] = [];
    let compared = 0;
    for (const name of ready) {
      const file = join(MODELS, name, 'config.pbtxt');
      if (!existsSync(file)) continue;
      const pair = normalizeConfigPair(await http.modelConfig(name), pbtxtToConfigJson(readFileSync(file, 'utf8'), schema), name, schema);
      compared++;
      if (pair.server !== pair.workspace) differing.push(`${name}:\n--- server\n${pair.server}--- workspace\n${pair.workspace}`);
    }
    assert.ok(compared >= 20, `compared only ${compared}`);
    assert.deepEqual(differing, []);
  });

  it('a real change to the workspace config still shows', async () => {
    const schema = loadSchema();
    const text = readFileSync(join(MODELS, 'simple', 'config.pbtxt'), 'utf8').replace(/max_batch_size: 8/, 'max_batch_size: 4');
    const pair = normalizeConfigPair(await http.modelConfig('simple'), pbtxtToConfigJson(text, schema), 'simple', schema);
    assert.match(pair.server, /^max_batch_size: 8$/m);
    assert.match(pair.workspace, /^max_batch_size: 4$/m);
  });
});
