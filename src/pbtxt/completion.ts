// Completion for config.pbtxt: fields valid at the cursor, enum and known values, model names, snippets.
import type { Range } from './ast';
import type { CursorContext } from './cursor';
import { cursorContext, fieldsPresent, stringFieldIn } from './cursor';
import { fieldDoc } from './fieldDocs';
import { createPositionMapper, parse } from './parser';
import type { RepositoryEnvironment } from './repositoryModel';
import { describeTensor, FILE_FIELDS } from './repositoryModel';
import type { FieldInfo, MessageType, Schema } from './schema';
import type { KnownValue } from './valueDocs';
import { acceleratorParameterKeys, enumValueDoc, knownStringValues, modelParameterKeys } from './valueDocs';
import { MessageView } from './view';

export type CompletionKind = 'field' | 'enumMember' | 'value' | 'snippet' | 'model' | 'tensor' | 'file';

const FILE_PLACES = { model: 'the model folder', version: 'the highest version folder', warmup: 'warmup/', initialState: 'initial_state/' } as const;

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail: string;
  documentation: string | undefined;
  /** Snippet syntax when `snippet` is true (tab stops, `\t` for one indent level, `\n` for new lines). */
  insertText: string;
  snippet: boolean;
  range: Range;
  sortText: string;
}

export function complete(text: string, schema: Schema, offset: number, env: RepositoryEnvironment = {}): CompletionItem[] {
  const ctx = cursorContext(text, schema, offset);
  const at = createPositionMapper(text);
  const range: Range = { start: at(ctx.replaceStart), end: at(ctx.replaceEnd) };
  const pos = ctx.position;
  if (pos.kind === 'field') {
    if (ctx.inString !== undefined || ctx.messageType === undefined) return [];
    return fieldItems(ctx, ctx.messageType, range);
  }
  if (pos.kind === 'value' && pos.info !== undefined && ctx.messageType !== undefined) {
    const items = valueItems(ctx, ctx.messageType, pos.info, pos.inList, range, env);
    // Completing right after a typed `:` (a trigger character) keeps the canonical `field: value`.
    if (ctx.inString === undefined && text[ctx.replaceStart - 1] === ':') for (const i of items) i.insertText = ` ${i.insertText}`;
    return items;
  }
  return [];
}

function fieldItems(ctx: CursorContext, type: MessageType, range: Range): CompletionItem[] {
  const opener = ctx.openers[ctx.openers.length - 1]?.index;
  const typedIndex = ctx.tokens.findIndex((t) => t.kind === 'ident' && t.start === ctx.replaceStart);
  const present = fieldsPresent(ctx.tokens, opener, typedIndex === -1 ? undefined : typedIndex);
  const takenOneofs = new Set<string>();
  for (const name of present) {
    const oneof = type.fields.get(name)?.oneof;
    if (oneof !== undefined) takenOneofs.add(oneof);
  }
  const items: CompletionItem[] = [];
  let i = 0;
  for (const f of type.fields.values()) {
    i++;
    if (!f.repeated && present.has(f.name)) continue;
    if (f.oneof !== undefined && takenOneofs.has(f.oneof) && !present.has(f.name)) continue;
    const special = SNIPPETS[`${shortName(type)}.${f.name}`];
    items.push({
      label: f.name,
      kind: special !== undefined ? 'snippet' : 'field',
      detail: `${f.repeated && !f.map ? 'repeated ' : ''}${f.typeLabel}${f.oneof !== undefined ? ` (one of ${f.oneof})` : ''}`,
      documentation: fieldDoc(type.fullName, f.name) ?? f.comment,
      insertText: special ?? fieldSnippet(f),
      snippet: true,
      range,
      sortText: String(i).padStart(3, '0'),
    });
  }
  return items;
}

function shortName(type: MessageType): string {
  return type.fullName.replace(/^inference\./, '');
}

/** A snippet writing the field with a placeholder for its value, shaped by its type. */
function fieldSnippet(f: FieldInfo): string {
  const t = f.type;
  if (t.kind === 'message') {
    if (f.map) {
      const value = t.messageType.fields.get('value');
      const valueText = value === undefined ? '$2' : value.type.kind === 'message' ? `value {\n\t\t$2\n\t}` : `value: ${valueSnippet(value, 2)}`;
      return `${f.name} {\n\tkey: ${valueSnippet(t.messageType.fields.get('key'), 1)}\n\t${valueText}\n}`;
    }
    return `${f.name} {\n\t$0\n}`;
  }
  if (f.repeated) return `${f.name}: [ ${valueSnippet(f, 1)} ]`;
  return `${f.name}: ${valueSnippet(f, 1)}`;
}

