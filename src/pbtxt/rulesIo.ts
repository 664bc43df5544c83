// Triton rules for platform/backend, max_batch_size, inputs, outputs, reshape and batch inputs/outputs.
import type { RuleContext } from './ruleContext';
import { FRAMEWORK_BACKENDS, PLATFORM_BACKEND, completedPlatform, elementCount, formatDims, ioFiller, openRange, report } from './ruleContext';
import { closest } from './suggest';
import type { MessageView } from './view';
import { dimsOf } from './view';

const KNOWN_PLATFORMS = [...PLATFORM_BACKEND.keys(), 'ensemble'];

export function checkPlatformBackend(ctx: RuleContext): void {
  const { cfg, platform, backend } = ctx;
  const pNode = cfg.scalar('platform');
  const bNode = cfg.scalar('backend');
  if (platform === 'ensemble') {
    if (backend !== '' && bNode !== undefined) {
      report(ctx, bNode.range, 'error', 'ensemble-backend', `An ensemble must have an empty backend; remove backend "${backend}".`);
    }
    return;
  }
  if (pNode !== undefined && platform !== '' && !PLATFORM_BACKEND.has(platform) && platform !== 'libtorch') {
    const field = cfg.fields('platform').at(-1);
    if (backend === '' && field !== undefined && (FRAMEWORK_BACKENDS.has(platform) || platform === 'python' || platform === 'openvino')) {
      report(ctx, pNode.range, 'error', 'unknown-platform', `"${platform}" is a backend, not a platform: write backend: "${platform}".`,
        { fix: { title: `Change to backend: "${platform}"`, edits: [{ range: field.nameRange, newText: 'backend' }] } });
      return;
    }
    if (backend === '' || FRAMEWORK_BACKENDS.has(backend)) {
      const guess = closest(platform, KNOWN_PLATFORMS);
      report(ctx, pNode.range, 'error', 'unknown-platform',
        `Unknown platform "${platform}". Triton knows ${KNOWN_PLATFORMS.join(', ')}${guess !== undefined ? `; did you mean "${guess}"?` : '; for other runtimes set only "backend".'}`,
        guess !== undefined ? { fix: { title: `Change to "${guess}"`, edits: [{ range: pNode.range, newText: JSON.stringify(guess) }] } } : undefined);
    }
    return;
  }
  const expected = PLATFORM_BACKEND.get(platform);
  if (bNode !== undefined && FRAMEWORK_BACKENDS.has(backend) && platform !== '' && expected !== undefined && expected !== backend) {
    report(ctx, bNode.range, 'error', 'platform-backend',
      `Platform "${platform}" runs on backend "${expected}", not "${backend}". Set backend: "${expected}" or remove one of the two.`,
      { fix: { title: `Change backend to "${expected}"`, edits: [{ range: bNode.range, newText: JSON.stringify(expected) }] } });
  }
  if (pNode !== undefined && backend === '' && expected !== undefined) {
    report(ctx, pNode.range, 'hint', 'autofill-backend', `Triton fills in backend "${expected}" for platform "${platform}".`);
  }
}

export function checkMaxBatchSize(ctx: RuleContext): void {
  const node = ctx.cfg.scalar('max_batch_size');
  if (node !== undefined && ctx.maxBatchSize < 0) {
    report(ctx, node.range, 'error', 'max-batch-size', `max_batch_size must be 0 (no batching) or a positive number, got ${ctx.maxBatchSize}.`);
  }
}

