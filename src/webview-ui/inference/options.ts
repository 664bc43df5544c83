// Outputs to ask for (and top-k per output), request options (protocol, binary, mode, sequence,
// priority, timeout, request id, parameters) and the Run / Stop / Next in sequence buttons.
import type { ModelForm } from '../../inference/inputs/modelForm';
import type { RequestDraft, RunMode } from '../../inference/requestDraft';
import { h, icon } from '../common/dom';

let ids = 0;
function field(text: string, control: HTMLElement): HTMLElement {
  control.id ||= `opt-${++ids}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, text), control);
}

function whole(value: number | undefined, onChange: (v: number | undefined) => void, attrs: Record<string, string> = {}): HTMLInputElement {
  const el = h('input', { type: 'number', min: '0', step: '1', value: value === undefined ? '' : String(value), ...attrs });
  el.addEventListener('input', () => {
    const v = el.value === '' ? undefined : Number(el.value);
    const bad = v !== undefined && (!Number.isSafeInteger(v) || v < 0);
    el.setAttribute('aria-invalid', bad ? 'true' : 'false');
    if (!bad) onChange(v);
  });
  return el;
}

export function outputsSection(form: ModelForm, draft: RequestDraft, changed: () => void): HTMLElement {
  // An empty list asks for every output; the boxes start from what the draft names.
  const chosen = (name: string): boolean => draft.outputs.length === 0 || draft.outputs.some((o) => o.name === name);
  const rows = form.outputs.map((o) => {
    const box = h('input', { type: 'checkbox', checked: chosen(o.name), 'aria-label': `Request output ${o.name}` });
    const topk = whole(draft.outputs.find((x) => x.name === o.name)?.classCount, () => sync(), { 'aria-label': `Top-k classes of ${o.name} (empty: the raw tensor)`, placeholder: 'raw', class: 'narrow' });
    const sync = (): void => {
      draft.outputs = form.outputs.flatMap((out, i) => {
        const [b, k] = [rows[i]!.box, rows[i]!.topk];
        if (!b.checked) return [];
        const n = k.value === '' ? 0 : Number(k.value);
        return [{ name: out.name, ...(Number.isSafeInteger(n) && n > 0 ? { classCount: n } : {}) }];
      });
      changed();
    };
    box.addEventListener('change', sync);
    return { o, box, topk };
  });
  return h('section', { class: 'panel-section', 'aria-label': 'Outputs' }, h('h2', null, 'Outputs'),
    h('table', { class: 'outputs' },
      h('thead', null, h('tr', null, h('th', null, 'Ask for'), h('th', null, 'Output'), h('th', null, 'Datatype / shape'), h('th', null, 'Top-k'))),
      h('tbody', null, rows.map(({ o, box, topk }) => h('tr', null,
        h('td', null, box), h('td', { class: 'mono' }, o.name),
        h('td', { class: 'muted' }, `${o.datatype} [${o.dims.join(', ')}]`, o.labelled ? ' · labels' : ''),
        h('td', null, topk))))));
}

export function optionsSection(form: ModelForm, draft: RequestDraft, grpcAvailable: boolean, changed: () => void): HTMLElement {
  const protocol = h('select', null, h('option', { value: 'http', selected: draft.protocol === 'http' }, 'HTTP'), grpcAvailable ? h('option', { value: 'grpc', selected: draft.protocol === 'grpc' }, 'gRPC') : null);
  const binary = h('input', { type: 'checkbox', checked: draft.binary });
  const mode = h('select', null,
    h('option', { value: 'single', selected: draft.mode.kind === 'single' }, 'One request'),
    h('option', { value: 'concurrent', selected: draft.mode.kind === 'concurrent' }, 'N concurrent'),
    form.decoupled && grpcAvailable ? h('option', { value: 'stream', selected: draft.mode.kind === 'stream' }, 'gRPC stream (decoupled)') : null);
  const count = whole(draft.mode.kind === 'concurrent' ? draft.mode.count : 10, () => syncMode(), { min: '1' });
  const concurrency = whole(draft.mode.kind === 'concurrent' ? draft.mode.concurrency : 4, () => syncMode(), { min: '1' });
  const concurrentFields = h('div', { class: 'row' }, field('Requests', count), field('In flight', concurrency));
  const binaryField = field('Binary tensors (HTTP)', binary);
  const syncMode = (): void => {
    const kind = mode.value as RunMode['kind'];
    draft.mode = kind === 'concurrent' ? { kind, count: Math.max(1, Number(count.value) || 1), concurrency: Math.max(1, Number(concurrency.value) || 1) } : { kind };
    if (kind === 'stream') {
      draft.protocol = 'grpc';
      protocol.value = 'grpc';
    }
    concurrentFields.hidden = kind !== 'concurrent';
    binaryField.hidden = draft.protocol !== 'http';
    changed();
  };
  protocol.addEventListener('change', () => { draft.protocol = protocol.value as 'http' | 'grpc'; if (draft.protocol === 'http' && draft.mode.kind === 'stream') mode.value = 'single'; syncMode(); });
  binary.addEventListener('change', () => { draft.binary = binary.checked; changed(); });
  mode.addEventListener('change', syncMode);
  concurrentFields.hidden = draft.mode.kind !== 'concurrent';
  binaryField.hidden = draft.protocol !== 'http';

  const seqFields: HTMLElement[] = [];
  if (form.sequence) {
    draft.sequence ??= { id: 1, start: true, end: false };
    const seq = draft.sequence;
    const id = h('input', { type: 'text', value: String(seq.id), 'data-sequence-id': '', 'aria-describedby': 'seq-id-hint' });
    id.addEventListener('input', () => {
      const text = id.value.trim();
      const ok = text !== '';
      id.setAttribute('aria-invalid', ok ? 'false' : 'true');
      if (ok) { seq.id = /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text; changed(); }
    });
    const start = h('input', { type: 'checkbox', checked: seq.start, 'data-sequence-start': '' });
    const end = h('input', { type: 'checkbox', checked: seq.end, 'data-sequence-end': '' });
    start.addEventListener('change', () => { seq.start = start.checked; changed(); });
    end.addEventListener('change', () => { seq.end = end.checked; changed(); });
    seqFields.push(h('div', { class: 'row' }, field('Sequence id', id), field('Start', start), field('End', end),
      h('span', { id: 'seq-id-hint', class: 'muted' }, 'a number, or a string for string correlation ids')));
  }
  const priority = whole(draft.priority, (v) => { draft.priority = v; changed(); });
  const timeout = whole(draft.timeoutUs, (v) => { draft.timeoutUs = v; changed(); });
  const requestId = h('input', { type: 'text', value: draft.requestId ?? '' });
  requestId.addEventListener('input', () => { draft.requestId = requestId.value === '' ? undefined : requestId.value; changed(); });
  const params = h('textarea', { rows: 2, class: 'mono', spellcheck: false, placeholder: '{"key": "value"}' }, draft.parameters ? JSON.stringify(draft.parameters) : '');
  params.addEventListener('input', () => {
    let value: unknown;
    try {
      value = params.value.trim() === '' ? undefined : JSON.parse(params.value);
    } catch {
      value = null;
    }
    const ok = value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => ['string', 'number', 'boolean'].includes(typeof v)));
    params.setAttribute('aria-invalid', ok ? 'false' : 'true');
    if (ok) { draft.parameters = value as RequestDraft['parameters']; changed(); }
  });
  // System shared memory: tensors written to /dev/shm instead of sent; the server must share this machine's /dev/shm.
  const shmBox = (which: 'inputs' | 'outputs'): HTMLInputElement => {
    const box = h('input', { type: 'checkbox', checked: draft.sharedMemory?.[which] === true, [`data-shm-${which}`]: '' });
    box.addEventListener('change', () => {
      const next = { inputs: draft.sharedMemory?.inputs === true, outputs: draft.sharedMemory?.outputs === true, [which]: box.checked };
      draft.sharedMemory = next.inputs || next.outputs ? next : undefined;
      changed();
    });
    return box;
  };
  const shmFields = h('fieldset', { class: 'row shm' },
    h('legend', null, 'Through system shared memory (one request; the server must run on this machine)'),
    h('label', null, shmBox('inputs'), ' inputs'),
    h('label', null, shmBox('outputs'), ' outputs'));
  return h('section', { class: 'panel-section', 'aria-label': 'Options' },
    h('h2', null, 'Options'),
    h('div', { class: 'row' }, field('Protocol', protocol), binaryField, field('Mode', mode), concurrentFields),
    seqFields,
    h('details', null, h('summary', null, 'More options'),
      h('div', { class: 'row' }, field('Priority', priority), field('Timeout (µs)', timeout), field('Request id', requestId)),
      field('Custom parameters (JSON object)', params),
      shmFields));
}

export interface RunControls {
  element: HTMLElement;
  setRunning(running: boolean): void;
  running(): boolean;
}

export interface RunHandlers {
  run(): void;
  stop(): void;
  changed(): void;
  save(): void;
  exportAs(kind: 'curl' | 'python' | 'perf_analyzer'): void;
  loadTest(): void;
}

export function runControls(form: ModelForm, draft: () => RequestDraft, on: RunHandlers): RunControls {
  let busy = false;
  const runButton = h('button', { type: 'button', class: 'primary', 'data-run': '', onclick: () => on.run(), title: 'Run (Ctrl+Enter)' }, icon('play'), ' Run');
  const stopButton = h('button', { type: 'button', class: 'secondary', 'data-stop': '', disabled: true, onclick: () => on.stop() }, icon('debug-stop'), ' Stop');
  // Next in sequence: same id, start off, then run (the user sets End on the last one).
  const next = form.sequence ? h('button', { type: 'button', class: 'secondary', 'data-next': '', onclick: () => {
    const d = draft();
    if (d.sequence) d.sequence.start = false;
    const startBox = document.querySelector<HTMLInputElement>('[data-sequence-start]');
    if (startBox) startBox.checked = false;
    on.changed();
    on.run();
  } }, icon('debug-step-over'), ' Next in sequence') : null;
  const exportKind = h('select', { 'aria-label': 'Export as' },
    h('option', { value: 'curl' }, 'curl command'), h('option', { value: 'python' }, 'Python (tritonclient)'), h('option', { value: 'perf_analyzer' }, 'perf_analyzer --input-data'));
  const sharing = h('div', { class: 'row' },
    h('button', { type: 'button', class: 'secondary', 'data-save-request': '', onclick: () => on.save() }, icon('save'), ' Save request…'),
    exportKind,
    h('button', { type: 'button', class: 'secondary', 'data-export': '', onclick: () => on.exportAs(exportKind.value as 'curl' | 'python' | 'perf_analyzer') }, icon('export'), ' Export…'),
    h('button', { type: 'button', class: 'secondary', 'data-load-test': '', title: 'Load test the model with this request', onclick: () => on.loadTest() }, icon('pulse'), ' Load test…'));
  return {
    element: h('div', { class: 'stack' }, h('div', { class: 'row run-controls' }, runButton, next, stopButton), sharing),
    setRunning: (running) => {
      busy = running;
      runButton.disabled = running;
      stopButton.disabled = !running;
      if (next) next.disabled = running;
    },
    running: () => busy,
  };
}