function valueSnippet(f: FieldInfo | undefined, stop: number): string {
  if (f === undefined) return `$${stop}`;
  const t = f.type;
  if (t.kind === 'enum') return `\${${stop}|${[...t.enumType.values.keys()].filter((v) => v !== 'TYPE_INVALID').join(',')}|}`;
  if (t.kind === 'scalar' && t.scalar === 'bool') return `\${${stop}|true,false|}`;
  if (t.kind === 'scalar' && (t.scalar === 'string' || t.scalar === 'bytes')) return `"$${stop}"`;
  return `$${stop}`;
}

const DATA_TYPES = 'TYPE_FP32,TYPE_FP16,TYPE_BF16,TYPE_FP64,TYPE_INT8,TYPE_INT16,TYPE_INT32,TYPE_INT64,TYPE_UINT8,TYPE_UINT16,TYPE_UINT32,TYPE_UINT64,TYPE_BOOL,TYPE_STRING';

/** Richer snippets for the blocks almost every config has. */
const SNIPPETS: Record<string, string> = {
  'ModelConfig.input': `input [\n\t{\n\t\tname: "\${1:INPUT0}"\n\t\tdata_type: \${2|${DATA_TYPES}|}\n\t\tdims: [ \${3:-1} ]\n\t}\n]`,
  'ModelConfig.output': `output [\n\t{\n\t\tname: "\${1:OUTPUT0}"\n\t\tdata_type: \${2|${DATA_TYPES}|}\n\t\tdims: [ \${3:-1} ]\n\t}\n]`,
  'ModelConfig.instance_group': 'instance_group [\n\t{\n\t\tcount: ${1:1}\n\t\tkind: ${2|KIND_GPU,KIND_CPU,KIND_AUTO,KIND_MODEL|}\n\t}\n]',
  'ModelConfig.dynamic_batching': 'dynamic_batching {\n\tmax_queue_delay_microseconds: ${1:100}\n}',
  'ModelConfig.version_policy': 'version_policy: { ${1|latest { num_versions: 1 },all { },specific { versions: [ 1 ] }|} }',
  'ModelConfig.ensemble_scheduling': 'ensemble_scheduling {\n\tstep [\n\t\t{\n\t\t\tmodel_name: "$1"\n\t\t\tmodel_version: -1\n\t\t\tinput_map { key: "$2" value: "$3" }\n\t\t\toutput_map { key: "$4" value: "$5" }\n\t\t}\n\t]\n}',
  'ModelEnsembling.step': 'step [\n\t{\n\t\tmodel_name: "$1"\n\t\tmodel_version: -1\n\t\tinput_map { key: "$2" value: "$3" }\n\t\toutput_map { key: "$4" value: "$5" }\n\t}\n]',
  'ModelConfig.parameters': 'parameters {\n\tkey: "$1"\n\tvalue: { string_value: "$2" }\n}',
  'ModelConfig.sequence_batching': 'sequence_batching {\n\tmax_sequence_idle_microseconds: ${1:5000000}\n\tcontrol_input [\n\t\t{\n\t\t\tname: "${2:START}"\n\t\t\tcontrol [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ]\n\t\t}\n\t]\n}',
};

