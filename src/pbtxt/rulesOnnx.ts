// Compares a config's inputs and outputs with the graph signature of its ONNX model file.
import { basename, join } from 'node:path';
import type { Range, TextEdit } from './ast';
import type { OnnxSignature, OnnxTensor } from './onnxModel';
import { readOnnxSignature } from './onnxModel';
import { readOnnxSignatureFrom } from './onnxStream';
import type { RuleContext } from './ruleContext';
import { formatDims, openRange, report, startRange } from './ruleContext';
import type { ModelLocation } from './rulesRepository';
import { modelFileName } from './rulesRepository';
import type { MessageView } from './view';
import { dimsOf } from './view';

export async function checkOnnx(ctx: RuleContext, loc: ModelLocation, served: readonly number[], detectedBackend: string | undefined): Promise<OnnxSignature | undefined> {
  const onnx = (ctx.backend === 'onnxruntime' && (ctx.platform === '' || ctx.platform === 'onnxruntime_onnx'))
    || (ctx.platform === 'onnxruntime_onnx' && ctx.backend === '') || detectedBackend === 'onnxruntime';
  if (!onnx || served.length === 0) return undefined;
  const version = served[served.length - 1];
  let file = join(String(version), modelFileName(ctx) ?? 'model.onnx');
  let sig: OnnxSignature | undefined;
  try {
    sig = await signatureOf(loc, file);
    if (sig === undefined) {
      // A model with external weights may be a folder named model.onnx holding model.onnx and the weights.
      file = join(file, basename(file));
      sig = await signatureOf(loc, file);
    }
    if (sig === undefined) return undefined;
  } catch (e) {
    report(ctx, ctx.cfg.scalar('default_model_filename')?.range ?? ctx.cfg.scalar('platform')?.range ?? ctx.cfg.scalar('backend')?.range ?? startRange(ctx), 'warning', 'onnx-unreadable',
      `${file} is ${e instanceof Error ? e.message : String(e)}; its inputs and outputs were not compared with this config.`);
    return undefined;
  }
  const batching = ctx.maxBatchSize > 0;
  if (ctx.cfg.messages('input').length === 0 && ctx.cfg.messages('output').length === 0) {
    const all = [...sig.inputs, ...sig.outputs];
    const willBatch = !batching && all.length > 0 && all.every((t) => t.dims !== undefined && t.dims[0] === -1);
    const describe = (t: OnnxTensor): string => `${t.name} ${t.dataType ?? '?'} ${formatDims(configDims(t, batching || willBatch))}`;
    const batchNote = willBatch && !ctx.cfg.has('max_batch_size')
      ? '; every tensor has a dynamic first dimension, so it also sets max_batch_size to its default-max-batch-size (4 unless --backend-config changes it) and turns on dynamic batching'
      : '';
    report(ctx, startRange(ctx), 'info', 'autofill-io',
      `The ONNX Runtime backend fills in inputs (${sig.inputs.map(describe).join('; ')}) and outputs (${sig.outputs.map(describe).join('; ')}) from ${file}${batchNote}.`,
      { data: { inputs: sig.inputs, outputs: sig.outputs } });
    return sig;
  }
  if (batching) {
    const fixed = [...sig.inputs, ...sig.outputs].find((t) => t.dims !== undefined && (t.dims.length === 0 || t.dims[0] !== -1));
    if (fixed !== undefined) {
      report(ctx, ctx.cfg.scalar('max_batch_size')?.range ?? startRange(ctx), 'error', 'onnx-batch',
        `max_batch_size is ${ctx.maxBatchSize} but tensor "${fixed.name}" in ${file} has shape ${formatDims(fixed.dims ?? [])}: batching needs a variable (-1) first dimension. Set max_batch_size: 0 or export the model with a dynamic batch axis.`,
        { data: { tensor: fixed.name, modelDims: fixed.dims } });
      return sig;
    }
  }
  compare(ctx, 'input', sig.inputs, file, batching, sig.optionalInputs ?? []);
  compare(ctx, 'output', sig.outputs, file, batching, []);
  return sig;
}

/** Reads in pieces when the file system allows it (any model size), else the whole file; undefined when absent. */
export async function signatureOf(loc: ModelLocation, rel: string): Promise<OnnxSignature | undefined> {
  const path = join(loc.modelDir, rel);
  if (loc.fs.open !== undefined) {
    const file = await loc.fs.open(path);
    if (file === undefined) return undefined;
    try {
      return await readOnnxSignatureFrom(file);
    } finally {
      await file.close();
    }
  }
  const bytes = await loc.fs.readFile(path);
  return bytes === undefined ? undefined : readOnnxSignature(bytes);
}

/** Model dims as the config should state them (batch dimension dropped when batching). */
function configDims(t: OnnxTensor, batching: boolean): number[] {
  const dims = t.dims ?? [];
  return batching ? dims.slice(1) : dims;
}

/**
 * Model inputs the config feeds without listing them as inputs: sequence control tensors, implicit
 * state and batch inputs are filled in by Triton itself.
 */
function providedInputs(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  const sb = ctx.cfg.message('sequence_batching');
  for (const { node } of sb?.messages('control_input') ?? []) out.add(node.str('name') ?? '');
  for (const { node } of sb?.messages('state') ?? []) out.add(node.str('input_name') ?? '');
  for (const { node } of ctx.cfg.messages('batch_input')) for (const t of node.scalars('target_name')) out.add(String(t.node.value));
  out.delete('');
  return out;
}

