// Model names that a URL path must percent-encode, against the reference server as a real process
// with a temporary repository. Triton matches the model segment of an HTTP path as it arrives and
// does not percent-decode it (http-protocol.md, seen on 2.59.1): such a model is unknown over HTTP
// under its encoded name (the client's error says why) and reachable over gRPC, where the name
// travels as a protobuf string.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTritonClient } from '../../src/triton/client';
import type { TritonClient } from '../../src/triton/clientTypes';
import { TritonError } from '../../src/triton/errors';
import type { InferInput } from '../../src/triton/types';
import { httpRequest } from '../support/httpRequest';
import { startReferenceServer } from '../support/referenceServer';
import type { ReferenceServer } from '../support/referenceServer';

/** Needs encoding in a path: a space, '+', '(' and ')'. */
const ENCODED_NAME = 'my model+v2 (int8)';
const ENCODED = 'my%20model%2Bv2%20%28int8%29';
/** Only characters a path segment keeps as they are. */
const PLAIN_NAME = 'plain_Model-1.0~x';

function writeModel(repo: string, name: string): void {
  mkdirSync(join(repo, name, '1'), { recursive: true });
  writeFileSync(join(repo, name, 'config.pbtxt'), [
    `name: "${name}"`, 'backend: "identity"', 'max_batch_size: 0',
    'input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]',
    'output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ -1 ] } ]', '',
  ].join('\n'));
}

describe('model names that need percent-encoding', { timeout: 60_000 }, () => {
  let repo: string;
  let server: ReferenceServer;
  let http: TritonClient;
  let grpc: TritonClient;
  const inputs: InferInput[] = [{ name: 'INPUT0', datatype: 'FP32', shape: [3], data: Float32Array.of(1, 2, 3) }];

  before(async () => {
    repo = mkdtempSync(join(tmpdir(), 'model-names-'));
    writeModel(repo, ENCODED_NAME);
    writeModel(repo, PLAIN_NAME);
    server = await startReferenceServer({ modelRepository: repo });
    http = createTritonClient({ url: server.httpUrl, protocol: 'http', deadlineMs: 10_000 });
    grpc = createTritonClient({ url: server.grpcUrl, protocol: 'grpc', deadlineMs: 10_000 });
  });
  after(async () => {
    await http?.close();
    await grpc?.close();
    await server?.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('the model is loaded and reachable over gRPC under its own name', async () => {
    assert.equal(await grpc.isModelReady(ENCODED_NAME), true);
    assert.equal((await grpc.modelMetadata(ENCODED_NAME)).name, ENCODED_NAME);
    assert.equal((await grpc.modelConfig(ENCODED_NAME)).name, ENCODED_NAME);
    assert.equal((await grpc.infer(ENCODED_NAME, inputs)).modelName, ENCODED_NAME);
  });

  it('over HTTP the name goes out encoded and is not decoded: metadata, config and infer answer 404 naming it, ready 400', async () => {
    const unknown = `Request for unknown model: '${ENCODED}' is not found`;
    const rejects = (call: Promise<unknown>, path: string): Promise<void> => assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof TritonError, String(e));
      assert.equal(e.kind, 'not-found', e.message);
      assert.equal(e.status, 404);
      assert.equal(e.serverMessage, unknown);
      assert.equal(e.message, `${path}: ${unknown} (Triton does not percent-decode model names in URL paths: a model whose name has characters other than A-Z a-z 0-9 _ . - ~ can be reached over gRPC only)`);
      return true;
    });
    await rejects(http.modelMetadata(ENCODED_NAME), `GET /v2/models/${ENCODED}`);
    await rejects(http.modelConfig(ENCODED_NAME), `GET /v2/models/${ENCODED}/config`);
    await rejects(http.infer(ENCODED_NAME, inputs), `POST /v2/models/${ENCODED}/infer`);
    assert.equal(await http.isModelReady(ENCODED_NAME), false);
    // Triton 2.59.1's answers to the same paths, word for word.
    for (const suffix of ['', '/config']) {
      const answer = await httpRequest(`${server.httpUrl}/v2/models/${ENCODED}${suffix}`);
      assert.equal(answer.status, 404);
      assert.deepEqual(JSON.parse(answer.body.toString()), { error: unknown });
    }
    const ready = await httpRequest(`${server.httpUrl}/v2/models/${ENCODED}/ready`);
    assert.equal(ready.status, 400);
    assert.deepEqual(JSON.parse(ready.body.toString()), { error: 'Model version not ready' });
    const infer = await httpRequest(`${server.httpUrl}/v2/models/${ENCODED}/infer`, { body: { inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1], data: [1] }] } });
    assert.equal(infer.status, 404);
    assert.deepEqual(JSON.parse(infer.body.toString()), { error: unknown });
  });

  it('a name of characters a path keeps works over HTTP for metadata, config, ready and infer', async () => {
    assert.equal((await http.modelMetadata(PLAIN_NAME)).name, PLAIN_NAME);
    assert.equal((await http.modelConfig(PLAIN_NAME)).name, PLAIN_NAME);
    assert.equal(await http.isModelReady(PLAIN_NAME), true);
    assert.equal((await http.infer(PLAIN_NAME, inputs)).modelName, PLAIN_NAME);
  });
});
