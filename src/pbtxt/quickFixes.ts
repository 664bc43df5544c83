// Quick fixes for validator diagnostics: the validator's own fix, plus inserting missing fields and
// replacing invalid dimensions.
import type { Diagnostic, MessageNode, ParsedDocument, QuickFix, TextEdit } from './ast';

/** Values inserted for a missing required field of an input or output, by diagnostic code. */
const MISSING_FIELDS: Record<string, { title: string; text: string }[]> = {
  'missing-data-type': [
    { title: 'Add data_type: TYPE_FP32', text: 'data_type: TYPE_FP32' },
    { title: 'Add data_type: TYPE_INT64', text: 'data_type: TYPE_INT64' },
  ],
  'missing-dims': [{ title: 'Add dims: [ -1 ]', text: 'dims: [ -1 ]' }],
  'tensor-name': [{ title: 'Add name', text: 'name: ""' }],
};

/** Backends offered when Triton cannot tell which one runs the model. */
const COMMON_BACKENDS = ['onnxruntime', 'python', 'tensorrt', 'pytorch'];

export function quickFixesFor(doc: ParsedDocument, d: Diagnostic): QuickFix[] {
  const fixes: QuickFix[] = d.fix !== undefined ? [d.fix] : [];
  if (d.code === 'bad-dim' && /^-?\s*\d+$/.test(doc.text.slice(d.range.start.offset, d.range.end.offset))) {
    fixes.push({ title: 'Change to -1 (variable size)', edits: [{ range: d.range, newText: '-1' }] });
    fixes.push({ title: 'Change to 1', edits: [{ range: d.range, newText: '1' }] });
    return fixes;
  }
  if (d.code === 'autofill-io') {
    const fix = signatureFix(doc, d.data);
    return fix === undefined ? fixes : [...fixes, fix];
  }
  if (d.code === 'onnx-missing-input') {
    const fix = missingInputFix(doc, d.data);
    return fix === undefined ? fixes : [...fixes, fix];
  }
  if (d.code === 'no-backend') {
    for (const b of COMMON_BACKENDS) fixes.push({ title: `Add backend: "${b}"`, edits: [insertTopLevel(doc, `backend: "${b}"`)] });
    return fixes;
  }
  const missing = MISSING_FIELDS[d.code];
  if (missing === undefined) return fixes;
  const tensor = tensorAt(doc, d.range.start.offset);
  if (tensor === undefined || !tensor.closed) return fixes;
  // `missing-dims` also fires for `dims: [ ]`; only add a field that is really absent.
  const name = missing[0].text.split(':')[0];
  if (tensor.fields.some((f) => f.name === name)) return fixes;
  for (const m of missing) fixes.push({ title: m.title, edits: [insertField(doc, tensor, m.text)] });
  return fixes;
}

/** The innermost `input` / `output` message whose text holds `offset`. */
function tensorAt(doc: ParsedDocument, offset: number): MessageNode | undefined {
  for (const f of doc.root.fields) {
    if (f.name !== 'input' && f.name !== 'output') continue;
    const items = f.value?.kind === 'list' ? f.value.items : f.value !== undefined ? [f.value] : [];
    for (const item of items) {
      if (item.kind === 'message' && item.range.start.offset <= offset && offset <= item.range.end.offset) return item;
    }
  }
  return undefined;
}

/** An edit adding `text` as the last field of `m`, on its own line when the block spans lines. */
function insertField(doc: ParsedDocument, m: MessageNode, text: string): TextEdit {
  const close = m.range.end.offset - 1;
  const src = doc.text;
  let lineStart = close;
  while (lineStart > 0 && src[lineStart - 1] !== '\n') lineStart--;
  const beforeClose = src.slice(lineStart, close);
  if (m.range.start.line !== m.range.end.line && beforeClose.trim() === '') {
    const last = m.fields[m.fields.length - 1];
    const indent = last !== undefined ? indentOf(src, last.range.start.offset) : `${beforeClose}  `;
    const at = doc.positionAt(lineStart);
    return { range: { start: at, end: at }, newText: `${indent}${text}\n` };
  }
  const at = doc.positionAt(close);
  const space = /\s/.test(src[close - 1] ?? ' ') ? '' : ' ';
  return { range: { start: at, end: at }, newText: `${space}${text} ` };
}

