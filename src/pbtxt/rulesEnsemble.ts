// Ensemble rules: step structure, tensor data flow (no cycles, every output produced), step models.
import type { Range } from './ast';
import type { RuleContext } from './ruleContext';
import { formatDims, openRange, report } from './ruleContext';
import type { MessageView } from './view';
import { dimsOf } from './view';

interface StepInfo {
  index: number;
  view: MessageView;
  modelName: string;
  /** composing model tensor → ensemble tensor, with the ranges of key and value. */
  inputs: { key: string; keyRange: Range; tensor: string; valueRange: Range }[];
  outputs: { key: string; keyRange: Range; tensor: string; valueRange: Range }[];
}

function mapOf(ctx: RuleContext, step: MessageView, field: string): StepInfo['inputs'] {
  return step.mapEntries(field).map((e) => {
    const v = e.entry.node.scalar('value');
    return { key: e.key, keyRange: e.keyRange, tensor: typeof v?.value === 'string' ? v.value : '', valueRange: v?.range ?? openRange(ctx, e.entry.node) };
  });
}

export function ensembleSteps(ctx: RuleContext): StepInfo[] {
  return (ctx.cfg.message('ensemble_scheduling')?.messages('step') ?? []).map((e, index) => ({
    index, view: e.node, modelName: e.node.str('model_name') ?? '', inputs: mapOf(ctx, e.node, 'input_map'), outputs: mapOf(ctx, e.node, 'output_map'),
  }));
}

export function checkEnsembleFlow(ctx: RuleContext): void {
  const es = ctx.cfg.message('ensemble_scheduling');
  if (es === undefined || ctx.platform !== 'ensemble') return;
  const steps = ensembleSteps(ctx);
  if (steps.length === 0) {
    report(ctx, ctx.cfg.nameRange('ensemble_scheduling') ?? openRange(ctx, es), 'error', 'ensemble-step', `Ensemble "${ctx.modelName}" must specify at least one step.`);
    return;
  }
  const producer = new Map<string, StepInfo>();
  const consumed = new Set<string>();
  for (const s of steps) {
    const where = s.view.scalar('model_name')?.range ?? openRange(ctx, s.view);
    if (s.modelName === '') report(ctx, where, 'error', 'ensemble-step', `Step ${s.index} must specify model_name.`);
    if (s.inputs.length === 0) report(ctx, where, 'error', 'ensemble-step', `Step ${s.index}${s.modelName === '' ? '' : ` (${s.modelName})`} must specify input_map.`);
    if (s.outputs.length === 0) report(ctx, where, 'error', 'ensemble-step', `Step ${s.index}${s.modelName === '' ? '' : ` (${s.modelName})`} must specify output_map.`);
    for (const i of s.inputs) consumed.add(i.tensor);
    for (const o of s.outputs) {
      if (producer.has(o.tensor)) {
        report(ctx, o.valueRange, 'error', 'ensemble-tensor', `Ensemble tensor "${o.tensor}" is already written by step ${producer.get(o.tensor)?.index}; a tensor can appear in an output_map only once.`);
      } else producer.set(o.tensor, s);
    }
  }
  const inputs = ctx.cfg.messages('input').map((e) => ({ name: e.node.str('name') ?? '', range: e.node.scalar('name')?.range ?? openRange(ctx, e.node) }));
  const outputs = ctx.cfg.messages('output').map((e) => ({ name: e.node.str('name') ?? '', range: e.node.scalar('name')?.range ?? openRange(ctx, e.node) }));
  for (const i of inputs) {
    if (i.name !== '' && !consumed.has(i.name)) report(ctx, i.range, 'error', 'ensemble-unused', `Ensemble input "${i.name}" is not used by any step's input_map.`);
  }
  // Propagate availability from the ensemble inputs; steps that never become ready are blocked.
  // Kahn's algorithm over tensors, linear in the number of mappings.
  const available = new Set<string>();
  const ran = new Set<StepInfo>();
  const waiting = new Map<StepInfo, number>();
  const readers = new Map<string, StepInfo[]>();
  for (const s of steps) {
    const needed = new Set(s.inputs.map((i) => i.tensor));
    waiting.set(s, needed.size);
    for (const t of needed) {
      const list = readers.get(t);
      if (list === undefined) readers.set(t, [s]);
      else list.push(s);
    }
  }
  const ready: StepInfo[] = steps.filter((s) => waiting.get(s) === 0);
  const produce = (t: string): void => {
    if (available.has(t)) return;
    available.add(t);
    for (const s of readers.get(t) ?? []) {
      const left = (waiting.get(s) ?? 0) - 1;
      waiting.set(s, left);
      if (left === 0) ready.push(s);
    }
  };
  for (const i of inputs) produce(i.name);
  while (ready.length > 0) {
    const s = ready.pop() as StepInfo;
    if (ran.has(s)) continue;
    ran.add(s);
    for (const o of s.outputs) produce(o.tensor);
  }
  const reported = new Set<string>();
  let cycleChecks = 0;
  for (const s of steps) {
    if (ran.has(s)) continue;
    for (const i of s.inputs) {
      if (available.has(i.tensor) || reported.has(i.tensor)) continue;
      reported.add(i.tensor);
      const p = producer.get(i.tensor);
      if (p === undefined) {
        report(ctx, i.valueRange, 'error', 'ensemble-unconnected',
          `Ensemble tensor "${i.tensor}" is neither an ensemble input nor written by any step, so step ${s.index} (${s.modelName}) can never run.`);
      } else if (++cycleChecks <= 100 && dependsOn(p, s, producer, ran)) {
        report(ctx, i.valueRange, 'error', 'ensemble-cycle',
          `Ensemble tensor "${i.tensor}" is written by step ${p.index} (${p.modelName}), which itself needs the results of step ${s.index} (${s.modelName}): the steps form a cycle.`);
      }
    }
  }
  const outputNames = new Set(outputs.map((o) => o.name));
  for (const o of outputs) {
    if (o.name === '') continue;
    if (!producer.has(o.name)) report(ctx, o.range, 'error', 'ensemble-output', `Ensemble output "${o.name}" is not written by any step's output_map.`);
    else if (!available.has(o.name)) report(ctx, o.range, 'error', 'ensemble-output', `Ensemble output "${o.name}" is never written: the step producing it cannot run (see the tensor errors).`);
  }
  for (const [tensor, s] of producer) {
    if (consumed.has(tensor) || outputNames.has(tensor)) continue;
    const o = s.outputs.find((x) => x.tensor === tensor);
    if (o !== undefined) report(ctx, o.valueRange, 'error', 'ensemble-unused', `Ensemble tensor "${tensor}" is unused: no later step reads it and it is not an ensemble output.`);
  }
}