export function checkTensors(ctx: RuleContext): void {
  for (const kind of ['input', 'output'] as const) {
    const seen = new Map<string, number>();
    for (const { node: t } of ctx.cfg.messages(kind)) {
      const name = t.str('name') ?? '';
      const nameNode = t.scalar('name');
      const where = nameNode?.range ?? openRange(ctx, t);
      if (name === '') report(ctx, where, 'error', 'tensor-name', `Each model ${kind} must specify "name".`);
      else if (seen.has(name)) {
        report(ctx, where, 'error', 'duplicate-tensor', `${cap(kind)} "${name}" is defined twice (first at line ${(seen.get(name) ?? 0) + 1}); Triton would silently keep only the first.`);
      } else seen.set(name, where.start.line);
      const dtNode = t.scalar('data_type');
      const dt = dtNode === undefined ? undefined : dtNode.value === undefined ? '?' : String(dtNode.value);
      const filler = ioFiller(ctx);
      if ((dt === undefined && !nearMiss(t, 'data_type')) || dt === 'TYPE_INVALID' || dt === '0') {
        // proto3 cannot tell TYPE_INVALID from an absent data_type: a backend that auto-completes fills in both.
        if (filler !== undefined) {
          report(ctx, t.scalar('data_type')?.range ?? where, 'info', 'autofill-data-type',
            `${cap(kind)} "${name}" has no data_type: ${filler} fills it in from the model file (an error if the server runs with --disable-auto-complete-config).`,
            { data: { kind, tensor: name } });
        } else {
          report(ctx, t.scalar('data_type')?.range ?? where, 'error', 'missing-data-type', `${cap(kind)} "${name}" must specify data_type (for example TYPE_FP32).`);
        }
      }
      if (filler !== undefined && t.ints('dims').length === 0 && t.scalars('dims').length === 0 && !nearMiss(t, 'dims')) {
        report(ctx, t.fieldRange('dims') ?? where, 'info', 'autofill-dims',
          `${cap(kind)} "${name}" has no dims: ${filler} fills them in from the model file (an error if the server runs with --disable-auto-complete-config).`,
          { data: { kind, tensor: name } });
      } else if (t.has('dims') || !nearMiss(t, 'dims')) checkDims(ctx, t, kind, name, where);
      if (kind === 'input') checkFormat(ctx, t, name);
      checkTensorRtOnly(ctx, t, kind, name);
      if (kind === 'output') checkLabelPath(ctx, t, name);
    }
  }
}

