import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToStrings, decodeBytesElements, decodeBytesPrefix, encodeBytesElements } from '../../../src/triton/bytesCodec';
import { DATATYPES, datatypeFromConfigType, datatypeInfo } from '../../../src/triton/datatypes';
import { TritonError } from '../../../src/triton/errors';
import { decodeTensor, elementCount, encodeTensor, tensorFromJson } from '../../../src/triton/tensor';
import type { TensorData, TritonDatatype } from '../../../src/triton/types';

function isTritonError(kind: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof TritonError && error.kind === kind;
}

test('BYTES elements are 4-byte little-endian lengths followed by raw bytes', () => {
  const encoded = encodeBytesElements(['ab', '', new Uint8Array([0xff, 0x00]), 'é']);
  assert.deepEqual([...encoded], [
    2, 0, 0, 0, 0x61, 0x62,
    0, 0, 0, 0,
    2, 0, 0, 0, 0xff, 0x00,
    2, 0, 0, 0, 0xc3, 0xa9,
  ]);
  const decoded = decodeBytesElements(encoded, 4);
  assert.deepEqual(decoded.map((e) => [...e]), [[0x61, 0x62], [], [0xff, 0x00], [0xc3, 0xa9]]);
  assert.deepEqual(bytesToStrings(decoded), ['ab', '', '\ufffd\u0000', 'é']);
});

test('BYTES decoding rejects a length running past the end, a cut prefix and a wrong count', () => {
  const lying = Buffer.from([5, 0, 0, 0, 0x61, 0x62]);
  assert.throws(() => decodeBytesElements(lying), (e: unknown) => isTritonError('protocol')(e) && /claims 5 byte/.test((e as Error).message));
  const cut = Buffer.from([1, 0, 0, 0, 0x61, 2, 0]);
  assert.throws(() => decodeBytesElements(cut), (e: unknown) => isTritonError('protocol')(e) && /prefix cut off/.test((e as Error).message));
  const two = encodeBytesElements(['a', 'b']);
  assert.throws(() => decodeBytesElements(two, 1), isTritonError('protocol'));
  assert.throws(() => decodeBytesElements(two, 3), isTritonError('protocol'));
  // A huge claimed length must not allocate anything: it is refused from the 4 prefix bytes alone.
  assert.throws(() => decodeBytesElements(Buffer.from([0xff, 0xff, 0xff, 0xff])), isTritonError('protocol'));
});

test('BYTES prefix decoding stops after the requested count', () => {
  const data = Buffer.concat([encodeBytesElements(['xy', 'z']), Buffer.from([9, 9, 9])]);
  const { elements, byteLength } = decodeBytesPrefix(data, 2);
  assert.deepEqual(bytesToStrings(elements), ['xy', 'z']);
  assert.equal(byteLength, 11);
  assert.throws(() => decodeBytesPrefix(data, 3), isTritonError('protocol'));
});

// Expected bytes written out from the little-endian layout rule, independent of the encoder.
const LE_SAMPLES: Record<Exclude<TritonDatatype, 'BYTES'>, { data: TensorData; bytes: number[] }> = {
  BOOL: { data: [true, false, true], bytes: [1, 0, 1] },
  UINT8: { data: [0, 255, 7], bytes: [0, 255, 7] },
  INT8: { data: [-1, 127, -128], bytes: [0xff, 0x7f, 0x80] },
  UINT16: { data: [1, 0xabcd, 0], bytes: [1, 0, 0xcd, 0xab, 0, 0] },
  INT16: { data: [-2, 300, 0], bytes: [0xfe, 0xff, 0x2c, 0x01, 0, 0] },
  UINT32: { data: [1, 0xdeadbeef, 0], bytes: [1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde, 0, 0, 0, 0] },
  INT32: { data: [-1, 16, 0], bytes: [0xff, 0xff, 0xff, 0xff, 16, 0, 0, 0, 0, 0, 0, 0] },
  INT64: { data: [-1n, 2n ** 62n, 0n], bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0] },
  UINT64: { data: [2n ** 64n - 1n, 1n, 0n], bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
  FP16: { data: [1, -2, 0.5], bytes: [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38] },
  BF16: { data: [1, -2, 0.5], bytes: [0x80, 0x3f, 0x00, 0xc0, 0x00, 0x3f] },
  FP32: { data: [1, -2, 0.5], bytes: [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f] },
  FP64: { data: [1, -2, 0.5], bytes: [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f] },
};

