import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../../../../src/inference/npy';
import { MAX_JSON_ELEMENTS, outputToJson, outputToNpy } from '../../../../src/inference/outputs/save';
import type { OutputTensor } from '../../../../src/triton/types';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function headerOf(file: Uint8Array): { version: number; text: string; dataStart: number } {
  const version = file[6]!;
  const length = version === 1 ? file[8]! | (file[9]! << 8) : file[8]! | (file[9]! << 8) | (file[10]! << 16) | (file[11]! << 24);
  const start = version === 1 ? 10 : 12;
  return { version, text: Buffer.from(file.subarray(start, start + length)).toString('latin1'), dataStart: start + length };
}

test('.npy header: magic, version 1.0, dict text, data aligned on 64 bytes', () => {
  const file = outputToNpy({ name: 'o', datatype: 'INT32', shape: [2, 3], data: Int32Array.from([1, -2, 3, 4, 5, 2147483647]) });
  assert.deepEqual([...file.subarray(0, 6)], [0x93, ...Buffer.from('NUMPY')]);
  const h = headerOf(file);
  assert.equal(h.version, 1);
  assert.equal(h.dataStart % 64, 0);
  assert.match(h.text, /^\{'descr': '<i4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
  const data = new DataView(file.buffer, file.byteOffset + h.dataStart);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => data.getInt32(i * 4, true)), [1, -2, 3, 4, 5, 2147483647]);
  assert.equal(file.length, h.dataStart + 24);
  assert.match(headerOf(writeNpy('FP32', [7], new Float32Array(7))).text, /'shape': \(7,\)/);
  assert.match(headerOf(writeNpy('FP32', [], new Float32Array(1))).text, /'shape': \(\)/);
});

test('.npy read back: datatype, shape and values survive, BOOL from booleans and INT64 from plain bigints too', () => {
  const half = readNpy(outputToNpy({ name: 'o', datatype: 'FP16', shape: [3], data: Uint16Array.from([0x3c00, 0xc000, 0x7c00]) }));
  assert.deepEqual([half.descr, half.datatype, half.shape, [...(half.data as Uint16Array)]], ['<f2', 'FP16', [3], [0x3c00, 0xc000, 0x7c00]]);
  const bool = readNpy(outputToNpy({ name: 'b', datatype: 'BOOL', shape: [3], data: [true, false, true] }));
  assert.deepEqual([bool.descr, [...(bool.data as Uint8Array)]], ['|b1', [1, 0, 1]]);
  const big = readNpy(outputToNpy({ name: 'i', datatype: 'INT64', shape: [2], data: [-(2n ** 63n), 2n ** 62n + 1n] }));
  assert.deepEqual([...(big.data as BigInt64Array)], [-(2n ** 63n), 2n ** 62n + 1n]);
});

test('BF16 is saved as float32 with the same value; BYTES as fixed-width |S', () => {
  const bf = readNpy(outputToNpy({ name: 'b', datatype: 'BF16', shape: [2], data: Uint16Array.from([0x4049, 0xbf80]) }));
  assert.equal(bf.descr, '<f4');
  assert.deepEqual([...(bf.data as Float32Array)], [3.140625, -1]);
  const s = outputToNpy({ name: 's', datatype: 'BYTES', shape: [2], data: [Buffer.from('abc'), Buffer.from('z')] });
  const read = readNpy(s);
  assert.equal(read.descr, '|S3');
  assert.deepEqual([...s.subarray(s.length - 6)], [...Buffer.from('abcz\0\0')]);
  assert.deepEqual((read.data as Uint8Array[]).map((e) => Buffer.from(e).toString()), ['abc', 'z']);
});

test('numpy reads the saved files with the same values', { skip: hasNumpy ? false : 'python3-numpy is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'npy-'));
  try {
    const cases: [OutputTensor, string][] = [
      [{ name: 'a', datatype: 'FP32', shape: [2, 2], data: Float32Array.from([1.5, -2, NaN, 1e30]) }, "float32 (2, 2) [1.5, -2.0, nan, 1.0000000150474662e+30]"],
      [{ name: 'b', datatype: 'INT64', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 62n + 1n]) }, 'int64 (2,) [-9223372036854775808, 4611686018427387905]'],
      [{ name: 'c', datatype: 'BOOL', shape: [3], data: [true, false, true] }, 'bool (3,) [True, False, True]'],
      [{ name: 'd', datatype: 'FP16', shape: [1, 2], data: Uint16Array.from([0x3555, 0xfbff]) }, 'float16 (1, 2) [0.333251953125, -65504.0]'],
      [{ name: 'e', datatype: 'UINT16', shape: [1], data: Uint16Array.from([65535]) }, 'uint16 (1,) [65535]'],
      [{ name: 'f', datatype: 'BYTES', shape: [2], data: [Buffer.from('hi'), Buffer.from([0xff, 1])] }, "|S2 (2,) [b'hi', b'\\xff\\x01']"],
    ];
    for (const [tensor, expected] of cases) {
      const path = join(dir, `${tensor.name}.npy`);
      writeFileSync(path, outputToNpy(tensor));
      const r = spawnSync('python3', ['-c', `import numpy as np, sys\na = np.load(sys.argv[1])\nprint(a.dtype.str if a.dtype.kind == 'S' else a.dtype, a.shape, a.flatten().tolist())`, path], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), expected, tensor.datatype);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('.json: exact digits, NaN and Infinity spelled as strings, BYTES as text or b64', () => {
  const j = JSON.parse(outputToJson({ name: 'x', datatype: 'FP32', shape: [4], data: Float32Array.from([0.5, NaN, -Infinity, 3]) })) as unknown;
  assert.deepEqual(j, { name: 'x', datatype: 'FP32', shape: [4], data: [0.5, 'NaN', '-Infinity', 3] });
  const big = outputToJson({ name: 'i', datatype: 'UINT64', shape: [1], data: BigUint64Array.from([2n ** 64n - 1n]) });
  assert.match(big, /"data":\[18446744073709551615\]/);
  const bytes = JSON.parse(outputToJson({ name: 's', datatype: 'BYTES', shape: [2], data: [Buffer.from('ok'), Buffer.from([0xff])] })) as { data: unknown[] };
  assert.deepEqual(bytes.data, ['ok', { b64: Buffer.from([0xff]).toString('base64') }]);
  const bool = JSON.parse(outputToJson({ name: 'b', datatype: 'BOOL', shape: [2], data: [false, true] })) as { data: unknown[] };
  assert.deepEqual(bool.data, [false, true]);
});

test('saving refuses clearly: no values (shared memory), or too many elements for JSON', () => {
  assert.throws(() => outputToNpy({ name: 'o', datatype: 'FP32', shape: [4], sharedMemory: { region: 'out_r', byteSize: 16 } }), /output 'o'.*'out_r'/);
  const huge = new Uint8Array(MAX_JSON_ELEMENTS + 1);
  assert.throws(() => outputToJson({ name: 'h', datatype: 'UINT8', shape: [huge.length], data: huge }), /save it as \.npy/);
});
