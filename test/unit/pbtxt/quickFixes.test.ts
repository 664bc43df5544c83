import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QuickFix, TextEdit } from '../../../src/pbtxt/ast';
import { isModelConfigFile } from '../../../src/pbtxt/documentKind';
import { parse } from '../../../src/pbtxt/parser';
import { quickFixesFor } from '../../../src/pbtxt/quickFixes';
import { isGenericLoadError, serverDiagnostic } from '../../../src/pbtxt/serverReport';
import { validate, validateDocument } from '../../../src/pbtxt/validate';
import { nodeConfigFs } from '../../../src/pbtxt/configFs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { onnxModelBytes } from './onnxBytes';
import { join } from 'node:path';

function apply(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.range.start.offset - a.range.start.offset)) {
    out = out.slice(0, e.range.start.offset) + e.newText + out.slice(e.range.end.offset);
  }
  return out;
}

function fixes(text: string, code: string): QuickFix[] {
  const doc = parse(text);
  const d = validateDocument(doc).find((x) => x.code === code);
  assert.ok(d, `expected a ${code} diagnostic`);
  return quickFixesFor(doc, d);
}

/** Applies the fix titled `title` and checks the diagnostic is gone. */
function applyFix(text: string, code: string, title: string): string {
  const fix = fixes(text, code).find((f) => f.title === title);
  assert.ok(fix, `no fix "${title}"`);
  const out = apply(text, fix.edits);
  assert.ok(!validateDocument(parse(out)).some((x) => x.code === code), `${code} still reported after the fix:\n${out}`);
  return out;
}

test('a missing data_type is added on its own line, indented like its siblings', () => {
  const text = 'backend: "python"\ninput [\n  {\n    name: "A"\n    dims: [ 1 ]\n  }\n]\noutput [ { name: "B" data_type: TYPE_FP32 dims: [ 1 ] } ]\n';
  const out = applyFix(text, 'missing-data-type', 'Add data_type: TYPE_FP32');
  assert.equal(out, 'backend: "python"\ninput [\n  {\n    name: "A"\n    dims: [ 1 ]\n    data_type: TYPE_FP32\n  }\n]\noutput [ { name: "B" data_type: TYPE_FP32 dims: [ 1 ] } ]\n');
});

test('missing dims in a one-line block are inserted before the closing brace', () => {
  const text = 'backend: "python"\ninput { name: "A" data_type: TYPE_FP32 }\noutput { name: "B" data_type: TYPE_FP32 dims: [ 1 ] }\n';
  const out = applyFix(text, 'missing-dims', 'Add dims: [ -1 ]');
  assert.equal(out.split('\n')[1], 'input { name: "A" data_type: TYPE_FP32 dims: [ -1 ] }');
});

test("the validator's own fixes come first: typo in a field name and in an enum value", () => {
  const typo = applyFix('backend: "python"\nmax_bach_size: 3\n', 'unknown-field', 'Change to "max_batch_size"');
  assert.match(typo, /^max_batch_size: 3$/m);
  const kind = fixes('backend: "python"\ninstance_group [ { kind: KIND_GPUU } ]\n', 'unknown-enum-value');
  assert.equal(kind[0].title, 'Change to KIND_GPU');
});

test('an invalid dimension can become -1 or 1', () => {
  const text = 'backend: "python"\ninput { name: "A" data_type: TYPE_FP32 dims: [ 3, 0 ] }\n';
  assert.deepEqual(fixes(text, 'bad-dim').map((f) => f.title), ['Change to -1 (variable size)', 'Change to 1']);
  assert.match(applyFix(text, 'bad-dim', 'Change to -1 (variable size)'), /dims: \[ 3, -1 \]/);
  assert.match(applyFix('backend: "python"\noutput { name: "B" data_type: TYPE_FP32 dims: [ -5 ] }\n', 'bad-dim', 'Change to 1'), /dims: \[ 1 \]/);
});

test('a model whose backend cannot be told gets a backend line after its name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pbtxt-fix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'mystery', '1'), { recursive: true });
  const filePath = join(dir, 'mystery', 'config.pbtxt');
  const text = 'name: "mystery"\nmax_batch_size: 0\n';
  writeFileSync(filePath, text);
  const doc = parse(text);
  const d = (await validate(text, { filePath, fs: nodeConfigFs, document: doc })).find((x) => x.code === 'no-backend');
  assert.ok(d, 'no-backend reported');
  const list = quickFixesFor(doc, d);
  assert.deepEqual(list.map((f) => f.title), ['Add backend: "onnxruntime"', 'Add backend: "python"', 'Add backend: "tensorrt"', 'Add backend: "pytorch"']);
  const fixed = apply(text, list[1].edits);
  assert.equal(fixed, 'name: "mystery"\nbackend: "python"\nmax_batch_size: 0\n');
  writeFileSync(filePath, fixed);
  assert.ok(!(await validate(fixed, { filePath, fs: nodeConfigFs })).some((x) => x.code === 'no-backend'));
});

