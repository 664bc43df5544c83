// Every datatype round-tripped bit for bit through the identity models over both transports (and
// over HTTP JSON where the datatype has a JSON form), BYTES through simple_identity, and a large tensor.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TritonClient } from '../../../src/triton/clientTypes';
import { DATATYPES } from '../../../src/triton/datatypes';
import { encodeTensor } from '../../../src/triton/tensor';
import type { OutputTensor, TensorData, TritonDatatype } from '../../../src/triton/types';
import { requireModel, TEST_TIMEOUT_MS, TRANSPORTS, useSuiteServer } from '../support/clientSuite';

const nonUtf8 = Uint8Array.from([0, 255, 1, 128, 0xc3]);

/** Edge values of each type: extremes, zero, sign changes, subnormals and non-finite floats. */
const SAMPLES: Record<TritonDatatype, TensorData> = {
  BOOL: [true, false, false, true, true],
  UINT8: Uint8Array.from([0, 1, 127, 128, 255]),
  UINT16: Uint16Array.from([0, 1, 255, 32768, 65535]),
  UINT32: Uint32Array.from([0, 1, 65536, 2 ** 31, 2 ** 32 - 1]),
  UINT64: BigUint64Array.from([0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]),
  INT8: Int8Array.from([-128, -1, 0, 1, 127]),
  INT16: Int16Array.from([-32768, -1, 0, 1, 32767]),
  INT32: Int32Array.from([-(2 ** 31), -1, 0, 1, 2 ** 31 - 1]),
  INT64: BigInt64Array.from([-(2n ** 63n), -(2n ** 53n) - 1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n]),
  // FP16/BF16 as raw bits: 1, -2, largest finite, smallest subnormal, +Inf, a quiet NaN.
  FP16: Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x7e00]),
  BF16: Uint16Array.from([0x3f80, 0xc000, 0x7f7f, 0x0001, 0x7f80, 0x7fc0]),
  FP32: Float32Array.from([0, -0, 1.5, -3.4028234663852886e38, 1e-45, Infinity, -Infinity, NaN]),
  FP64: Float64Array.from([0, -0, Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE, Infinity, NaN]),
  BYTES: ['', 'hello', 'ünïcødé ✓ 𝄞', 'a,b "quoted" \\ \n', nonUtf8],
};

/** Values with a JSON spelling that survives a text round trip (no -0; BYTES must be UTF-8). */
const JSON_SAMPLES: Partial<Record<TritonDatatype, TensorData>> = {
  FP32: Float32Array.from([0, 1.5, -2.25, 3.4028234663852886e38, 1e-45, Infinity, NaN]),
  FP64: Float64Array.from([0, Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE, -Infinity, NaN]),
  BYTES: ['', 'hello', 'ünïcødé ✓ 𝄞', 'a,b "quoted" \\ \n\u0001'],
};

function wireBytes(datatype: TritonDatatype, data: TensorData): Buffer {
  return Buffer.from(encodeTensor(datatype, data, [(data as { length: number }).length]));
}

/** Compares bit for bit by re-encoding the answer, so NaN payloads and -0 count. */
function assertSameTensor(out: OutputTensor | undefined, datatype: TritonDatatype, sent: TensorData, shape: number[]): void {
  assert.ok(out, 'output missing');
  assert.equal(out.datatype, datatype);
  assert.deepEqual(out.shape, shape);
  assert.ok(out.data !== undefined, 'output has no data');
  if (datatype === 'BOOL') {
    assert.deepEqual(out.data, sent);
    return;
  }
  if (datatype === 'BYTES') {
    const got = (out.data as Uint8Array[]).map((b) => Buffer.from(b));
    const want = (sent as (string | Uint8Array)[]).map((s) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s)));
    assert.deepEqual(got, want);
    return;
  }
  assert.ok(ArrayBuffer.isView(out.data), `${datatype} output is not a typed array`);
  assert.deepEqual(wireBytes(datatype, out.data), wireBytes(datatype, sent));
}

