import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNumericText } from '../../../src/inference/inputs/numericText';
import { parseBytesText } from '../../../src/inference/inputs/bytesText';
import { fillValues } from '../../../src/inference/inputs/fills';
import { InputError } from '../../../src/inference/inputs/inputError';
import { buildModelForm, fullShape, initialDraft } from '../../../src/inference/inputs/modelForm';
import { fp16BitsToNumber, bf16BitsToNumber } from '../../../src/triton/fp16';
import { DATATYPES } from '../../../src/triton/datatypes';
import type { ModelMetadata } from '../../../src/triton/types';

function throwsInput(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof InputError && pattern.test(e.message), String(pattern));
}

test('numbers: flat and nested JSON give the same row-major values', () => {
  const flat = parseNumericText('[1, 2, 3, 4, 5, 6]', 'INT32', [2, 3], 'X');
  const nested = parseNumericText('[[1, 2, 3], [4, 5, 6]]', 'INT32', [2, 3], 'X');
  assert.ok(flat instanceof Int32Array);
  assert.deepEqual([...flat], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...nested], [1, 2, 3, 4, 5, 6]);
});

test('numbers: a bare list separated by commas, spaces or lines is flat', () => {
  assert.deepEqual([...parseNumericText('1 2\n3,4', 'FP32', [4], 'X')], [1, 2, 3, 4]);
});

test('numbers: nested arrays must match every dimension, and the error says where', () => {
  throwsInput(() => parseNumericText('[[1, 2, 3], [4, 5]]', 'INT32', [2, 3], 'IN'), /input 'IN': line 1, column 13: element \[1\] has 2 item\(s\) but dimension 1 of shape \[2, 3\] is 3/);
  throwsInput(() => parseNumericText('[1, 2, 3]', 'INT32', [4], 'IN'), /3 value\(s\) given but shape \[4\] needs 4/);
});

test('numbers: each integer datatype rejects values outside its range, naming line and element', () => {
  const cases: [string, string, string][] = [
    ['INT8', '128', '-128..127'], ['UINT8', '-1', '0..255'], ['INT16', '32768', '-32768..32767'],
    ['UINT16', '65536', '0..65535'], ['INT32', '2147483648', '-2147483648..2147483647'], ['UINT32', '4294967296', '0..4294967295'],
    ['INT64', '9223372036854775808', '-9223372036854775808..9223372036854775807'], ['UINT64', '18446744073709551616', '0..18446744073709551615'],
  ];
  for (const [dt, bad, range] of cases) {
    throwsInput(() => parseNumericText(`[0,\n ${bad}]`, dt as never, [2], 'A'), new RegExp(`line 2, column 2, element 1: ${bad} is out of range for ${dt} \\(${range}\\)`));
  }
  throwsInput(() => parseNumericText('[1.5]', 'INT32', [1], 'A'), /'1.5' is not a whole number/);
});

test('numbers: 64-bit integers keep every digit (no trip through doubles)', () => {
  const i64 = parseNumericText('[9223372036854775807, -9223372036854775808, 9007199254740993]', 'INT64', [3], 'A');
  assert.ok(i64 instanceof BigInt64Array);
  assert.deepEqual([...i64], [9223372036854775807n, -9223372036854775808n, 9007199254740993n]);
  const u64 = parseNumericText('[18446744073709551615]', 'UINT64', [1], 'A');
  assert.deepEqual([...u64], [18446744073709551615n]);
});

test('numbers: FP16 and BF16 become raw bits, rounded to nearest even; overflow is refused', () => {
  const h = parseNumericText('[1.5, -2, 65504, 0.1]', 'FP16', [4], 'H');
  assert.ok(h instanceof Uint16Array);
  assert.deepEqual(Array.from(h as Uint16Array, fp16BitsToNumber), [1.5, -2, 65504, 0.0999755859375]);
  throwsInput(() => parseNumericText('[70000]', 'FP16', [1], 'H'), /70000 is out of range for FP16/);
  const b = parseNumericText('[1, 3.140625]', 'BF16', [2], 'B');
  assert.deepEqual(Array.from(b as Uint16Array, bf16BitsToNumber), [1, 3.140625]);
  throwsInput(() => parseNumericText('[1e39]', 'FP32', [1], 'F'), /out of range for FP32/);
  assert.ok(Number.isNaN(parseNumericText('[NaN]', 'FP64', [1], 'F')[0] as number));
});

test('numbers: BOOL takes true/false/0/1 only', () => {
  assert.deepEqual([...parseNumericText('[true, false, 1, 0]', 'BOOL', [4], 'B')], [1, 0, 1, 0]);
  throwsInput(() => parseNumericText('[2]', 'BOOL', [1], 'B'), /'2' is not a BOOL/);
  throwsInput(() => parseNumericText('[true]', 'INT8', [1], 'B'), /boolean, not a INT8 number/);
});