/** A model folder with a real ONNX file, validated with the repository checks. */
async function onnxModel(t: { after: (fn: () => void) => void }, config: string): Promise<{ filePath: string; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pbtxt-onnx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'densenet', '1'), { recursive: true });
  writeFileSync(join(dir, 'densenet', '1', 'model.onnx'), onnxModelBytes({
    inputs: [{ name: 'data_0', elemType: 1, dims: ['batch', 3, 224, 224] }, { name: 'mask', elemType: 7, dims: ['batch', 4] }],
    outputs: [{ name: 'fc6_1', elemType: 1, dims: ['batch', 1000] }],
  }));
  const filePath = join(dir, 'densenet', 'config.pbtxt');
  writeFileSync(filePath, config);
  return { filePath, text: config };
}

async function repoFix(filePath: string, text: string, code: string, title: RegExp): Promise<string> {
  const doc = parse(text);
  const d = (await validate(text, { filePath, fs: nodeConfigFs, document: doc })).find((x) => x.code === code);
  assert.ok(d, `${code} reported`);
  const fix = quickFixesFor(doc, d).find((f) => title.test(f.title));
  assert.ok(fix, `fix ${title} offered`);
  const out = apply(text, fix.edits);
  writeFileSync(filePath, out);
  return out;
}

test("a config without tensors can take the ONNX file's signature, batch dimension left out", async (t) => {
  const { filePath, text } = await onnxModel(t, 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\n');
  const out = await repoFix(filePath, text, 'autofill-io', /inputs and outputs/);
  assert.equal(out, [
    'platform: "onnxruntime_onnx"', 'max_batch_size: 8',
    'input {', '  name: "data_0"', '  data_type: TYPE_FP32', '  dims: [ 3, 224, 224 ]', '}',
    'input {', '  name: "mask"', '  data_type: TYPE_INT64', '  dims: [ 4 ]', '}',
    'output {', '  name: "fc6_1"', '  data_type: TYPE_FP32', '  dims: [ 1000 ]', '}', '',
  ].join('\n'));
  const after = await validate(out, { filePath, fs: nodeConfigFs });
  assert.deepEqual(after.filter((x) => x.severity === 'error').map((x) => x.message), [], 'the written signature matches the model');
});

test('an input the ONNX file has but the config lacks can be added', async (t) => {
  const config = 'platform: "onnxruntime_onnx"\nmax_batch_size: 8\ninput [ { name: "data_0" data_type: TYPE_FP32 dims: [ 3, 224, 224 ] } ]\noutput [ { name: "fc6_1" data_type: TYPE_FP32 dims: [ 1000 ] } ]\n';
  const { filePath, text } = await onnxModel(t, config);
  const out = await repoFix(filePath, text, 'onnx-missing-input', /Add input "mask"/);
  assert.match(out, /input \{\n {2}name: "mask"\n {2}data_type: TYPE_INT64\n {2}dims: \[ 4 \]\n\}/);
  const after = await validate(out, { filePath, fs: nodeConfigFs });
  assert.ok(!after.some((x) => x.code === 'onnx-missing-input'), after.map((x) => x.message).join(' | '));
});

test('no insertion for an empty dims list that is already written', () => {
  const list = fixes('backend: "python"\ninput { name: "A" data_type: TYPE_FP32 dims: [ ] }\n', 'missing-dims');
  assert.ok(!list.some((f) => f.title.startsWith('Add dims')));
});

test('model configuration files are told apart from other text protos', () => {
  assert.equal(isModelConfigFile('/repo/densenet/config.pbtxt', ''), true);
  assert.equal(isModelConfigFile('/repo/densenet/configs/h100.pbtxt', ''), true);
  assert.equal(isModelConfigFile('/proj/pipeline.pbtxt', ''), false);
  assert.equal(isModelConfigFile('/proj/data.textproto', '# proto-file: model_config.proto\n# proto-message: inference.ModelConfig\n'), true);
  assert.equal(isModelConfigFile('/repo/m/config.pbtxt', '# proto-message: tensorflow.GraphDef\n'), false);
});

test('server load errors land on the field or line they name, else on the name field', () => {
  const text = 'name: "broken_dims"\nbackend: "identity"\ninput [ { name: "INPUT0" data_type: TYPE_INT32 dims: [ 0 ] } ]\n';
  const doc = parse(text);
  const dims = serverDiagnostic(doc, 'local', "Invalid argument: model input 'INPUT0' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for broken_dims");
  assert.equal(dims.range.start.line, 2);
  assert.equal(text.slice(dims.range.start.offset, dims.range.end.offset), 'dims: [ 0 ]');
  assert.match(dims.message, /^local: Invalid argument: model input 'INPUT0'/);
  const syntax = serverDiagnostic(doc, 'local', 'Error parsing text-format inference.ModelConfig: 3:60: Expected identifier, got: ]');
  assert.equal(syntax.range.start.line, 2);
  assert.equal(syntax.range.start.character, 59);
  const vague = serverDiagnostic(doc, 'local', 'something odd happened');
  assert.equal(text.slice(vague.range.start.offset, vague.range.end.offset), 'name: "broken_dims"');
  assert.equal(isGenericLoadError("failed to load 'broken_dims', failed to poll from model repository"), true);
  assert.equal(isGenericLoadError("model input 'INPUT0' dimension must be integer >= 1"), false);
});