describe('client datatypes', { timeout: TEST_TIMEOUT_MS * 4 }, () => {
  const server = useSuiteServer();

  for (const transport of TRANSPORTS) {
    describe(transport, () => {
      let cached: TritonClient | undefined;
      const client = (): TritonClient => (cached ??= server().client(transport));

      for (const datatype of DATATYPES) {
        const model = `identity_${datatype.toLowerCase()}`;
        it(`round-trips ${datatype} through ${model}`, async (t) => {
          if (!(await requireModel(t, client(), model))) return;
          const data = SAMPLES[datatype];
          const shape = [(data as { length: number }).length];
          const result = await client().infer(model, [{ name: 'INPUT0', datatype, shape, data }]);
          assert.equal(result.modelName, model);
          assertSameTensor(result.outputs.find((o) => o.name === 'OUTPUT0'), datatype, data, shape);
        });

        if (transport === 'http' && datatype !== 'FP16' && datatype !== 'BF16') {
          it(`round-trips ${datatype} as JSON`, async (t) => {
            if (!(await requireModel(t, client(), model))) return;
            const data = JSON_SAMPLES[datatype] ?? SAMPLES[datatype];
            const shape = [(data as { length: number }).length];
            const result = await client().infer(model, [{ name: 'INPUT0', datatype, shape, data }], undefined, { binaryData: false });
            assertSameTensor(result.outputs.find((o) => o.name === 'OUTPUT0'), datatype, data, shape);
          });
        }
      }

      if (transport === 'http') {
        it('refuses FP16 as JSON before sending', async () => {
          await assert.rejects(
            client().infer('identity_fp16', [{ name: 'INPUT0', datatype: 'FP16', shape: [1], data: Uint16Array.of(0x3c00) }], undefined, { binaryData: false }),
            (error: { kind?: string; message?: string }) => error.kind === 'invalid-argument' && /FP16/.test(error.message ?? ''),
          );
        });
      }

      it('round-trips converted inputs: numbers to FP16 and bigints to INT64', async (t) => {
        if (!(await requireModel(t, client(), 'identity_fp16'))) return;
        const fp16 = await client().infer('identity_fp16', [{ name: 'INPUT0', datatype: 'FP16', shape: [3], data: [1, -2, 0.5] }]);
        assert.deepEqual(Array.from(fp16.outputs[0]!.data as Uint16Array), [0x3c00, 0xc000, 0x3800]);
        if (!(await requireModel(t, client(), 'identity_int64'))) return;
        const int64 = await client().infer('identity_int64', [{ name: 'INPUT0', datatype: 'INT64', shape: [2], data: [-5n, 2n ** 62n] }]);
        assert.deepEqual(Array.from(int64.outputs[0]!.data as BigInt64Array), [-5n, 2n ** 62n]);
      });

      it('round-trips BYTES with a batch dimension through simple_identity', async (t) => {
        if (!(await requireModel(t, client(), 'simple_identity'))) return;
        const data = ['0', '1', 'twelve', '', 'ü'.repeat(100)];
        const result = await client().infer('simple_identity', [{ name: 'INPUT0', datatype: 'BYTES', shape: [1, data.length], data }]);
        assertSameTensor(result.outputs[0], 'BYTES', data, [1, data.length]);
      });

      it('round-trips a 16 MiB FP32 tensor unchanged', async (t) => {
        if (!(await requireModel(t, client(), 'identity_fp32'))) return;
        const data = new Float32Array(4 * 1024 * 1024);
        for (let i = 0; i < data.length; i++) data[i] = (i % 65_521) * 0.25 - 7;
        const result = await client().infer('identity_fp32', [{ name: 'INPUT0', datatype: 'FP32', shape: [data.length], data }]);
        const out = result.outputs[0]!.data as Float32Array;
        assert.equal(out.length, data.length);
        assert.ok(Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(Buffer.from(data.buffer)), 'the tensor came back changed');
      });

      it('round-trips an empty tensor', async (t) => {
        if (!(await requireModel(t, client(), 'identity_int32'))) return;
        const result = await client().infer('identity_int32', [{ name: 'INPUT0', datatype: 'INT32', shape: [0], data: new Int32Array(0) }]);
        assert.deepEqual(result.outputs[0]!.shape, [0]);
        assert.equal((result.outputs[0]!.data as Int32Array).length, 0);
      });
    });
  }
});
