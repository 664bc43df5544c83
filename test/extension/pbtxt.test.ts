// The config.pbtxt language in a real extension host: language id, Problems, completion, hover,
// formatting, outline, quick fixes and Validate on Server against the reference server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { onnxModelBytes } from '../unit/pbtxt/onnxBytes';

const extensionId = 'triton-workbench.triton-workbench';

/** Fixture model repository written into the test workspace by this suite. */
const FILES: Record<string, string> = {
  'pbtxt-editor/repo/preprocess/config.pbtxt': [
    'name: "preprocess"',
    'backend: "python"',
    'input [ { name: "RAW" data_type: TYPE_UINT8 dims: [ -1 ] } ]',
    'output [ { name: "IMAGE" data_type: TYPE_FP32 dims: [ 3, 224, 224 ] } ]',
    '',
  ].join('\n'),
  'pbtxt-editor/repo/preprocess/1/model.py': 'import triton_python_backend_utils as pb_utils\n',
  'pbtxt-editor/repo/classifier/config.pbtxt': [
    'name: "classifier"',
    'platform: "onnxruntime_onnx"',
    'input [ { name: "data_0" data_type: TYPE_FP32 dims: [ 3, 224, 224 ] } ]',
    'output [ { name: "fc6_1" data_type: TYPE_FP32 dims: [ 1000 ] } ]',
    '',
  ].join('\n'),
  'pbtxt-editor/repo/classifier/labels.txt': 'cat\ndog\n',
  'pbtxt-editor/repo/pipeline/config.pbtxt': [
    'name: "pipeline"',
    'platform: "ensemble"',
    'input [ { name: "RAW" data_type: TYPE_UINT8 dims: [ -1 ] } ]',
    'output [ { name: "PROBS" data_type: TYPE_FP32 dims: [ 1000 ] } ]',
    'ensemble_scheduling {',
    '  step [',
    '    { model_name: "preprocess" model_version: -1 input_map { key: "RAW" value: "RAW" } output_map { key: "IMAGE" value: "img" } },',
    '    { model_name: "classifier" model_version: -1 input_map { key: "data_0" value: "img" } output_map { key: "fc6_1" value: "PROBS" } }',
    '  ]',
    '}',
    '',
  ].join('\n'),
  'pbtxt-editor/repo/broken/config.pbtxt': [
    'name: "broken"',
    'backend: "python"',
    'max_bach_size: 4',
    'input [ { name: "A" data_type: TYPE_FP32 dims: [ 4 ] } ]',
    'output [ { name: "B" data_type: TYPE_FP32 dims: [ 4 ] } ]',
    'instance_group [ { kind: KIND_GPUU } ]',
    '',
  ].join('\n'),
  'pbtxt-editor/repo/messy/config.pbtxt': 'name: "messy" backend: "python"   # keep me\ninput [ { name: "A", data_type: TYPE_FP32; dims: [1,2] } ]\noutput { name: "B" data_type: TYPE_FP32 dims: [ 2 ] }\n',
  'pbtxt-editor/repo/unclosed/config.pbtxt': 'name: "unclosed"\ninput [ { name: "A" data_type: TYPE_FP32 dims: [ 1 ]\n',
  'pbtxt-editor/notes.textproto': 'some_field: 1\nnested { other: "x" }\n',
  // Mirrors the reference server's broken_config model, whose dims of 0 the server rejects.
  'pbtxt-editor/server/broken_config/config.pbtxt': [
    'name: "broken_config"',
    'backend: "identity"',
    'max_batch_size: 0',
    'input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 0 ] } ]',
    'output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 0 ] } ]',
    '',
  ].join('\n'),
};

function workspaceUri(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner opens one workspace folder');
  return vscode.Uri.joinPath(folder.uri, relative);
}

async function open(relative: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relative));
  await vscode.window.showTextDocument(document);
  return document;
}