test('numbers: every numeric datatype parses a value of its own', () => {
  for (const dt of DATATYPES) {
    if (dt === 'BYTES') continue;
    const out = parseNumericText('[1, 0]', dt, [2], 'X');
    assert.equal(out.length, 2, dt);
  }
});

test('numbers: broken text is an error with line and column, never a crash', () => {
  throwsInput(() => parseNumericText('[1, 2', 'INT32', [2], 'X'), /never closed/);
  throwsInput(() => parseNumericText('[1, abc]', 'INT32', [2], 'X'), /column 5: 'abc' is not a number/);
  throwsInput(() => parseNumericText('', 'INT32', [2], 'X'), /no values given/);
  throwsInput(() => parseNumericText('['.repeat(100), 'INT32', [2], 'X'), /nested deeper/);
});

test('BYTES: lines and JSON arrays, counted against the shape', () => {
  assert.deepEqual(parseBytesText('a\r\nb\n', 'lines', [2], 'S'), ['a', 'b']);
  assert.deepEqual(parseBytesText('[["1", "2"], ["3", "é"]]', 'json', [2, 2], 'S'), ['1', '2', '3', 'é']);
  throwsInput(() => parseBytesText('a\nb\nc', 'lines', [1, 2], 'S'), /3 line\(s\) given but shape \[1, 2\] needs 2/);
  throwsInput(() => parseBytesText('["a", 3]', 'json', [2], 'S'), /element \[1\] is number, not a string/);
  throwsInput(() => parseBytesText('["a"', 'json', [1], 'S'), /not valid JSON/);
});

test('fills: zeros, ones, seeded random (repeatable), range checked against the datatype', () => {
  assert.deepEqual([...fillValues({ fill: 'ones' }, 'INT64', 2, 'X')], [1n, 1n]);
  const a = fillValues({ fill: 'random', seed: 7 }, 'FP32', 5, 'X');
  const b = fillValues({ fill: 'random', seed: 7 }, 'FP32', 5, 'X');
  const c = fillValues({ fill: 'random', seed: 8 }, 'FP32', 5, 'X');
  assert.deepEqual([...a], [...b]);
  assert.notDeepEqual([...a], [...c]);
  for (const v of a) assert.ok(v >= 0 && v < 1);
  for (const v of fillValues({ fill: 'random', seed: 1 }, 'INT8', 100, 'X')) assert.ok(v >= 0 && v <= 127);
  assert.deepEqual([...fillValues({ fill: 'range', start: 5, step: -2 }, 'INT16', 3, 'X')], [5, 3, 1]);
  throwsInput(() => fillValues({ fill: 'range', start: 250 }, 'UINT8', 10, 'R'), /range element 9 is 259, out of range for UINT8/);
  throwsInput(() => fillValues({ fill: 'zeros' }, 'BYTES', 1, 'R'), /numeric datatype/);
});

const sequenceMeta: ModelMetadata = {
  name: 'seq', versions: ['1'], platform: 'x',
  inputs: [{ name: 'INPUT', datatype: 'INT32', shape: [-1, 1] }, { name: 'START', datatype: 'INT32', shape: [-1, 1] }],
  outputs: [{ name: 'OUTPUT', datatype: 'INT32', shape: [-1, 1] }],
};

test('form: batch dimension, control inputs left out, sequence and decoupled flags', () => {
  const form = buildModelForm(sequenceMeta, {
    max_batch_size: '8',
    sequence_batching: { control_input: [{ name: 'START' }, { name: 'READY' }] },
    model_transaction_policy: { decoupled: true },
  });
  assert.equal(form.maxBatchSize, 8);
  assert.deepEqual(form.inputs.map((i) => [i.name, i.dims]), [['INPUT', [1]]]);
  assert.deepEqual(form.controlInputs, ['START', 'READY']);
  assert.equal(form.sequence, true);
  assert.equal(form.decoupled, true);
  assert.deepEqual(fullShape(form, form.inputs[0]!, 3), [3, 1]);
  const draft = initialDraft(form, 'http');
  assert.equal(draft.protocol, 'grpc');
  assert.deepEqual(draft.mode, { kind: 'stream' });
  assert.deepEqual(draft.sequence, { id: 1, start: true, end: false });
});

