// The ONNX signature readers: whole-file and piecewise give the same answers; piecewise skips the weights.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RandomAccessFile } from '../../../src/pbtxt/configFs';
import { nodeConfigFs } from '../../../src/pbtxt/configFs';
import type { OnnxSignature } from '../../../src/pbtxt/onnxModel';
import { readOnnxSignature } from '../../../src/pbtxt/onnxModel';
import { readOnnxSignatureFrom } from '../../../src/pbtxt/onnxStream';
import { mutate, rng } from './mutate';
import { onnxModelBytes } from './onnxBytes';

const dir = mkdtempSync(join(tmpdir(), 'pbtxt-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An in-memory file that counts what was read. */
function memoryFile(bytes: Uint8Array): RandomAccessFile & { bytesRead: number } {
  const f = {
    size: bytes.length,
    bytesRead: 0,
    read: async (position: number, length: number): Promise<Uint8Array> => {
      const out = bytes.subarray(Math.min(position, bytes.length), Math.min(bytes.length, position + length));
      f.bytesRead += out.length;
      return out;
    },
    close: async (): Promise<void> => undefined,
  };
  return f;
}

function outcome(fn: () => OnnxSignature): string {
  try {
    return JSON.stringify(fn());
  } catch (e) {
    // The two readers word some failures differently (protobufjs vs. our own bounds checks); that they fail counts.
    assert.ok(e instanceof Error && e.message.includes('ONNX model'), String(e));
    return 'error';
  }
}

async function outcomeAsync(fn: () => Promise<OnnxSignature>): Promise<string> {
  try {
    return JSON.stringify(await fn());
  } catch (e) {
    // The two readers word some failures differently (protobufjs vs. our own bounds checks); that they fail counts.
    assert.ok(e instanceof Error && e.message.includes('ONNX model'), String(e));
    return 'error';
  }
}

const MODEL = onnxModelBytes({
  inputs: [{ name: 'ids', elemType: 7, dims: ['batch', 'seq'] }, { name: 'w0', elemType: 1, dims: [1] }],
  outputs: [{ name: 'out', elemType: 1, dims: ['batch', 'seq', 768] }],
  initializers: ['w0', 'w1'],
});

test('both readers agree on good, truncated and damaged models', async () => {
  assert.equal(await outcomeAsync(() => readOnnxSignatureFrom(memoryFile(MODEL))), outcome(() => readOnnxSignature(MODEL)));
  const sig = readOnnxSignature(MODEL);
  assert.deepEqual(sig.inputs.map((i) => i.name), ['ids'], 'initializers listed as graph inputs are not model inputs');
  const random = rng(7);
  const text = Buffer.from(MODEL).toString('latin1');
  for (let i = 0; i < 400; i++) {
    const bytes = i < MODEL.length ? MODEL.subarray(0, i) : Buffer.from(mutate(text, random), 'latin1');
    const whole = outcome(() => readOnnxSignature(bytes));
    const pieces = await outcomeAsync(() => readOnnxSignatureFrom(memoryFile(bytes)));
    assert.equal(pieces, whole, `case ${i}`);
  }
});

test('a model with 64 MiB of weights is checked by reading a few KiB, from a real file', async () => {
  const weights = 64 * 1024 * 1024;
  const head = onnxModelBytes({ inputs: [{ name: 'x', elemType: 1, dims: [4] }], outputs: [{ name: 'y', elemType: 1, dims: [4] }] });
  // Append a graph field holding one big initializer; protobuf merges repeated occurrences of a message field.
  const tensor = Buffer.concat([Buffer.from([0x42, 0x01, 0x77]), Buffer.from([0x4a]), varint(weights), Buffer.alloc(weights)]);
  const graph = Buffer.concat([Buffer.from([0x2a]), varint(tensor.length), tensor]);
  const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0x3a]), varint(graph.length), graph]);
  const counted = memoryFile(bytes);
  const sig = await readOnnxSignatureFrom(counted);
  assert.deepEqual([sig.inputs.map((i) => i.name), sig.outputs.map((o) => o.name)], [['x'], ['y']]);
  assert.ok(counted.bytesRead < 256 * 1024, `read ${counted.bytesRead} bytes`);
  const path = join(dir, 'big.onnx');
  writeFileSync(path, bytes);
  const file = await nodeConfigFs.open?.(path);
  assert.ok(file !== undefined);
  try {
    assert.deepEqual(await readOnnxSignatureFrom(file), sig);
  } finally {
    await file.close();
  }
  assert.equal(await nodeConfigFs.open?.(join(dir, 'missing.onnx')), undefined);
});

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}