function indentOf(src: string, offset: number): string {
  let start = offset;
  while (start > 0 && src[start - 1] !== '\n') start--;
  return /^[ \t]*/.exec(src.slice(start, offset))?.[0] ?? '';
}

/** An edit adding a top-level field on its own line: after `name` when there is one, else first. */
function insertTopLevel(doc: ParsedDocument, text: string): TextEdit {
  const name = doc.root.fields.find((f) => f.name === 'name');
  if (name === undefined) {
    const at = doc.positionAt(0);
    return { range: { start: at, end: at }, newText: `${text}\n` };
  }
  const eol = doc.text.indexOf('\n', name.range.end.offset);
  const at = doc.positionAt(eol === -1 ? doc.text.length : eol);
  return { range: { start: at, end: at }, newText: `\n${text}` };
}

interface SignatureTensor {
  name: string;
  dataType: string | undefined;
  dims: number[] | undefined;
}

function isTensorList(v: unknown): v is SignatureTensor[] {
  return Array.isArray(v) && v.every((t) => t !== null && typeof t === 'object' && typeof (t as SignatureTensor).name === 'string'
    && (typeof (t as SignatureTensor).dataType === 'string' || (t as SignatureTensor).dataType === undefined)
    && ((t as SignatureTensor).dims === undefined || (Array.isArray((t as SignatureTensor).dims) && (t as SignatureTensor).dims!.every((n) => typeof n === 'number'))));
}

function tensorBlock(kind: 'input' | 'output', name: string, dataType: string, dims: readonly number[]): string {
  return `${kind} {\n  name: ${JSON.stringify(name)}\n  data_type: ${dataType}\n  dims: [ ${dims.join(', ')} ]\n}`;
}

/** "Write the model file's inputs and outputs into the config", from the signature the validator read. */
function signatureFix(doc: ParsedDocument, data: Record<string, unknown> | undefined): QuickFix | undefined {
  const inputs = data?.inputs;
  const outputs = data?.outputs;
  if (!isTensorList(inputs) || !isTensorList(outputs)) return undefined;
  const all = [...inputs.map((t) => ['input', t] as const), ...outputs.map((t) => ['output', t] as const)];
  // A tensor whose type or shape the file does not tell cannot be written correctly: offer nothing.
  if (all.length === 0 || all.some(([, t]) => t.dataType === undefined || t.dims === undefined)) return undefined;
  const batching = maxBatchSize(doc) > 0;
  const blocks = all.map(([kind, t]) => tensorBlock(kind, t.name, t.dataType!, batching ? t.dims!.slice(1) : t.dims!));
  const end = doc.positionAt(doc.text.length);
  const lead = doc.text === '' || doc.text.endsWith('\n') ? '' : '\n';
  return { title: "Write the model file's inputs and outputs into the config", edits: [{ range: { start: end, end }, newText: `${lead}${blocks.join('\n')}\n` }] };
}

/** "Add input "x"" after the last input, from the model file's signature. */
function missingInputFix(doc: ParsedDocument, data: Record<string, unknown> | undefined): QuickFix | undefined {
  const name = data?.name;
  const dataType = data?.expectedDataType;
  const dims = data?.expectedDims;
  if (typeof name !== 'string' || typeof dataType !== 'string' || !Array.isArray(dims) || !dims.every((n) => typeof n === 'number')) return undefined;
  const inputs = doc.root.fields.filter((f) => f.name === 'input');
  const last = inputs[inputs.length - 1];
  if (last === undefined) return undefined;
  const eol = doc.text.indexOf('\n', last.range.end.offset);
  const at = doc.positionAt(eol === -1 ? doc.text.length : eol);
  return { title: `Add input "${name}" from the model file`, edits: [{ range: { start: at, end: at }, newText: `\n${tensorBlock('input', name, dataType, dims as number[])}` }] };
}

function maxBatchSize(doc: ParsedDocument): number {
  const v = doc.root.fields.filter((f) => f.name === 'max_batch_size').pop()?.value;
  return v?.kind === 'scalar' && typeof v.value === 'bigint' ? Number(v.value) : 0;
}
