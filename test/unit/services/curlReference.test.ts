// "Copy as curl" commands run with the real curl against the reference server: JSON models,
// FP16/BF16 models (which Triton accepts only as binary tensors) and the 3×224×224 image classifier
// (its input goes as zero bytes after the JSON) all answer 200.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { buildCurlCommand } from '../../../src/services/curlRequest';
import { createTritonClient } from '../../../src/triton/client';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

let server: ReferenceServer;

before(async () => {
  server = await startReferenceServer();
});

after(async () => {
  await server?.stop();
});

function runShell(script: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', script], { encoding: 'buffer', timeout: 10_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr.toString()}`));
      else resolve(stdout);
    });
  });
}

for (const model of ['identity_fp16', 'identity_bf16', 'identity_fp32', 'simple', 'color_classifier']) {
  test(`the copied curl command for ${model} is accepted by the server`, async () => {
    const client = createTritonClient({ url: server.httpUrl, protocol: 'http' });
    try {
      const meta = await client.modelMetadata(model, { deadlineMs: 5_000 });
      const command = buildCurlCommand(meta, { httpUrl: server.httpUrl, variableDim: 3 });
      // --fail-with-body turns a 4xx/5xx answer into a non-zero exit with the server's reason.
      const out = await runShell(command.replace(/^curl -sS/m, 'curl -sS --fail-with-body --max-time 8'));
      const binary = meta.outputs.some((o) => o.datatype === 'FP16' || o.datatype === 'BF16');
      // A binary answer is its JSON header up to the first zero byte here (the tensors are zeros).
      const headerEnd = binary ? out.indexOf(0) : out.length;
      const header = JSON.parse(out.subarray(0, headerEnd).toString('utf8')) as { outputs: { name: string; datatype: string; shape: number[]; data?: unknown[]; parameters?: { binary_data_size?: number } }[] };
      assert.deepEqual(header.outputs.map((o) => o.name).sort(), meta.outputs.map((o) => o.name).sort());
      for (const o of header.outputs) {
        const count = o.shape.reduce((a, b) => a * b, 1);
        if (o.datatype === 'FP16' || o.datatype === 'BF16') assert.equal(o.parameters?.binary_data_size, count * 2, JSON.stringify(o));
        else assert.equal(o.data?.length, count, JSON.stringify(o));
      }
      if (binary) assert.equal(out.length - headerEnd, header.outputs.reduce((sum, o) => sum + (o.parameters?.binary_data_size ?? 0), 0));
    } finally {
      await client.close();
    }
  });
}