/** True when blocked step `from` needs, directly or through other blocked steps, an output of `target`. */
function dependsOn(from: StepInfo, target: StepInfo, producer: Map<string, StepInfo>, ran: Set<StepInfo>): boolean {
  const seen = new Set<StepInfo>();
  const stack = [from];
  while (stack.length > 0) {
    const s = stack.pop() as StepInfo;
    if (s === target) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const i of s.inputs) {
      const p = producer.get(i.tensor);
      if (p !== undefined && !ran.has(p)) stack.push(p);
    }
  }
  return false;
}

/** What the rules need from a composing model's config. */
export interface StepModel {
  maxBatchSize: number;
  inputs: Map<string, { dataType: string | undefined; dims: number[]; optional: boolean }>;
  outputs: Map<string, { dataType: string | undefined; dims: number[] }>;
  /** False when the config lists no inputs/outputs (the backend would auto-complete them). */
  complete: boolean;
  /** Version folders of the model, when they could be listed. */
  versions: number[] | undefined;
}

export type StepModelLookup = (name: string) => Promise<StepModel | 'missing' | undefined>;

export async function checkEnsembleSteps(ctx: RuleContext, lookup: StepModelLookup): Promise<void> {
  if (ctx.platform !== 'ensemble') return;
  const tensors = new Map<string, { dataType: string | undefined; dims: number[]; source: string }>();
  for (const kind of ['input', 'output']) {
    for (const { node } of ctx.cfg.messages(kind)) {
      const name = node.str('name');
      if (name !== undefined) tensors.set(name, { dataType: node.ident('data_type'), dims: dimsOf(node, 'dims'), source: `ensemble ${kind}` });
    }
  }
  for (const s of ensembleSteps(ctx)) {
    if (s.modelName === '') continue;
    const m = await lookup(s.modelName);
    const nameRange = s.view.scalar('model_name')?.range ?? openRange(ctx, s.view);
    if (m === 'missing') {
      // Triton may serve several repositories at once, so a step model elsewhere is possible: warn only.
      report(ctx, nameRange, 'warning', 'ensemble-model',
        `Step model "${s.modelName}" is not in this model repository (no folder "${s.modelName}" next to this model); unless another --model-repository provides it, the ensemble will not load.`);
      continue;
    }
    if (m === undefined) continue;
    const version = s.view.scalar('model_version');
    if (typeof version?.value === 'bigint' && version.value >= 0n && m.versions !== undefined && !m.versions.includes(Number(version.value))) {
      report(ctx, version.range, 'error', 'ensemble-model', `Model "${s.modelName}" has no version ${version.value} (its versions: ${m.versions.join(', ') || 'none'}).`);
    }
    if (!m.complete) continue;
    if (m.maxBatchSize !== 0 && m.maxBatchSize < ctx.maxBatchSize) {
      report(ctx, nameRange, 'error', 'ensemble-batch', `Ensemble allows max_batch_size ${ctx.maxBatchSize}, but step model "${s.modelName}" only allows ${m.maxBatchSize}.`);
    }
    const mapped = new Map<string, number>();
    for (const i of s.inputs) {
      const spec = m.inputs.get(i.key);
      if (spec === undefined) {
        report(ctx, i.keyRange, 'error', 'ensemble-mapping', `Model "${s.modelName}" has no input "${i.key}" (its inputs: ${[...m.inputs.keys()].join(', ') || 'none'}).`);
        continue;
      }
      mapped.set(i.key, (mapped.get(i.key) ?? 0) + 1);
      if (mapped.get(i.key) === 2) report(ctx, i.keyRange, 'error', 'ensemble-mapping', `Input "${i.key}" of model "${s.modelName}" is mapped to more than one ensemble tensor.`);
      agree(ctx, tensors, i.tensor, spec, `input "${i.key}" of "${s.modelName}"`, i.valueRange);
    }
    for (const [name, spec] of m.inputs) {
      if (!spec.optional && !mapped.has(name)) {
        report(ctx, nameRange, 'error', 'ensemble-mapping', `Input "${name}" of model "${s.modelName}" is not mapped to any ensemble tensor; add it to input_map.`);
      }
    }
    for (const o of s.outputs) {
      const spec = m.outputs.get(o.key);
      if (spec === undefined) {
        report(ctx, o.keyRange, 'error', 'ensemble-mapping', `Model "${s.modelName}" has no output "${o.key}" (its outputs: ${[...m.outputs.keys()].join(', ') || 'none'}).`);
        continue;
      }
      agree(ctx, tensors, o.tensor, spec, `output "${o.key}" of "${s.modelName}"`, o.valueRange);
    }
  }
}

function agree(
  ctx: RuleContext, tensors: Map<string, { dataType: string | undefined; dims: number[]; source: string }>,
  tensor: string, spec: { dataType: string | undefined; dims: number[] }, source: string, range: Range,
): void {
  const known = tensors.get(tensor);
  if (known === undefined) {
    tensors.set(tensor, { dataType: spec.dataType, dims: spec.dims, source });
    return;
  }
  if (known.dataType !== undefined && spec.dataType !== undefined && known.dataType !== spec.dataType) {
    report(ctx, range, 'error', 'ensemble-datatype', `Ensemble tensor "${tensor}" has inconsistent data types: ${spec.dataType} for ${source} but ${known.dataType} for ${known.source}.`);
    return;
  }
  const a = known.dims;
  const b = spec.dims;
  const compatible = a.length === b.length && a.every((d, i) => d === -1 || b[i] === -1 || d === b[i]);
  if (!compatible && a.length > 0 && b.length > 0) {
    report(ctx, range, 'error', 'ensemble-shape', `Ensemble tensor "${tensor}" has inconsistent shapes: ${formatDims(b)} for ${source} but ${formatDims(a)} for ${known.source}.`);
  }
}