test('form: an NCHW / NHWC input with 1 or 3 channels is an image; labelled outputs get top-k', () => {
  const meta: ModelMetadata = {
    name: 'cls', versions: ['1'], platform: 'x',
    inputs: [{ name: 'data_0', datatype: 'FP32', shape: [3, 224, 224] }, { name: 'hwc', datatype: 'UINT8', shape: [64, 32, 1] }, { name: 'v', datatype: 'FP32', shape: [3, 4, 5] }],
    outputs: [{ name: 'fc', datatype: 'FP32', shape: [1000] }],
  };
  const form = buildModelForm(meta, {
    max_batch_size: 0,
    input: [{ name: 'data_0', format: 'FORMAT_NCHW' }, { name: 'hwc', format: 'FORMAT_NHWC' }, { name: 'v' }],
    output: [{ name: 'fc', label_filename: 'labels.txt' }],
  });
  assert.deepEqual(form.inputs[0]!.image, { channels: 3, height: 224, width: 224, format: 'NCHW' });
  assert.deepEqual(form.inputs[1]!.image, { channels: 1, height: 64, width: 32, format: 'NHWC' });
  assert.equal(form.inputs[2]!.image, undefined);
  assert.equal(form.outputs[0]!.labelled, true);
  assert.deepEqual(initialDraft(form, 'http').outputs, [{ name: 'fc', classCount: 5 }]);
});

test('resolve: a draft becomes client inputs, outputs and options; wrong drafts name the input', async () => {
  const { resolveDraft } = await import('../../../src/inference/inputs/resolveDraft');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'resolve-'));
  writeFileSync(join(dir, 'a.bin'), Buffer.from([0xff, 0x00]));
  writeFileSync(join(dir, 'b.txt'), 'hello');
  const readers = {
    baseDir: dir,
    readFile: async (p: string) => new Uint8Array(await readFile(p)),
    readNpy: async () => { throw new Error('not used'); },
    loadImages: async () => { throw new Error('not used'); },
  };
  const form = buildModelForm(
    { name: 'm', versions: ['1'], platform: 'x', inputs: [{ name: 'N', datatype: 'INT32', shape: [-1, 2] }, { name: 'S', datatype: 'BYTES', shape: [-1, 2] }], outputs: [{ name: 'O', datatype: 'INT32', shape: [-1, 2] }] },
    { max_batch_size: 4, sequence_batching: { control_input: [{ name: 'START' }] } },
  );
  const draft = initialDraft(form, 'http');
  draft.inputs[0]!.source = { kind: 'json', text: '[[1, 2]]' };
  draft.inputs[1]!.source = { kind: 'files', paths: ['a.bin', join(dir, 'b.txt')] };
  draft.outputs = [{ name: 'O', classCount: 1 }];
  draft.priority = 2;
  draft.requestId = 'r1';
  draft.sequence = { id: 'abc', start: true, end: true };
  const resolved = await resolveDraft(draft, form, readers);
  assert.deepEqual([...(resolved.inputs[0]!.data as Int32Array)], [1, 2]);
  assert.deepEqual((resolved.inputs[1]!.data as Uint8Array[]).map((b) => [...b]), [[0xff, 0], [...Buffer.from('hello')]]);
  assert.deepEqual(resolved.outputs, [{ name: 'O', classCount: 1, binary: true }]);
  assert.deepEqual(resolved.options, { binaryData: true, requestId: 'r1', sequenceId: 'abc', sequenceStart: true, sequenceEnd: true, priority: 2 });

  const bad = structuredClone(draft);
  bad.inputs[0]!.shape = [5, 2];
  await assert.rejects(resolveDraft(bad, form, readers), /input 'N': batch size 5 is outside 1..4/);
  bad.inputs[0]!.shape = [1, 3];
  await assert.rejects(resolveDraft(bad, form, readers), /input 'N': dimension 1 is 3 but the model fixes it at 2/);
  const control = structuredClone(draft);
  control.inputs.push({ name: 'START', datatype: 'INT32', shape: [1, 1], source: { kind: 'fill', fill: 'zeros' } });
  await assert.rejects(resolveDraft(control, form, readers), /input 'START': is a sequence control input/);
  const missing = structuredClone(draft);
  missing.inputs.pop();
  await assert.rejects(resolveDraft(missing, form, readers), /input 'S': no value given/);
  const gone = structuredClone(draft);
  gone.inputs[1]!.source = { kind: 'files', paths: ['nope.bin', 'b.txt'] };
  await assert.rejects(resolveDraft(gone, form, readers), /input 'S': cannot read .*nope\.bin: ENOENT/);
  const wrongKind = structuredClone(draft);
  wrongKind.inputs[0]!.source = { kind: 'bytes', format: 'lines', text: '1\n2' };
  await assert.rejects(resolveDraft(wrongKind, form, readers), /input 'N': text elements are for BYTES inputs/);
});