function compare(ctx: RuleContext, kind: 'input' | 'output', required: OnnxTensor[], file: string, batching: boolean, optional: OnnxTensor[]): void {
  const tensors = [...required, ...optional];
  const byName = new Map(tensors.map((t) => [t.name, t] as const));
  const configured = ctx.cfg.messages(kind).map((e) => e.node);
  const names = new Set(configured.map((c) => c.str('name') ?? ''));
  const provided = kind === 'input' ? providedInputs(ctx) : new Set<string>();
  const unmatched = required.filter((t) => !names.has(t.name) && !provided.has(t.name));
  for (const c of configured) {
    const name = c.str('name') ?? '';
    const nameNode = c.scalar('name');
    const t = byName.get(name);
    if (t === undefined) {
      if (name === '' || nameNode === undefined) continue;
      const only = unmatched.length === 1 ? unmatched[0] : undefined;
      report(ctx, nameNode.range, 'error', 'onnx-name',
        `${file} has no ${kind} "${name}"; its ${kind}s are ${required.map((x) => `"${x.name}"`).join(', ') || 'none'}.`,
        only !== undefined ? { fix: { title: `Change to "${only.name}"`, edits: [{ range: nameNode.range, newText: JSON.stringify(only.name) }] }, data: { expectedName: only.name } } : undefined);
      continue;
    }
    const dtNode = c.scalar('data_type');
    const dt = c.ident('data_type');
    if (t.dataType !== undefined && dt !== undefined && dtNode !== undefined && dt !== t.dataType) {
      report(ctx, dtNode.range, 'error', 'onnx-datatype', `${cap(kind)} "${name}" is ${t.dataType} in ${file}, not ${dt}.`,
        { fix: { title: `Change to ${t.dataType}`, edits: [{ range: dtNode.range, newText: t.dataType }] }, data: { expectedDataType: t.dataType } });
    }
    // An initializer's shape is the weight's own; whether a batch dimension goes with it is not the file's to say.
    if (t.dims === undefined || optional.includes(t)) continue;
    const reshape = c.message('reshape');
    // No dims at all: auto-complete fills them in, or the missing dims are already the error.
    if (reshape === undefined && c.ints('dims').length === 0 && c.scalars('dims').length === 0) continue;
    const stated = reshape !== undefined ? dimsOf(reshape, 'shape') : dimsOf(c, 'dims');
    const want = configDims(t, batching);
    const ok = stated.length === want.length && stated.every((d, i) => want[i] === -1 || d === want[i]);
    if (ok) continue;
    const rest = want.slice(1);
    if (!batching && want[0] === -1 && stated.length === rest.length && stated.every((d, i) => rest[i] === -1 || d === rest[i])) {
      // proto3 cannot tell "max_batch_size: 0" from an absent one, and ONNX Runtime's auto-complete may
      // then enable batching on the dynamic first dimension; say so rather than call it an error.
      report(ctx, ctx.cfg.scalar('max_batch_size')?.range ?? nameNode?.range ?? openRange(ctx, c), 'warning', 'onnx-implicit-batch',
        `${cap(kind)} "${name}" leaves out the model's dynamic first dimension (shape ${formatDims(t.dims)}), which only works as a batch dimension: set max_batch_size above 0, or write dims ${formatDims(want)}.`,
        { data: { expectedDims: want, modelDims: t.dims } });
      continue;
    }
    const fullModel = formatDims(t.dims);
    const msg = stated.length !== want.length
      ? `${cap(kind)} "${name}": the model expects ${t.dims.length} dimensions (shape ${fullModel}) but the config gives ${stated.length}${batching ? ' plus the batch dimension' : ''}; use dims ${formatDims(want)}.`
      : `${cap(kind)} "${name}": dims ${formatDims(stated)} do not match the model's shape ${fullModel}${batching ? ' (first dimension is the batch)' : ''}; use dims ${formatDims(want)}.`;
    const fix = reshape === undefined ? dimsFix(c, want) : undefined;
    const dimsFields = c.fields('dims');
    const dimsSpan: Range | undefined = dimsFields.length === 0 ? undefined : { start: dimsFields[0].range.start, end: dimsFields[dimsFields.length - 1].range.end };
    report(ctx, (reshape !== undefined ? c.fieldRange('reshape') : dimsSpan) ?? nameNode?.range ?? openRange(ctx, c), 'error', 'onnx-dims', msg,
      { ...(fix !== undefined ? { fix } : {}), data: { expectedDims: want, modelDims: t.dims } });
  }
  if (kind === 'input' && configured.length > 0) {
    // No fix here: the editor's quick fixes build the new input block from `data` in the document's style.
    for (const t of unmatched) {
      const dims = configDims(t, batching);
      report(ctx, ctx.cfg.nameRange('input') ?? startRange(ctx), 'error', 'onnx-missing-input',
        `${file} has input "${t.name}" (${t.dataType ?? 'unknown type'} ${formatDims(dims)}) that the config does not list.`,
        { data: { name: t.name, expectedDataType: t.dataType, expectedDims: dims } });
    }
  }
}

function dimsFix(c: MessageView, want: number[]): { title: string; edits: TextEdit[] } | undefined {
  const fields = c.fields('dims');
  if (fields.length === 0) return undefined;
  const range: Range = { start: fields[0].range.start, end: fields[fields.length - 1].range.end };
  return { title: `Set dims to ${formatDims(want)}`, edits: [{ range, newText: `dims: ${formatDims(want)}` }] };
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
