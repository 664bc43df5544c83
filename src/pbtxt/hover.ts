// Hover text for config.pbtxt: what a field means, its type and allowed values; what a value means.
import type { ParsedDocument, Range, ScalarNode } from './ast';
import { fieldDoc } from './fieldDocs';
import { locate } from './locate';
import type { ModelSummary, RepositoryEnvironment } from './repositoryModel';
import { describeTensor } from './repositoryModel';
import type { EnumType, FieldInfo, MessageType, Schema } from './schema';
import type { KnownValue } from './valueDocs';
import { acceleratorParameterKeys, enumValueDoc, knownStringValues, modelParameterKeys } from './valueDocs';
import { MessageView } from './view';

export interface HoverResult {
  range: Range;
  /** Markdown. */
  contents: string;
}

/** At most this many allowed values are listed in a field's hover. */
const MAX_LISTED = 16;

/** `env`: the repository around the file, for what ensemble steps call. */
export function hoverAt(doc: ParsedDocument, schema: Schema, offset: number, env: RepositoryEnvironment = {}): HoverResult | undefined {
  const loc = locate(doc, schema, offset);
  const field = loc.field;
  if (field === undefined || loc.messageType === undefined) return undefined;
  const step = stepHover(doc, loc.messageType.fullName, field.name, field.value, offset, env);
  if (step !== undefined) return step;
  const info = loc.fieldInfo;
  if (loc.onName) {
    if (info === undefined) return undefined;
    return { range: field.nameRange, contents: describeField(loc.messageType, info) };
  }
  if (info === undefined) return undefined;
  const scalar = scalarAt(field.value, offset);
  if (scalar === undefined) return undefined;
  if (info.type.kind === 'enum' && scalar.scalarKind === 'identifier') {
    const text = describeEnumValue(info.type.enumType, scalar.text);
    return text === undefined ? undefined : { range: scalar.range, contents: text };
  }
  if (scalar.scalarKind === 'string' && typeof scalar.value === 'string') {
    const keys = info.name === 'key' ? parameterKeysAt(doc, loc.messageType.fullName, offset) : undefined;
    const key = keys?.find((k) => k.value === scalar.value);
    if (key !== undefined) return { range: scalar.range, contents: `**${key.value}** (parameter)\n\n${key.doc}` };
    const known = knownStringValues(loc.messageType.fullName, info.name)?.find((k) => k.value === scalar.value);
    if (known !== undefined) return { range: scalar.range, contents: `**${known.value}** (${info.name})\n\n${known.doc}` };
  }
  return undefined;
}

type FieldValue = ParsedDocument['root']['fields'][number]['value'];

function scalarAt(value: FieldValue, offset: number): ScalarNode | undefined {
  const within = (s: ScalarNode): boolean => offset >= s.range.start.offset && offset <= s.range.end.offset;
  if (value?.kind === 'scalar') return within(value) ? value : undefined;
  if (value?.kind === 'list') {
    for (const item of value.items) if (item.kind === 'scalar' && within(item)) return item;
  }
  return undefined;
}

function describeField(owner: MessageType, f: FieldInfo): string {
  const type = `${f.repeated && !f.map ? 'repeated ' : ''}${f.typeLabel}`;
  const lines = [`**${f.name}**: \`${type}\` — in \`${owner.fullName.replace(/^inference\./, '')}\``];
  const doc = fieldDoc(owner.fullName, f.name) ?? f.comment;
  if (doc !== undefined) lines.push('', doc);
  if (f.oneof !== undefined) {
    const others = (owner.oneofs.get(f.oneof) ?? []).filter((n) => n !== f.name);
    if (others.length > 0) lines.push('', `One of \`${f.oneof}\`: cannot be set together with ${others.map((n) => `\`${n}\``).join(', ')}.`);
  }
  const allowed = allowedValues(owner, f);
  if (allowed !== undefined) lines.push('', allowed);
  return lines.join('\n');
}

function allowedValues(owner: MessageType, f: FieldInfo): string | undefined {
  if (f.type.kind === 'enum') {
    const names = [...f.type.enumType.values.keys()].filter((n) => n !== 'TYPE_INVALID');
    const shown = names.slice(0, MAX_LISTED).map((n) => `\`${n}\``).join(', ');
    return `Values: ${shown}${names.length > MAX_LISTED ? ', …' : ''}`;
  }
  if (f.type.kind === 'scalar' && f.type.scalar === 'bool') return 'Values: `true`, `false`';
  const known = knownStringValues(owner.fullName, f.name);
  if (known !== undefined) return `Known values: ${known.map((k) => `\`"${k.value}"\``).join(', ')}`;
  return undefined;
}

function describeEnumValue(e: EnumType, name: string): string | undefined {
  const number = e.values.get(name);
  if (number === undefined) return undefined;
  const doc = enumValueDoc(name) ?? e.comments.get(name);
  return `**${name}** = ${number} — \`${e.name}\`${doc === undefined ? '' : `\n\n${doc}`}`;
}