/** A misspelt field (already reported as unknown) stands in for the missing one, so say nothing twice. */
function nearMiss(t: MessageView, field: string): boolean {
  return t.node.fields.some((f) => f.name !== field && closest(f.name, [field]) === field);
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

function checkDims(ctx: RuleContext, t: MessageView, kind: string, name: string, where: MessageView['node']['range']): void {
  const entries = t.ints('dims');
  if (!t.has('dims')) {
    report(ctx, where, 'error', 'missing-dims',
      `${cap(kind)} "${name}" must specify dims (rank 1 or more; for one value per batch item use dims: [ 1 ] with reshape: { shape: [ ] }).`);
    return;
  }
  if (entries.length === 0 && t.scalars('dims').length === 0) {
    report(ctx, t.fieldRange('dims') ?? where, 'error', 'missing-dims', `${cap(kind)} "${name}" has empty dims; Triton needs at least one dimension.`);
  }
  for (const e of entries) {
    const d = Number(e.node.value as bigint);
    if (d === -1 || d >= 1) continue;
    report(ctx, e.node.range, 'error', 'bad-dim',
      `Dimension ${d} of ${kind} "${name}" is invalid: each dimension must be an integer >= 1, or -1 for a variable size.`);
  }
  checkBatchDimTwice(ctx, t, kind, name);
  const reshape = t.message('reshape');
  if (reshape === undefined) return;
  const dims = dimsOf(t, 'dims');
  const shape = dimsOf(reshape, 'shape');
  const shapeRange = reshape.fieldRange('shape') ?? t.nameRange('reshape') ?? where;
  if (shape.length === 0) {
    if (ctx.maxBatchSize === 0) {
      report(ctx, shapeRange, 'error', 'reshape', `${cap(kind)} "${name}": an empty reshape is only allowed for batching models (max_batch_size > 0); scalar tensors are not supported otherwise.`);
    } else if (elementCount(dims) !== 1) {
      report(ctx, shapeRange, 'error', 'reshape', `${cap(kind)} "${name}": an empty reshape needs dims holding exactly one element, but dims are ${formatDims(dims)}.`);
    }
    return;
  }
  for (const e of reshape.ints('shape')) {
    const d = Number(e.node.value as bigint);
    if (d !== -1 && d < 1) report(ctx, e.node.range, 'error', 'bad-dim', `Reshape dimension ${d} of ${kind} "${name}" is invalid: use integers >= 1, or -1.`);
  }
  if (dims.some((d) => d !== -1 && d < 1) || shape.some((d) => d !== -1 && d < 1)) return;
  const a = segments(dims);
  const b = segments(shape);
  if (a.length !== b.length) {
    report(ctx, shapeRange, 'error', 'reshape',
      `${cap(kind)} "${name}": dims ${formatDims(dims)} and reshape ${formatDims(shape)} have a different number of variable-size (-1) dimensions.`);
  } else if (a.some((v, i) => v !== b[i])) {
    report(ctx, shapeRange, 'error', 'reshape',
      `${cap(kind)} "${name}": dims ${formatDims(dims)} and reshape ${formatDims(shape)} hold a different number of elements; the products of the fixed dimensions must match.`);
  }
}

/**
 * `dims: [ -1, 16 ]` with max_batch_size > 0 usually writes the batch dimension a second time: Triton
 * prepends it itself, so requests would need shape [ -1, -1, 16 ]. The telling case is every tensor
 * starting with -1 at rank 2 or more; a model with a [ -1 ] tensor (a variable-length sequence, say)
 * uses -1 for its own variable dimensions.
 */
function checkBatchDimTwice(ctx: RuleContext, t: MessageView, kind: string, name: string): void {
  if (ctx.maxBatchSize <= 0 || t.message('reshape') !== undefined) return;
  const dims = dimsOf(t, 'dims');
  if (dims.length < 2 || dims[0] !== -1 || dims.slice(1).some((d) => d !== -1 && d < 1)) return;
  const all = [...ctx.cfg.messages('input'), ...ctx.cfg.messages('output')].map((e) => dimsOf(e.node, 'dims')).filter((d) => d.length > 0);
  if (!all.every((d) => d.length >= 2 && d[0] === -1)) return;
  const fields = t.fields('dims');
  const span = { start: fields[0].range.start, end: fields[fields.length - 1].range.end };
  const rest = dims.slice(1);
  report(ctx, span, 'warning', 'batch-dim-twice',
    `With max_batch_size ${ctx.maxBatchSize} the batch dimension is implicit: Triton prepends it to dims, so ${kind} "${name}" has shape ${formatDims([-1, ...dims])} in ${kind === 'input' ? 'requests' : 'responses'}. `
    + `If the leading -1 is meant as the batch dimension, write dims ${formatDims(rest)}; if it is a variable-size dimension of each batch item, ignore this.`,
    { fix: { title: `Remove the leading -1 (dims: ${formatDims(rest)})`, edits: [{ range: span, newText: `dims: ${formatDims(rest)}` }] }, data: { tensor: name, kind, dims } });
}

/** Products of the fixed runs between -1 dimensions. */
function segments(dims: readonly number[]): number[] {
  const out = [1];
  for (const d of dims) {
    if (d === -1) out.push(1);
    else out[out.length - 1] *= d;
  }
  return out;
}

function checkFormat(ctx: RuleContext, t: MessageView, name: string): void {
  const format = t.ident('format');
  if (format !== 'FORMAT_NHWC' && format !== 'FORMAT_NCHW') return;
  const dims = dimsOf(t, 'dims');
  if (dims.length !== 3) {
    report(ctx, t.scalar('format')?.range ?? openRange(ctx, t), 'error', 'format-dims',
      `Input "${name}" uses ${format}, which needs exactly 3 dims (without the batch dimension); it has ${dims.length}.`);
  }
}

function checkTensorRtOnly(ctx: RuleContext, t: MessageView, kind: string, name: string): void {
  if (completedPlatform(ctx) === 'tensorrt_plan') {
    if (t.bool('is_non_linear_format_io') && dimsOf(t, 'dims').length !== 3) {
      report(ctx, t.nameRange('is_non_linear_format_io') ?? openRange(ctx, t), 'error', 'tensorrt-only', `Non-linear IO format ${kind} "${name}" requires 3 dims.`);
    }
    return;
  }
  for (const field of ['is_shape_tensor', 'is_non_linear_format_io']) {
    if (!t.bool(field)) continue;
    report(ctx, t.nameRange(field) ?? openRange(ctx, t), 'error', 'tensorrt-only',
      `${field} is only supported with platform "tensorrt_plan"; remove it from ${kind} "${name}".`);
  }
}

function checkLabelPath(ctx: RuleContext, t: MessageView, name: string): void {
  const label = t.str('label_filename');
  const node = t.scalar('label_filename');
  if (label === undefined || node === undefined || label === '') return;
  const parts = label.split(/[\\/]/);
  if (label.startsWith('/') || /^[A-Za-z]:/.test(label) || parts.includes('..')) {
    report(ctx, node.range, 'error', 'label-outside', `Label file "${label}" of output "${name}" must be a path inside the model directory.`);
  }
}

export function checkBatchIo(ctx: RuleContext): void {
  const inputs = new Set(ctx.cfg.messages('input').map((e) => e.node.str('name') ?? ''));
  const outputs = new Set(ctx.cfg.messages('output').map((e) => e.node.str('name') ?? ''));
  for (const { node: b } of ctx.cfg.messages('batch_input')) {
    const sources = b.scalars('source_input');
    const kind = b.ident('kind') ?? 'BATCH_ELEMENT_COUNT';
    if (sources.length !== 1) {
      report(ctx, b.fieldRange('source_input') ?? openRange(ctx, b), 'error', 'batch-input', `Batch input kind ${kind} expects 1 source_input, got ${sources.length}.`);
    }
    for (const s of sources) {
      if (typeof s.node.value === 'string' && !inputs.has(s.node.value)) {
        report(ctx, s.node.range, 'error', 'batch-input', `Unknown source input "${s.node.value}": it must name one of the model's inputs.`);
      }
    }
    const dt = b.ident('data_type') ?? 'TYPE_INVALID';
    if (dt !== 'TYPE_INT32' && dt !== 'TYPE_FP32') {
      report(ctx, b.scalar('data_type')?.range ?? openRange(ctx, b), 'error', 'batch-input', `Batch input data_type must be TYPE_INT32 or TYPE_FP32, got ${dt}.`);
    }
  }
  const targets = new Set<string>();
  for (const { node: b } of ctx.cfg.messages('batch_output')) {
    const sources = b.scalars('source_input');
    if (sources.length !== 1) {
      report(ctx, b.fieldRange('source_input') ?? openRange(ctx, b), 'error', 'batch-output', `Batch output expects 1 source_input, got ${sources.length}.`);
    }
    for (const s of sources) {
      if (typeof s.node.value === 'string' && !inputs.has(s.node.value)) {
        report(ctx, s.node.range, 'error', 'batch-output', `Unknown source input "${s.node.value}": it must name one of the model's inputs.`);
      }
    }
    for (const t of b.scalars('target_name')) {
      const v = String(t.node.value);
      if (!outputs.has(v)) report(ctx, t.node.range, 'error', 'batch-output', `Unknown target output "${v}": it must name one of the model's outputs.`);
      else if (targets.has(v)) report(ctx, t.node.range, 'error', 'batch-output', `Target output "${v}" can only be given once across batch outputs.`);
      targets.add(v);
    }
  }
}
