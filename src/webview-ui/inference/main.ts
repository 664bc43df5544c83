// The Run Inference page: the form built from the model (inputs, outputs, options), Run / Stop /
// Next in sequence, and results as they arrive. State (the draft) survives reloads and restarts.
import '../common/theme';
import './inference.css';
import type { ModelForm } from '../../inference/inputs/modelForm';
import type { RequestDraft } from '../../inference/requestDraft';
import { isInferencePageState, isToInferencePage } from '../../shared/inferenceProtocol';
import type { FromInferencePage, ImageItem, InferencePageState, PanelTarget, ToInferencePage } from '../../shared/inferenceProtocol';
import { connectBridge } from '../common/bridge';
import { h, icon, setChildren } from '../common/dom';
import { inputEditor } from './inputEditors';
import type { EditorHost } from './inputEditors';
import { optionsSection, outputsSection, runControls } from './options';
import { comparisonView, errorBox, historyView, responseCard, sentPreviewView, summaryView } from './results';
import type { ResultActions } from './results';

const root = document.getElementById('root')!;
let target: PanelTarget | undefined;
let form: ModelForm | undefined;
let draft: RequestDraft | undefined;
let grpcAvailable = false;
let currentRun = 0;
const images = new Map<string, ImageItem[]>();
const inputBoxes = new Map<string, HTMLElement>();
const results = h('section', { class: 'results', 'aria-live': 'polite', 'aria-label': 'Results' });
const status = h('div', { class: 'run-status', role: 'status' });
const historyBox = h('section', { class: 'history', 'aria-label': 'History' });
const comparisonBox = h('section', { class: 'comparison-slot', 'aria-live': 'polite' });
let controls: ReturnType<typeof runControls> | undefined;

const bridge = connectBridge<FromInferencePage, ToInferencePage, InferencePageState>(isToInferencePage, onMessage, isInferencePageState);

let notifyTimer: ReturnType<typeof setTimeout> | undefined;
function changed(): void {
  if (target === undefined || draft === undefined) return;
  bridge.saveState({ target, draft });
  // The host keeps the draft for saving and restoring; tell it once typing pauses.
  if (notifyTimer !== undefined) clearTimeout(notifyTimer);
  notifyTimer = setTimeout(() => draft && bridge.post({ type: 'draftChanged', draft }), 300);
}

const editorHost: EditorHost = {
  get form() { return form!; },
  draft: () => draft!,
  changed,
  pick: (input, purpose) => draft && bridge.post({ type: 'pickFiles', input, purpose, draft }),
  dropped: (input, uris) => {
    if (uris.length === 0) {
      showInputError(input, 'The drop carried no file paths. Drag files from the Explorer view, or use Choose images….');
      return;
    }
    if (draft) bridge.post({ type: 'droppedFiles', input, uris, draft });
  },
  preview: (input) => draft && bridge.post({ type: 'previewImages', input, draft }),
  images: (input) => images.get(input) ?? [],
};

const actions: ResultActions = {
  save: (output, format) => bridge.post({ type: 'saveOutput', output, format }),
  openRaw: () => bridge.post({ type: 'openRaw' }),
};

let runClickedAt = 0;
let rendered = false;

function run(): void {
  if (draft === undefined || controls?.running()) return;
  runClickedAt = performance.now();
  rendered = false;
  clearInputErrors();
  bridge.post({ type: 'run', draft });
}

function showInputError(input: string, message: string): void {
  const slot = root.querySelector(`[data-error-for="${CSS.escape(input)}"]`);
  if (slot) setChildren(slot, errorBox({ message }));
}

function clearInputErrors(): void {
  for (const slot of root.querySelectorAll('[data-error-for]')) slot.replaceChildren();
}