/** The model a step calls (on `model_name`), or the called model's tensor (on an input_map/output_map key). */
function stepHover(
  doc: ParsedDocument, owner: string, fieldName: string, value: FieldValue, offset: number, env: RepositoryEnvironment,
): HoverResult | undefined {
  if (env.modelOf === undefined) return undefined;
  const scalar = scalarAt(value, offset);
  if (scalar === undefined || typeof scalar.value !== 'string' || scalar.scalarKind !== 'string') return undefined;
  if (owner === 'inference.ModelEnsembling.Step' && fieldName === 'model_name') {
    const model = env.modelOf(scalar.value);
    if (model === undefined) {
      const known = env.modelNames?.includes(scalar.value) ?? false;
      return known ? undefined : { range: scalar.range, contents: `**${scalar.value}**: no model folder of this name in this repository.` };
    }
    return { range: scalar.range, contents: describeModel(model) };
  }
  const map = owner === 'inference.ModelEnsembling.Step.InputMapEntry' ? 'input' : owner === 'inference.ModelEnsembling.Step.OutputMapEntry' ? 'output' : undefined;
  if (map === undefined || fieldName !== 'key') return undefined;
  const step = new MessageView(doc.root).message('ensemble_scheduling')?.messages('step')
    .find((s) => s.node.node.range.start.offset <= offset && offset <= s.node.node.range.end.offset);
  const modelName = step?.node.str('model_name');
  const model = modelName === undefined ? undefined : env.modelOf(modelName);
  if (model === undefined) return undefined;
  const tensor = (map === 'input' ? model.inputs : model.outputs).find((t) => t.name === scalar.value);
  const contents = tensor === undefined
    ? `**${scalar.value}** is not an ${map} of \`${model.name}\` (its ${map}s: ${(map === 'input' ? model.inputs : model.outputs).map((t) => `\`${t.name}\``).join(', ') || 'none'}).`
    : `**${tensor.name}**: ${map} of \`${model.name}\` — \`${describeTensor(tensor)}\``;
  return { range: scalar.range, contents };
}

function describeModel(m: ModelSummary): string {
  const kind = [m.platform, m.backend].filter((x) => x !== undefined && x !== '').join(' / ') || 'backend not set';
  const lines = [`**${m.name}** — ${kind}, max_batch_size ${m.maxBatchSize}`, ''];
  for (const t of m.inputs) lines.push(`- input \`${t.name}\`: \`${describeTensor(t)}\``);
  for (const t of m.outputs) lines.push(`- output \`${t.name}\`: \`${describeTensor(t)}\``);
  return lines.join('\n');
}

/** Known keys for a `parameters` entry at `offset`: the model's backend's, or the enclosing accelerator's. */
function parameterKeysAt(doc: ParsedDocument, entryType: string, offset: number): readonly KnownValue[] | undefined {
  const cfg = new MessageView(doc.root);
  if (entryType === 'inference.ModelConfig.ParametersEntry') return modelParameterKeys(cfg.str('backend'), cfg.str('platform'));
  if (entryType !== 'inference.ModelOptimizationPolicy.ExecutionAccelerators.Accelerator.ParametersEntry') return undefined;
  const accelerators = cfg.message('optimization')?.message('execution_accelerators');
  const all = [...(accelerators?.messages('gpu_execution_accelerator') ?? []), ...(accelerators?.messages('cpu_execution_accelerator') ?? [])];
  const here = all.find((a) => a.node.node.range.start.offset <= offset && offset <= a.node.node.range.end.offset);
  return acceleratorParameterKeys(here?.node.str('name'));
}
