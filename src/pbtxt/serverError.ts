// Finds the place in a config.pbtxt that a Triton load error message is about.
import type { FieldNode, MessageNode, ParsedDocument, Range } from './ast';
import { MessageView } from './view';

/** Field paths that error wording points at, most specific first. */
const KEYWORDS: readonly [RegExp, readonly string[]][] = [
  [/preferred (batch )?size/i, ['dynamic_batching', 'preferred_batch_size']],
  [/priority level|queue policy|preserve_ordering/i, ['dynamic_batching']],
  [/max[_ ]batch[_ -]size|batching/i, ['max_batch_size']],
  [/'platform' and 'backend'|platform type|unexpected platform/i, ['platform']],
  [/backend/i, ['backend']],
  [/instance group|instance_group|\bgpus?\b|KIND_(GPU|CPU|MODEL)/i, ['instance_group']],
  [/sequence batching|control tensor|CONTROL_SEQUENCE/i, ['sequence_batching']],
  [/ensemble|\bstep\b/i, ['ensemble_scheduling']],
  [/version/i, ['version_policy']],
  [/directory name|must specify 'name'/i, ['name']],
  [/warmup/i, ['model_warmup']],
  [/response cache/i, ['response_cache']],
  [/decoupled/i, ['model_transaction_policy']],
  [/batch input/i, ['batch_input']],
  [/batch output/i, ['batch_output']],
  [/default_model_filename|model file/i, ['default_model_filename']],
];

const TENSOR_FIELDS: readonly [RegExp, string][] = [
  [/reshape/i, 'reshape'],
  [/dimension|dims|shape/i, 'dims'],
  [/data[_ ]?type|datatype/i, 'data_type'],
  [/label/i, 'label_filename'],
  [/NHWC|NCHW|format/, 'format'],
];

function lastField(view: MessageView, name: string): FieldNode | undefined {
  const all = view.fields(name);
  return all[all.length - 1];
}

function atPath(root: MessageNode, path: readonly string[]): FieldNode | undefined {
  let view = new MessageView(root);
  let found: FieldNode | undefined;
  for (const [i, name] of path.entries()) {
    found = lastField(view, name);
    if (found === undefined) return undefined;
    if (i < path.length - 1) {
      const next = view.message(name);
      if (next === undefined) return found;
      view = next;
    }
  }
  return found;
}

/** The tensor (input, output, control input or ensemble mapping) a message names in quotes. */
function namedTensor(doc: ParsedDocument, message: string): { view: MessageView; field: FieldNode } | undefined {
  const cfg = new MessageView(doc.root);
  const names = [...message.matchAll(/'([^']{1,200})'/g)].map((m) => m[1]);
  const preferOutput = /\boutput\b/i.test(message) && !/\binput\b/i.test(message);
  const kinds = preferOutput ? ['output', 'input'] : ['input', 'output'];
  for (const name of names) {
    for (const kind of kinds) {
      for (const e of cfg.messages(kind)) if (e.node.str('name') === name) return { view: e.node, field: e.node.fields('name')[0] };
    }
    for (const e of cfg.message('sequence_batching')?.messages('control_input') ?? []) {
      if (e.node.str('name') === name) return { view: e.node, field: e.node.fields('name')[0] };
    }
    for (const step of cfg.message('ensemble_scheduling')?.messages('step') ?? []) {
      for (const map of ['input_map', 'output_map']) {
        for (const m of step.node.mapEntries(map)) {
          const v = m.entry.node.scalar('value');
          if (m.key === name || v?.value === name) return { view: m.entry.node, field: m.entry.node.fields(m.key === name ? 'key' : 'value')[0] };
        }
      }
    }
  }
  return undefined;
}

/** The range in `doc` that a Triton error `message` refers to, or undefined when it names nothing found. */
export function mapServerError(message: string, doc: ParsedDocument): Range | undefined {
  // Bounded gaps keep this linear on hostile messages (an unbounded [^:]* was quadratic).
  const pos = /(?:text-format[^:\n]{0,200}:\s{0,10}|^)(\d{1,9}):(\d{1,9}):/.exec(message);
  if (pos !== null) {
    const lines = doc.text.split('\n');
    const line = Math.min(Math.max(0, Number(pos[1]) - 1), lines.length - 1);
    const character = Math.min(Math.max(0, Number(pos[2]) - 1), lines[line].length);
    let offset = 0;
    for (let i = 0; i < line; i++) offset += lines[i].length + 1;
    // Cover the whole token the parser stopped at, so the editor underlines something visible.
    const rest = lines[line].slice(character);
    const token = /^[A-Za-z0-9_.+-]+|^"[^"]*"?|^./.exec(rest)?.[0] ?? '';
    return { start: doc.positionAt(offset + character), end: doc.positionAt(offset + character + token.length) };
  }
  const tensor = namedTensor(doc, message);
  if (tensor !== undefined) {
    for (const [re, field] of TENSOR_FIELDS) {
      if (!re.test(message)) continue;
      const f = lastField(tensor.view, field);
      if (f !== undefined) return f.range;
    }
    return tensor.field?.range;
  }
  for (const [re, path] of KEYWORDS) {
    if (!re.test(message)) continue;
    const f = atPath(doc.root, path);
    if (f !== undefined) return f.nameRange.start.line === f.range.end.line ? f.range : f.nameRange;
  }
  return undefined;
}