/** Resolves once `predicate` holds for the document's diagnostics; fails after `timeoutMs`. */
async function diagnosticsWhere(uri: vscode.Uri, predicate: (d: readonly vscode.Diagnostic[]) => boolean, what: string, timeoutMs = 10_000): Promise<vscode.Diagnostic[]> {
  const now = vscode.languages.getDiagnostics(uri);
  if (predicate(now)) return now;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; have: ${vscode.languages.getDiagnostics(uri).map((d) => d.message).join(' | ')}`));
    }, timeoutMs);
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const current = vscode.languages.getDiagnostics(uri);
      if (!predicate(current)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(current);
    });
  });
}

function positionOf(document: vscode.TextDocument, needle: string, delta = 0): vscode.Position {
  const offset = document.getText().indexOf(needle);
  assert.ok(offset >= 0, `"${needle}" is in the document`);
  return document.positionAt(offset + delta);
}

async function completionLabels(document: vscode.TextDocument, position: vscode.Position, trigger?: string): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position, trigger);
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

async function replaceAll(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

describe('config.pbtxt language', () => {
  before(async () => {
    for (const [path, text] of Object.entries(FILES)) {
      await vscode.workspace.fs.writeFile(workspaceUri(path), Buffer.from(text, 'utf8'));
    }
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension);
    await extension.activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('opens config.pbtxt and .textproto files as Protobuf Text Format', async () => {
    assert.equal((await open('pbtxt-editor/repo/preprocess/config.pbtxt')).languageId, 'pbtxt');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.equal((await open('pbtxt-editor/notes.textproto')).languageId, 'pbtxt');
  });

  it('shows schema errors of a broken config in Problems, with quick fixes that clear them', async () => {
    const document = await open('pbtxt-editor/repo/broken/config.pbtxt');
    const found = await diagnosticsWhere(document.uri, (d) => d.some((x) => x.code === 'unknown-field') && d.some((x) => x.code === 'unknown-enum-value'), 'schema diagnostics');
    const typo = found.find((d) => d.code === 'unknown-field');
    assert.ok(typo);
    assert.equal(typo.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(typo.range.start.line, 2);
    assert.match(typo.message, /max_bach_size/);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, typo.range);
    const fix = actions.find((a) => a.title === 'Change to "max_batch_size"');
    assert.ok(fix?.edit, `quick fix offered; got ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(document.lineAt(2).text, /^max_batch_size: 4/);
    await diagnosticsWhere(document.uri, (d) => !d.some((x) => x.code === 'unknown-field') && d.some((x) => x.code === 'unknown-enum-value'), 'the typo diagnostic to go after the fix');
  });

  it('writes the inputs and outputs of model.onnx into an empty config with a quick fix', async () => {
    await vscode.workspace.fs.writeFile(workspaceUri('pbtxt-editor/repo/densenet/1/model.onnx'), onnxModelBytes({
      inputs: [{ name: 'data_0', elemType: 1, dims: ['batch', 3, 224, 224] }],
      outputs: [{ name: 'fc6_1', elemType: 1, dims: ['batch', 1000] }],
    }));
    await vscode.workspace.fs.writeFile(workspaceUri('pbtxt-editor/repo/densenet/config.pbtxt'), Buffer.from('platform: "onnxruntime_onnx"\nmax_batch_size: 4\n'));
    const document = await open('pbtxt-editor/repo/densenet/config.pbtxt');
    const found = await diagnosticsWhere(document.uri, (d) => d.some((x) => x.code === 'autofill-io'), 'the ONNX signature notice');
    const notice = found.find((x) => x.code === 'autofill-io');
    assert.ok(notice);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, notice.range);
    const fill = actions.find((a) => a.title === "Write the model file's inputs and outputs into the config");
    assert.ok(fill?.edit, actions.map((a) => a.title).join(', '));
    assert.ok(await vscode.workspace.applyEdit(fill.edit));
    assert.match(document.getText(), /input \{\n {2}name: "data_0"\n {2}data_type: TYPE_FP32\n {2}dims: \[ 3, 224, 224 \]\n\}/);
    await diagnosticsWhere(document.uri, (d) => !d.some((x) => x.code === 'autofill-io' || x.severity === vscode.DiagnosticSeverity.Error), 'a config that matches its model file');
  });

  it('notes a data_type the model file supplies, and makes it an error with triton.config.autoCompleteConfig off', async () => {
    // No platform or backend: model.plan makes it a TensorRT engine, which completes its own inputs.
    await vscode.workspace.fs.writeFile(workspaceUri('pbtxt-editor/repo/engine/1/model.plan'), Buffer.from('engine bytes'));
    await vscode.workspace.fs.writeFile(workspaceUri('pbtxt-editor/repo/engine/config.pbtxt'),
      Buffer.from('name: "engine"\nmax_batch_size: 8\ninput [ { name: "x" dims: [ 4 ] } ]\noutput [ { name: "y" data_type: TYPE_FP32 dims: [ 4 ] } ]\n'));
    const document = await open('pbtxt-editor/repo/engine/config.pbtxt');
    const isNote = (x: vscode.Diagnostic): boolean => x.code === 'autofill-data-type' && x.severity === vscode.DiagnosticSeverity.Information;
    await diagnosticsWhere(document.uri, (d) => d.some(isNote) && !d.some((x) => x.severity === vscode.DiagnosticSeverity.Error), 'the auto-complete note');
    const settings = vscode.workspace.getConfiguration('triton');
    await settings.update('config.autoCompleteConfig', false, vscode.ConfigurationTarget.Workspace);
    try {
      await diagnosticsWhere(document.uri, (d) => d.some((x) => x.code === 'missing-data-type' && x.severity === vscode.DiagnosticSeverity.Error) && !d.some(isNote),
        'the error once the server no longer auto-completes');
    } finally {
      await settings.update('config.autoCompleteConfig', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await diagnosticsWhere(document.uri, (d) => d.some(isNote), 'the note again with the setting back to its default');
  });

  it('revalidates after edits and keeps only the result for the latest text', async () => {
    const document = await open('pbtxt-editor/repo/preprocess/config.pbtxt');
    await diagnosticsWhere(document.uri, (d) => d.every((x) => x.severity !== vscode.DiagnosticSeverity.Error), 'a clean first pass');
    const original = document.getText();
    // A burst of edits: each makes a different mistake; only the last one may be reported.
    for (const bad of ['max_batch_size: -1', 'max_batch_size: -2', 'dynamic_batching { preferred_batch_size: [ 0 ] }', 'bogus_field_final: 1']) {
      await replaceAll(document, `${original}${bad}\n`);
    }
    const final = await diagnosticsWhere(document.uri, (d) => d.some((x) => x.message.includes('bogus_field_final')), 'the diagnostic of the final edit');
    assert.ok(!final.some((x) => /max_batch_size|preferred/.test(x.message)), `stale results: ${final.map((x) => x.message).join(' | ')}`);
    await replaceAll(document, original);
    await diagnosticsWhere(document.uri, (d) => d.every((x) => x.severity !== vscode.DiagnosticSeverity.Error), 'errors to clear after the undo');
  });

  it('other text protos get syntax errors only, not ModelConfig schema errors', async () => {
    const document = await open('pbtxt-editor/notes.textproto');
    await replaceAll(document, 'some_field: 1\nnested { other: "x" \n');
    const found = await diagnosticsWhere(document.uri, (d) => d.length > 0, 'a syntax error');
    assert.ok(found.every((d) => String(d.code).startsWith('syntax')), found.map((d) => `${String(d.code)}: ${d.message}`).join(' | '));
  });

  it('completes fields, enum values and ensemble model names', async () => {
    const document = await open('pbtxt-editor/repo/pipeline/config.pbtxt');
    const inInput = await completionLabels(document, positionOf(document, 'name: "RAW"'));
    assert.ok(inInput.includes('reshape') && inInput.includes('format') && inInput.includes('optional'), inInput.join(', '));
    assert.ok(!inInput.includes('max_batch_size'), 'only ModelInput fields inside an input');
    assert.ok(!inInput.includes('data_type'), 'fields already set are not offered again');

    const top = await completionLabels(document, new vscode.Position(document.lineCount - 1, 0));
    assert.ok(top.includes('max_batch_size') && top.includes('instance_group'), top.join(', '));

    await replaceAll(document, document.getText().replace('data_type: TYPE_UINT8', 'data_type: '));
    const enums = await completionLabels(document, positionOf(document, 'data_type: ', 'data_type: '.length), ':');
    assert.ok(enums.includes('TYPE_FP32') && enums.includes('TYPE_STRING'), enums.join(', '));

    await replaceAll(document, document.getText().replace('model_name: "classifier"', 'model_name: ""'));
    const models = await completionLabels(document, positionOf(document, 'model_name: ""', 'model_name: "'.length), '"');
    assert.ok(models.includes('preprocess') && models.includes('classifier'), models.join(', '));
    assert.ok(!models.includes('pipeline'), 'the ensemble itself is not offered');
  });

  it('completes label files from the model folder and links to them', async () => {
    const document = await open('pbtxt-editor/repo/classifier/config.pbtxt');
    await replaceAll(document, document.getText().replace('dims: [ 1000 ] }', 'dims: [ 1000 ] label_filename: "" }'));
    const files = await completionLabels(document, positionOf(document, 'label_filename: ""', 'label_filename: "'.length), '"');
    assert.deepEqual(files, ['labels.txt']);
    await replaceAll(document, document.getText().replace('label_filename: ""', 'label_filename: "labels.txt"').replace('name: "classifier"', 'name: "classifier"\ndefault_model_filename: "missing.onnx"'));
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', document.uri);
    assert.equal(links.length, 1, 'only the file that exists is linked');
    assert.equal(links[0].target?.path, workspaceUri('pbtxt-editor/repo/classifier/labels.txt').path);
    assert.equal(document.getText(links[0].range), '"labels.txt"');
  });

  it('shows the client-side shape of tensors of a batching model as inlay hints', async () => {
    const document = await open('pbtxt-editor/repo/classifier/config.pbtxt');
    await replaceAll(document, `max_batch_size: 16\n${document.getText()}`);
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', document.uri, new vscode.Range(0, 0, document.lineCount, 0));
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    assert.deepEqual(labels, ['→ [-1, 3, 224, 224]', '→ [-1, 1000]']);
  });

  it('explains fields and enum values on hover', async () => {
    const document = await open('pbtxt-editor/repo/preprocess/config.pbtxt');
    const field = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, 'dims', 1));
    const text = field.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*dims\*\*/);
    assert.match(text, /ModelInput/);
    const value = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, 'TYPE_UINT8', 3));
    assert.match(value.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /TYPE_UINT8\*\* = 2/);
  });

  it('shows the signature of the model an ensemble step calls, read from the repository', async () => {
    const document = await open('pbtxt-editor/repo/pipeline/config.pbtxt');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, '"classifier"', 3));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*classifier\*\* — onnxruntime_onnx/);
    assert.match(text, /input `data_0`: `TYPE_FP32 \[3, 224, 224\]`/);
  });

  it('formats to the canonical style, keeps comments, and is idempotent', async () => {
    const document = await open('pbtxt-editor/repo/messy/config.pbtxt');
    const options = { tabSize: 2, insertSpaces: true };
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', document.uri, options);
    assert.ok(edits.length > 0);
    const edit = new vscode.WorkspaceEdit();
    edit.set(document.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(document.getText(), [
      'name: "messy"',
      'backend: "python"  # keep me',
      'input [',
      '  {',
      '    name: "A"',
      '    data_type: TYPE_FP32',
      '    dims: [ 1, 2 ]',
      '  }',
      ']',
      'output {',
      '  name: "B"',
      '  data_type: TYPE_FP32',
      '  dims: [ 2 ]',
      '}',
      '',
    ].join('\n'));
    const again = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', document.uri, options);
    assert.equal(again?.length ?? 0, 0);
  });

  it('refuses to format a document with syntax errors', async () => {
    const document = await open('pbtxt-editor/repo/unclosed/config.pbtxt');
    const before = document.getText();
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[] | undefined>('vscode.executeFormatDocumentProvider', document.uri, { tabSize: 2, insertSpaces: true });
    assert.equal(edits?.length ?? 0, 0);
    assert.equal(document.getText(), before);
  });

  it('outlines tensors and ensemble steps, and folds blocks', async () => {
    const document = await open('pbtxt-editor/repo/pipeline/config.pbtxt');
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
    const names = symbols.map((s) => s.name);
    assert.deepEqual(names, ['name', 'platform', 'input', 'output', 'ensemble_scheduling']);
    assert.equal(symbols[2].children[0].name, 'RAW');
    const steps = symbols[4].children.find((s) => s.name === 'step');
    assert.deepEqual(steps?.children.map((s) => s.name), ['preprocess', 'classifier']);
    const folds = await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', document.uri);
    assert.ok(folds.some((f) => f.start === 4 && f.end === 8), `ensemble_scheduling folds; got ${folds.map((f) => `${f.start}-${f.end}`).join(', ')}`);
  });

  it('load failures from a server\'s repository index land on the workspace config, and clear when fixed', async function () {
    const httpUrl = process.env.TRITON_TEST_HTTP_URL;
    if (!httpUrl) this.skip();
    const response = await fetch(`${httpUrl}/v2/repository/index`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5_000) });
    const index = (await response.json()) as { name: string; state?: string; reason?: string }[];
    const broken = index.find((e) => e.name === 'broken_config');
    assert.equal(broken?.state, 'UNAVAILABLE', 'the reference server keeps broken_config unavailable');
    const uri = workspaceUri('pbtxt-editor/server/broken_config/config.pbtxt');
    await vscode.commands.executeCommand('triton.reportServerLoadErrors', 'reference', index);
    const found = await diagnosticsWhere(uri, (d) => d.some((x) => x.source === 'triton server'), 'the index reason on broken_config');
    const d = found.find((x) => x.source === 'triton server');
    assert.ok(d);
    assert.match(d.message, /^reference: .*dimension must be integer >= 1/);
    assert.equal(d.range.start.line, 3);
    // Unloading the model on purpose leaves it UNAVAILABLE with the reason "unloaded": not an error.
    await vscode.commands.executeCommand('triton.reportServerLoadErrors', 'reference', index.map((e) => (e.name === 'broken_config' ? { ...e, reason: 'unloaded' } : e)));
    await diagnosticsWhere(uri, (x) => !x.some((y) => y.source === 'triton server'), 'no server error for a model unloaded on purpose');
    await vscode.commands.executeCommand('triton.reportServerLoadErrors', 'reference', index);
    await diagnosticsWhere(uri, (x) => x.some((y) => y.source === 'triton server'), 'the load error again');
    await vscode.commands.executeCommand('triton.reportServerLoadErrors', 'reference', index.map((e) => ({ ...e, state: 'READY', reason: '' })));
    await diagnosticsWhere(uri, (x) => !x.some((y) => y.source === 'triton server'), 'the reason to clear once the model loads');
  });

  it('Validate on Server puts the server\'s reason on the line it names', async function () {
    if (!process.env.TRITON_TEST_HTTP_URL) {
      // The runner starts the reference server whenever test/support/referenceServer.ts exists.
      this.skip();
    }
    const document = await open('pbtxt-editor/server/broken_config/config.pbtxt');
    await vscode.commands.executeCommand('triton.validateConfigOnServer');
    const found = await diagnosticsWhere(document.uri, (d) => d.some((x) => x.source === 'triton server'), 'the server diagnostic');
    const server = found.find((x) => x.source === 'triton server');
    assert.ok(server);
    assert.match(server.message, /dimension must be integer >= 1/);
    assert.equal(server.range.start.line, 3, 'on the input line the message names');
    await replaceAll(document, document.getText().replace('dims: [ 0 ] } ]\noutput', 'dims: [ 1 ] } ]\noutput'));
    await diagnosticsWhere(document.uri, (d) => !d.some((x) => x.source === 'triton server'), 'the server verdict to clear once the text changes');
  });
});