function valueItems(
  ctx: CursorContext, type: MessageType, f: FieldInfo, inList: boolean, range: Range, env: RepositoryEnvironment,
): CompletionItem[] {
  const t = f.type;
  const item = (label: string, kind: CompletionKind, detail: string, documentation: string | undefined, i: number): CompletionItem => ({
    label, kind, detail, documentation, insertText: label, snippet: false, range, sortText: String(i).padStart(3, '0'),
  });
  // Strings typed outside quotes get them; inside a literal only the contents are replaced.
  const str = (label: string, kind: CompletionKind, detail: string, documentation: string | undefined, i: number): CompletionItem => ({
    ...item(label, kind, detail, documentation, i),
    insertText: ctx.inString === undefined ? quote(label) : escapeInString(label),
  });
  if (t.kind === 'enum') {
    if (ctx.inString !== undefined) return [];
    return [...t.enumType.values.keys()]
      .filter((v) => v !== 'TYPE_INVALID')
      .map((v, i) => item(v, 'enumMember', `${t.enumType.name} = ${t.enumType.values.get(v)}`, enumValueDoc(v) ?? t.enumType.comments.get(v), i));
  }
  if (t.kind === 'scalar' && t.scalar === 'bool') {
    return ctx.inString !== undefined ? [] : ['true', 'false'].map((v, i) => item(v, 'value', 'bool', undefined, i));
  }
  if (t.kind === 'message') {
    if (ctx.inString !== undefined) return [];
    return [{
      label: '{ }', kind: 'snippet', detail: f.typeLabel, documentation: fieldDoc(type.fullName, f.name) ?? f.comment,
      insertText: '{\n\t$0\n}', snippet: true, range, sortText: '000',
    }];
  }
  if (t.kind !== 'scalar' || t.scalar !== 'string') return [];
  if (f.name === 'key' && !inList) {
    const keys = parameterKeys(ctx, shortName(type));
    if (keys !== undefined) return keys.map((k, i) => str(k.value, 'value', 'parameter', k.doc, i));
  }
  const fileList = FILE_FIELDS[`${shortName(type)}.${f.name}`];
  if (fileList !== undefined) {
    return (env.files?.[fileList] ?? []).map((name, i) => str(name, 'file', `in ${FILE_PLACES[fileList]}`, undefined, i));
  }
  const known = knownStringValues(type.fullName, f.name);
  if (known !== undefined) return known.map((k, i) => str(k.value, 'value', f.name, k.doc, i));
  const step = ctx.openers.length >= 1 ? stepOpener(ctx, type) : undefined;
  if (shortName(type) === 'ModelEnsembling.Step' && f.name === 'model_name') {
    return (env.modelNames ?? []).map((m, i) => str(m, 'model', 'model in this repository', undefined, i));
  }
  if (step !== undefined && f.name === 'value' && !inList) {
    const map = ctx.path[ctx.path.length - 1];
    return ensembleTensors(ctx.text, map === 'input_map', ctx.tokens[step].start).map((n, i) => str(n.name, 'tensor', n.detail, undefined, i));
  }
  if (step !== undefined && f.name === 'key' && !inList) {
    const model = stringFieldIn(ctx.tokens, step, 'model_name');
    const summary = model === undefined ? undefined : env.modelOf?.(model);
    if (summary === undefined) return [];
    const map = ctx.path[ctx.path.length - 1];
    const tensors = map === 'input_map' ? summary.inputs : map === 'output_map' ? summary.outputs : [];
    const role = map === 'input_map' ? 'input' : 'output';
    return tensors.map((t, i) => str(t.name, 'tensor', `${role} of ${model}: ${describeTensor(t)}`, undefined, i));
  }
  return [];
}

/**
 * Ensemble tensor names a step can use: for an input_map value, the ensemble inputs and what the
 * other steps produce; for an output_map value, the ensemble outputs. `stepStart`: the step being edited.
 */
function ensembleTensors(text: string, forInput: boolean, stepStart: number): { name: string; detail: string }[] {
  const cfg = new MessageView(parse(text).root);
  const seen = new Set<string>();
  const out: { name: string; detail: string }[] = [];
  const add = (name: string | undefined, detail: string): void => {
    if (name === undefined || name === '' || seen.has(name)) return;
    seen.add(name);
    out.push({ name, detail });
  };
  if (!forInput) {
    for (const e of cfg.messages('output')) add(e.node.str('name'), 'ensemble output');
    return out;
  }
  for (const e of cfg.messages('input')) add(e.node.str('name'), 'ensemble input');
  for (const step of cfg.message('ensemble_scheduling')?.messages('step') ?? []) {
    if (step.node.node.range.start.offset === stepStart) continue;
    const model = step.node.str('model_name') ?? 'a step';
    for (const m of step.node.mapEntries('output_map')) add(m.entry.node.str('value'), `produced by ${model}`);
  }
  return out;
}

/** Known `parameters` keys for the model's backend, or for the execution accelerator being edited. */
function parameterKeys(ctx: CursorContext, entryType: string): readonly KnownValue[] | undefined {
  if (entryType === 'ModelConfig.ParametersEntry') {
    const cfg = new MessageView(parse(ctx.text).root);
    return modelParameterKeys(cfg.str('backend'), cfg.str('platform'));
  }
  if (entryType === 'ModelOptimizationPolicy.ExecutionAccelerators.Accelerator.ParametersEntry') {
    const accelerator = ctx.openers[ctx.openers.length - 2];
    return acceleratorParameterKeys(accelerator === undefined ? undefined : stringFieldIn(ctx.tokens, accelerator.index, 'name'));
  }
  return undefined;
}

/** The `{` of the ensemble step around an `input_map` / `output_map` entry, if that is where we are. */
function stepOpener(ctx: CursorContext, type: MessageType): number | undefined {
  const name = shortName(type);
  if (name !== 'ModelEnsembling.Step.InputMapEntry' && name !== 'ModelEnsembling.Step.OutputMapEntry') return undefined;
  const entry = ctx.openers[ctx.openers.length - 1];
  const step = ctx.openers[ctx.openers.length - 2];
  if (entry === undefined || step === undefined) return undefined;
  return step.index;
}

function escapeInString(s: string): string {
  return s.replace(/["\\]/g, (c) => `\\${c}`);
}

function quote(s: string): string {
  return `"${escapeInString(s)}"`;
}