function render(serverName: string): void {
  if (form === undefined || draft === undefined) return;
  inputBoxes.clear();
  const inputs = form.inputs.map((input) => {
    const box = inputEditor(editorHost, input);
    inputBoxes.set(input.name, box);
    return box;
  });
  controls = runControls(form, () => draft!, {
    run, stop: () => bridge.post({ type: 'stop' }), changed,
    save: () => draft && bridge.post({ type: 'saveRequest', draft }),
    exportAs: (kind) => draft && bridge.post({ type: 'exportRequest', kind, draft }),
    loadTest: () => draft && bridge.post({ type: 'loadTest', draft }),
  });
  const notes: HTMLElement[] = [];
  if (form.controlInputs.length > 0) notes.push(h('p', { class: 'muted' }, `Control inputs ${form.controlInputs.join(', ')} are filled by the server from the sequence flags.`));
  // Wide panels put results beside the form (CSS grid); narrow ones stack them.
  setChildren(root,
    h('header', { class: 'title' },
      h('h1', null, icon('play'), ' ', form.model, draft.modelVersion ? ` v${draft.modelVersion}` : ''),
      h('span', { class: 'muted' }, `on ${serverName} · ${form.platform || 'unknown platform'}${form.maxBatchSize > 0 ? ` · max batch ${form.maxBatchSize}` : ''}${form.decoupled ? ' · decoupled' : ''}${form.sequence ? ' · sequence' : ''}`)),
    h('div', { class: 'layout' },
      h('div', { class: 'form-col' },
        h('section', { class: 'panel-section', 'aria-label': 'Inputs' }, h('h2', null, 'Inputs'), notes, inputs.length > 0 ? inputs : h('p', { class: 'muted' }, 'This model takes no inputs.')),
        outputsSection(form, draft, changed),
        optionsSection(form, draft, grpcAvailable, changed),
        controls.element),
      h('div', { class: 'result-col' }, h('h2', null, 'Results'), status, results, comparisonBox, historyBox)),
  );
  root.setAttribute('aria-busy', 'false');
  // Enter in a one-line field runs; Ctrl/Cmd+Enter runs from anywhere (text areas included).
  root.onkeydown = (e: KeyboardEvent): void => {
    if (e.key !== 'Enter') return;
    const t = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox')) {
      e.preventDefault();
      run();
    }
  };
  for (const input of form.inputs) {
    const entry = draft.inputs.find((i) => i.name === input.name);
    if (entry?.source.kind === 'image' && entry.source.paths.length > 0) editorHost.preview(input.name);
  }
}

/** Draws one input's editor again (its draft entry or its images changed on the host side). */
function redrawInput(name: string): void {
  const spec = form?.inputs.find((i) => i.name === name);
  const old = inputBoxes.get(name);
  if (spec === undefined || old === undefined) return;
  const box = inputEditor(editorHost, spec);
  old.replaceWith(box);
  inputBoxes.set(name, box);
}

function onMessage(message: ToInferencePage): void {
  switch (message.type) {
    case 'init':
      target = message.target;
      grpcAvailable = message.grpcAvailable;
      // The page's own saved draft wins when the page (re)starts; later inits carry a draft to show
      // (a request file or a history entry).
      draft = (form === undefined ? bridge.savedState()?.draft : undefined) ?? message.draft;
      if (draft.model !== message.form.model) draft = message.draft;
      form = message.form;
      bridge.saveState({ target, draft });
      render(message.serverName);
      return;
    case 'formError':
      target = message.target;
      bridge.saveState({ target, ...(draft ? { draft } : {}) });
      setChildren(root,
        h('h1', null, message.target.model),
        errorBox(message.error),
        h('button', { type: 'button', onclick: () => bridge.post({ type: 'retryForm' }) }, icon('refresh'), ' Try again'));
      root.setAttribute('aria-busy', 'false');
      return;
    case 'setInput':
      draft = message.draft;
      changed();
      redrawInput(message.input);
      return;
    case 'images':
      images.set(message.input, message.items);
      redrawInput(message.input);
      return;
    case 'sentPreview': {
      const slot = root.querySelector(`[data-sent-for="${CSS.escape(message.input)}"]`);
      if (slot) setChildren(slot, message.preview ? sentPreviewView(message.preview) : message.error ? errorBox(message.error) : null);
      return;
    }
    case 'runStarted':
      currentRun = message.runId;
      controls?.setRunning(true);
      setChildren(status, icon('loading~spin'), ` Running ${message.requests > 1 ? `${message.requests} requests` : message.mode === 'stream' ? 'a stream' : ''}…`);
      results.replaceChildren();
      return;
    case 'response':
      if (message.runId !== currentRun) return;
      results.append(responseCard(message.response, actions));
      if (!rendered && runClickedAt > 0) {
        // From the Run click to the first response drawn: what the panel bench reads.
        rendered = true;
        results.dataset.renderedMs = (performance.now() - runClickedAt).toFixed(2);
      }
      return;
    case 'runError':
      if (message.runId !== currentRun) return;
      if (message.error.input !== undefined && root.querySelector(`[data-error-for="${CSS.escape(message.error.input)}"]`)) {
        showInputError(message.error.input, message.error.message);
        results.append(errorBox(message.error));
      } else results.append(errorBox(message.error));
      return;
    case 'runFinished':
      if (message.runId !== currentRun) return;
      controls?.setRunning(false);
      setChildren(status, summaryView(message.summary, actions));
      // Which run the shown results belong to (tests and screen readers can tell runs apart).
      status.dataset.finished = String(message.runId);
      return;
    case 'saved':
      status.append(h('div', { class: 'message info' }, message.message));
      return;
    case 'history':
      setChildren(historyBox, historyView(message.entries, (id) => bridge.post({ type: 'loadHistory', id }), (id) => bridge.post({ type: 'compareHistory', id })));
      return;
    case 'comparison':
      setChildren(comparisonBox, comparisonView(message.label, message.comparison, message.error));
      return;
  }
}