test('every fixed-size datatype encodes to the documented little-endian bytes and decodes back', () => {
  for (const [datatype, sample] of Object.entries(LE_SAMPLES) as [Exclude<TritonDatatype, 'BYTES'>, { data: TensorData; bytes: number[] }][]) {
    const encoded = encodeTensor(datatype, sample.data, [3]);
    assert.deepEqual([...encoded], sample.bytes, datatype);
    const decoded = decodeTensor(datatype, Buffer.from(sample.bytes), [3]);
    if (datatype === 'FP16' || datatype === 'BF16') {
      // Decoded half floats stay raw bits; re-encoding them must give the same bytes.
      assert.ok(decoded instanceof Uint16Array, datatype);
      assert.deepEqual([...encodeTensor(datatype, decoded, [3])], sample.bytes, datatype);
    } else if (datatype === 'BOOL') {
      assert.deepEqual(decoded, sample.data);
    } else {
      assert.deepEqual(Array.from(decoded as ArrayLike<unknown>), sample.data, datatype);
      assert.ok(decoded instanceof datatypeInfo(datatype).array!, `${datatype} decodes to its typed array`);
    }
  }
});

test('the datatype table covers all 14 wire types and maps config enums', () => {
  assert.equal(DATATYPES.length, 14);
  assert.equal(datatypeFromConfigType('TYPE_STRING'), 'BYTES');
  assert.equal(datatypeFromConfigType('TYPE_BF16'), 'BF16');
  assert.equal(datatypeFromConfigType('TYPE_NOPE'), undefined);
});

test('matching typed arrays are sent without copying; aligned answers decode without copying', () => {
  const values = new Int32Array([1, 2, 3, 4]);
  const bytes = encodeTensor('INT32', values, [2, 2]);
  assert.equal(bytes.buffer, values.buffer);
  const answer = Buffer.alloc(32);
  const aligned = decodeTensor('INT32', answer.subarray(8, 24), [4]) as Int32Array;
  assert.equal(aligned.buffer, answer.buffer);
  // Misaligned views are copied so the typed array can exist at all.
  const misaligned = decodeTensor('INT32', Buffer.from(new Uint8Array(17)).subarray(1), [4]) as Int32Array;
  assert.equal(misaligned.length, 4);
});

test('element counts are checked against the shape before sending', () => {
  assert.throws(() => encodeTensor('FP32', new Float32Array(5), [2, 3]), (e: unknown) => isTritonError('invalid-argument')(e) && /5 element\(s\) but shape \[2,3\] needs 6/.test((e as Error).message));
  assert.throws(() => encodeTensor('BYTES', ['a'], [2]), isTritonError('invalid-argument'));
  assert.throws(() => elementCount([2, -1]), isTritonError('invalid-argument'));
  assert.throws(() => elementCount([1.5]), isTritonError('invalid-argument'));
  assert.equal(elementCount([]), 1);
  assert.equal(elementCount([3, 0, 2]), 0);
});

test('values that do not fit the datatype are refused with the element named', () => {
  assert.throws(() => encodeTensor('UINT8', [256], [1]), (e: unknown) => isTritonError('invalid-argument')(e) && /element 0 \(256\)/.test((e as Error).message));
  assert.throws(() => encodeTensor('INT32', [1.5], [1]), isTritonError('invalid-argument'));
  assert.throws(() => encodeTensor('INT64', [2n ** 63n], [1]), isTritonError('invalid-argument'));
  assert.throws(() => encodeTensor('UINT64', [-1], [1]), isTritonError('invalid-argument'));
  assert.throws(() => encodeTensor('BOOL', [2 as unknown as boolean], [1]), isTritonError('invalid-argument'));
  assert.throws(() => encodeTensor('BOOL', new Uint8Array([0, 2]), [2]), isTritonError('invalid-argument'));
  assert.throws(() => encodeTensor('FP32', ['x'] as unknown as number[], [1]), isTritonError('invalid-argument'));
  assert.throws(() => encodeTensor('BYTES', [5] as unknown as string[], [1]), isTritonError('invalid-argument'));
});

