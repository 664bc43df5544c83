// Effective configs of the reference server as config.pbtxt: the same text over both transports, and it checks clean.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeConfigFs } from '../../src/pbtxt/configFs';
import { configJsonToPbtxt } from '../../src/pbtxt/fromJson';
import { loadSchema } from '../../src/pbtxt/schema';
import { validate } from '../../src/pbtxt/validate';
import type { TritonClient } from '../../src/triton/clientTypes';
import { createTritonClient } from '../../src/triton/client';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

const MODELS = join(__dirname, '..', 'server', 'models');
const DEADLINE_MS = 10_000;

describe('effective configs of the reference server', { timeout: 60_000 }, () => {
  let server: ReferenceServer;
  let http: TritonClient;
  let grpc: TritonClient;
  let ready: string[] = [];

  before(async () => {
    server = await startReferenceServer({ modelRepository: MODELS });
    http = createTritonClient({ url: server.httpUrl, protocol: 'http', deadlineMs: DEADLINE_MS });
    grpc = createTritonClient({ url: server.grpcUrl, protocol: 'grpc', deadlineMs: DEADLINE_MS });
    ready = (await http.repositoryIndex()).filter((e) => e.state === 'READY').map((e) => e.name);
  });
  after(async () => {
    await http?.close();
    await grpc?.close();
    await server?.stop();
  });

  it('HTTP and gRPC give the same config JSON, key order included, and byte-identical config.pbtxt text', async () => {
    assert.ok(ready.length >= 20, `only ${ready.length} READY models`);
    const schema = loadSchema();
    for (const name of ready) {
      const [overHttp, overGrpc] = await Promise.all([http.modelConfig(name), grpc.modelConfig(name)]);
      assert.equal(JSON.stringify(overGrpc), JSON.stringify(overHttp), `${name}: config JSON`);
      const text = configJsonToPbtxt(overHttp, schema);
      assert.equal(configJsonToPbtxt(overGrpc, schema), text, `${name}: rendered text`);
      assert.match(text, new RegExp(`^name: "${name}"\\n`), `${name}: the text starts with the name, as Triton prints it`);
    }
  });

  it('the server\'s effective configs validate clean (text rules and the repository on disk)', async () => {
    assert.ok(ready.length >= 20, `only ${ready.length} READY models`);
    assert.ok(ready.includes('simple_ensemble') && ready.includes('simple_sequence'), 'ensemble and sequence models are among them');
    const schema = loadSchema();
    const findings: string[] = [];
    for (const name of ready) {
      const text = configJsonToPbtxt(await http.modelConfig(name), schema);
      const filePath = join(MODELS, name, 'config.pbtxt');
      for (const d of await validate(text, { schema, filePath, fs: nodeConfigFs })) {
        if (d.severity === 'error' || d.severity === 'warning') findings.push(`${name}:${d.range.start.line + 1}: ${d.severity} ${d.code}: ${d.message}`);
      }
    }
    assert.deepEqual(findings, []);
  });
});
