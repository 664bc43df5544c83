import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy, NpyError } from '../../../src/inference/npy';
import { fp16ArrayToFloat32, toFp16Array, toBf16Array } from '../../../src/triton/fp16';
import type { NumericTypedArray, TritonDatatype } from '../../../src/triton/types';

const DIR = join(__dirname, '../../fixtures/npy');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Record<string, { descr: string; shape: number[]; values: (number | string)[] }>;

function plain(datatype: TritonDatatype, data: NumericTypedArray | Uint8Array[]): (number | string)[] {
  if (datatype === 'BYTES') return (data as Uint8Array[]).map((b) => new TextDecoder().decode(b));
  if (datatype === 'FP16') return [...fp16ArrayToFloat32(data as Uint16Array)];
  return Array.from(data as ArrayLike<number | bigint>).map((v) => (typeof v === 'bigint' ? v.toString() : v));
}

for (const [name, want] of Object.entries(manifest)) {
  test(`reads numpy's ${name}.npy (${want.descr})`, () => {
    const got = readNpy(readFileSync(join(DIR, `${name}.npy`)));
    assert.deepEqual(got.shape, want.shape);
    assert.equal(got.descr, want.descr);
    const values = plain(got.datatype, got.data);
    // Unicode elements come back as UTF-8; the manifest holds them as text (bytes as latin1 text).
    assert.deepEqual(values, want.values.map((v) => (typeof v === 'number' && got.datatype === 'FP16' ? fp16ArrayToFloat32(toFp16Array([v]))[0] : v)));
  });
}

test('written files read back the same for every numeric datatype', () => {
  const cases: [TritonDatatype, NumericTypedArray][] = [
    ['BOOL', Uint8Array.from([1, 0, 1, 1, 0, 0])], ['UINT8', Uint8Array.from([0, 1, 2, 253, 254, 255])],
    ['INT8', Int8Array.from([-128, -1, 0, 1, 2, 127])], ['UINT16', Uint16Array.from([0, 1, 2, 3, 4, 65535])],
    ['INT16', Int16Array.from([-32768, 0, 1, 2, 3, 32767])], ['UINT32', Uint32Array.from([0, 1, 2, 3, 4, 4294967295])],
    ['INT32', Int32Array.from([-5, 0, 1, 2, 3, 2147483647])], ['INT64', BigInt64Array.from([-5n, 0n, 1n, 2n, 3n, 2n ** 62n])],
    ['UINT64', BigUint64Array.from([0n, 1n, 2n, 3n, 4n, 2n ** 63n])], ['FP16', toFp16Array([0.5, -1, 2, 3, 4, 65504])],
    ['FP32', Float32Array.from([0.1, -1, 2, 3, 4, 1e30])], ['FP64', Float64Array.from([0.1, -1, 2, 3, 4, 1e300])],
  ];
  for (const [datatype, data] of cases) {
    const back = readNpy(writeNpy(datatype, [2, 3], data));
    assert.equal(back.datatype, datatype);
    assert.deepEqual(back.shape, [2, 3]);
    assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>), datatype);
  }
});

test('the header is padded to 64 bytes, as numpy writes it', () => {
  const bytes = writeNpy('FP32', [3, 224, 224], new Float32Array(3 * 224 * 224));
  const headerEnd = 10 + (bytes[8]! | (bytes[9]! << 8));
  assert.equal(headerEnd % 64, 0);
  assert.equal(bytes[headerEnd - 1], 0x0a);
  assert.match(new TextDecoder().decode(bytes.subarray(10, headerEnd)), /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 224, 224\), \} *\n$/);
  assert.equal(bytes.length, headerEnd + 3 * 224 * 224 * 4);
});

test('BF16 is written as float32 and BYTES as fixed-width byte strings', () => {
  const bf = readNpy(writeNpy('BF16', [2], toBf16Array([1.5, -2])));
  assert.equal(bf.descr, '<f4');
  assert.deepEqual([...(bf.data as Float32Array)], [1.5, -2]);
  const s = readNpy(writeNpy('BYTES', [3], ['ab', '', 'xyz']));
  assert.equal(s.descr, '|S3');
  assert.deepEqual(plain('BYTES', s.data), ['ab', '', 'xyz']);
});

test('broken files are refused with what is wrong', () => {
  assert.throws(() => readNpy(new TextEncoder().encode('hello world')), (e: unknown) => e instanceof NpyError && /not a \.npy file/.test(e.message));
  const good = writeNpy('FP32', [4], Float32Array.from([1, 2, 3, 4]));
  assert.throws(() => readNpy(good.subarray(0, good.length - 1)), /truncated \.npy data: shape \[4\] of <f4 needs 16 bytes, 15 present/);
  assert.throws(() => readNpy(good.subarray(0, 40)), /truncated \.npy header/);
  const complex = Uint8Array.from(good);
  const at = Buffer.from(complex).indexOf("'<f4'");
  complex.set(new TextEncoder().encode("'<c8'"), at);
  assert.throws(() => readNpy(complex), /unsupported numpy dtype "<c8"/);
  assert.throws(() => writeNpy('FP32', [5], new Float32Array(4)), /4 values do not fill shape \[5\]/);
});