test('numbers and other typed arrays are converted to the datatype', () => {
  assert.deepEqual([...encodeTensor('INT16', new Float64Array([-2, 3]), [2])], [0xfe, 0xff, 3, 0]);
  assert.deepEqual([...encodeTensor('INT64', [5], [1])], [5, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeTensor('FP32', [0.1], [1])], [...new Uint8Array(Float32Array.of(0.1).buffer)]);
});

test('decoding checks the byte count against the shape', () => {
  assert.throws(() => decodeTensor('FP32', Buffer.alloc(12), [4]), (e: unknown) => isTritonError('protocol')(e) && /needs 16 bytes but 12 arrived/.test((e as Error).message));
  assert.throws(() => decodeTensor('BYTES', encodeBytesElements(['a']), [2]), isTritonError('protocol'));
  assert.deepEqual(decodeTensor('FP32', Buffer.alloc(0), [0, 4]), new Float32Array(0));
});

test('JSON output data is validated and typed', () => {
  assert.deepEqual(tensorFromJson('INT64', [1, 9007199254740993n], [2]), BigInt64Array.of(1n, 9007199254740993n));
  assert.deepEqual(tensorFromJson('FP32', [[1, 2], [3, NaN]], [2, 2]), Float32Array.of(1, 2, 3, NaN));
  assert.deepEqual(tensorFromJson('BOOL', [true, false], [2]), [true, false]);
  assert.deepEqual(bytesToStrings(tensorFromJson('BYTES', ['hé'], [1]) as Uint8Array[]), ['hé']);
  assert.throws(() => tensorFromJson('INT32', [1, 2, 3], [2]), isTritonError('protocol'));
  assert.throws(() => tensorFromJson('INT32', ['1'], [1]), isTritonError('protocol'));
  assert.throws(() => tensorFromJson('BYTES', [1], [1]), isTritonError('protocol'));
  assert.throws(() => tensorFromJson('INT32', { 0: 1 }, [1]), isTritonError('protocol'));
});

test('output helpers find outputs by name and widen values to numbers or text', async () => {
  const { getOutput, outputNumbers, outputStrings } = await import('../../../src/triton/outputs');
  const result = {
    modelName: 'm', modelVersion: '1', outputs: [
      { name: 'H', datatype: 'FP16' as const, shape: [2], data: Uint16Array.of(0x3c00, 0xc000) },
      { name: 'L', datatype: 'INT64' as const, shape: [1], data: BigInt64Array.of(-5n) },
      { name: 'B', datatype: 'BOOL' as const, shape: [2], data: [true, false] },
      { name: 'S', datatype: 'BYTES' as const, shape: [1], data: [Buffer.from('hé')] },
      { name: 'M', datatype: 'FP32' as const, shape: [4], sharedMemory: { region: 'out', byteSize: 16 } },
    ],
  };
  assert.deepEqual(Array.from(outputNumbers(getOutput(result, 'H')!)), [1, -2]);
  assert.deepEqual(Array.from(outputNumbers(getOutput(result, 'L')!)), [-5]);
  assert.deepEqual(Array.from(outputNumbers(getOutput(result, 'B')!)), [1, 0]);
  assert.deepEqual(outputStrings(getOutput(result, 'S')!), ['hé']);
  assert.equal(getOutput(result, 'nope'), undefined);
  assert.throws(() => outputNumbers(getOutput(result, 'S')!), isTritonError('invalid-argument'));
  assert.throws(() => outputStrings(getOutput(result, 'H')!), isTritonError('invalid-argument'));
  assert.throws(() => outputNumbers(getOutput(result, 'M')!), (e: unknown) => isTritonError('invalid-argument')(e) && /shared-memory region 'out'/.test((e as Error).message));
});
