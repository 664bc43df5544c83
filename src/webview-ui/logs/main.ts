// The server log view: parsed Triton log entries with severity colours, filters, follow/pause, clear
// and copy, and links from model load failures to the model's config.pbtxt. Only the rows in view
// are in the DOM; positions come from LogModel's line offsets (rows never wrap, so a line is one height).
import '../common/theme';
import './logs.css';
import { connectBridge } from '../common/bridge';
import { h, icon, setChildren } from '../common/dom';
import type { LogEntry, LogFromWebview, LogToWebview, LogViewState } from '../../shared/logViewProtocol';
import { isLogToWebview, isLogViewState } from '../../shared/logViewProtocol';
import type { SeverityName } from './logModel';
import { allSeverities, LogModel } from './logModel';

const LINE_PX = 18;
const OVERSCAN_LINES = 40;

const model = new LogModel(50_000);
let server = '';
let source: string | undefined;
let follow = true;
let dropped = 0;
let highlightSeq: number | undefined;

const bridge = connectBridge<LogFromWebview, LogToWebview, LogViewState>(isLogToWebview, onMessage, isLogViewState);
const saved = bridge.savedState();

const severityLabels: Record<SeverityName, string> = { error: 'Errors', warning: 'Warnings', info: 'Info', text: 'Other output', notice: 'Notices' };
const severityBoxes = new Map<SeverityName, HTMLInputElement>();
for (const s of allSeverities) {
  severityBoxes.set(s, h('input', { type: 'checkbox', checked: saved === undefined || saved.severities.includes(s), 'data-severity': s, onchange: applyFilters }));
}
const modelSelect = h('select', { 'aria-label': 'Model', title: 'Show only lines about this model', onchange: applyFilters }, h('option', { value: '' }, 'All models'));
const textInput = h('input', { type: 'search', placeholder: 'Filter text', 'aria-label': 'Filter text', value: saved?.text ?? '', oninput: applyFilters });
const followButton = h('button', { class: 'secondary', title: 'Keep the newest line in view', onclick: () => setFollow(!follow) });
const status = h('span', { class: 'muted status', role: 'status' });
const sourceLine = h('div', { class: 'source muted' });
const spacer = h('div', { class: 'spacer' });
const rows = h('div', { class: 'rows' });
const viewport = h('div', { class: 'viewport', tabindex: '0', 'aria-label': 'Log lines' }, spacer, rows);

document.body.append(
  h('div', { class: 'toolbar row' },
    ...allSeverities.map((s) => h('label', { class: `sev-toggle sev-${s}` }, severityBoxes.get(s)!, severityLabels[s])),
    modelSelect,
    textInput,
    followButton,
    h('button', { class: 'secondary', title: 'Remove all lines from this view', onclick: () => bridge.post({ type: 'clear' }) }, icon('clear-all'), 'Clear'),
    h('button', { class: 'secondary', title: 'Copy the lines that pass the filters', onclick: () => bridge.post({ type: 'copy', text: model.shownText() }) }, icon('copy'), 'Copy'),
    status,
  ),
  sourceLine,
  viewport,
);

if (saved !== undefined) {
  server = saved.server;
  follow = saved.follow;
}
setFollow(follow);

// Only the user's own scrolling pauses following (content shrinking under a filter also scrolls);
// scrolling back to the bottom resumes it.
let userScroll = false;
const markUser = (): void => {
  userScroll = true;
};
viewport.addEventListener('wheel', markUser, { passive: true });
viewport.addEventListener('pointerdown', markUser);
viewport.addEventListener('keydown', markUser);
viewport.addEventListener('scroll', () => {
  if (userScroll) {
    userScroll = false;
    const atBottom = viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - LINE_PX;
    if (!atBottom && follow) setFollow(false);
    else if (atBottom && !follow) setFollow(true);
  }
  scheduleRender();
});
new ResizeObserver(() => scheduleRender()).observe(viewport);

function setFollow(on: boolean): void {
  follow = on;
  setChildren(followButton, icon(on ? 'debug-pause' : 'play'), on ? 'Pause' : 'Follow');
  followButton.setAttribute('aria-pressed', String(on));
  if (on) scrollToEnd();
  save();
}

function save(): void {
  bridge.saveState({ server, severities: allSeverities.filter((s) => severityBoxes.get(s)!.checked), model: modelSelect.value, text: textInput.value, follow });
}

function applyFilters(): void {
  const severities = new Set(allSeverities.filter((s) => severityBoxes.get(s)!.checked));
  model.setFilters({ severities, model: modelSelect.value, text: textInput.value });
  save();
  layout();
  if (follow) scrollToEnd();
}

// A repository rarely has more models than this; past it the text filter finds the rest.
const MAX_MODEL_OPTIONS = 300;
let modelsListed = -1;

function refreshModels(): void {
  const count = model.modelCount;
  if (count === modelsListed) return;
  modelsListed = count;
  const names = model.models().slice(0, MAX_MODEL_OPTIONS);
  const current = modelSelect.value || saved?.model || '';
  setChildren(modelSelect, h('option', { value: '' }, 'All models'), names.map((n) => h('option', { value: n }, n)));
  modelSelect.value = names.includes(current) ? current : '';
}

function onMessage(message: LogToWebview): void {
  switch (message.type) {
    case 'reset':
      server = message.server;
      source = message.source;
      model.maxLines = message.maxLines;
      model.reset(message.entries);
      dropped = 0;
      refreshModels();
      applyFilters();
      showSource();
      if (message.focusTime !== undefined) focusTime(message.focusTime);
      break;
    case 'append':
      dropped += message.dropped;
      model.append(message.entries);
      refreshModels();
      layout();
      if (follow) scrollToEnd();
      break;
    case 'focus':
      focusTime(message.timeMs);
      break;
    case 'source':
      source = message.source;
      showSource();
      break;
    case 'cleared':
      model.clear();
      dropped = 0;
      layout();
      break;
  }
}

function showSource(): void {
  if (source !== undefined) {
    setChildren(sourceLine, `${server}: ${source}`);
    return;
  }
  setChildren(sourceLine,
    `${server}: no log source. `,
    h('a', { href: '#', onclick: (e: Event) => {
      e.preventDefault();
      bridge.post({ type: 'configure' });
    } }, 'Configure one'),
    ' (a log file or a command such as docker logs -f) or start a server from the editor.');
}

function focusTime(timeMs: number): void {
  const p = model.positionAtTime(timeMs - 1000);
  if (p === undefined) return;
  setFollow(false);
  highlightSeq = model.at(p).seq;
  viewport.scrollTop = Math.max(0, model.lineOf(p) * LINE_PX - viewport.clientHeight / 3);
  scheduleRender();
}

function scrollToEnd(): void {
  viewport.scrollTop = viewport.scrollHeight;
  scheduleRender();
}

function layout(): void {
  spacer.style.height = `${model.totalLines * LINE_PX}px`;
  status.textContent = `${model.shownCount.toLocaleString()} of ${model.total.toLocaleString()} entries${dropped > 0 ? ` (${dropped.toLocaleString()} skipped while catching up)` : ''}`;
  scheduleRender();
}

let frame = 0;
function scheduleRender(): void {
  if (frame !== 0) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

function render(): void {
  if (model.shownCount === 0) {
    setChildren(rows, h('div', { class: 'empty muted' }, model.total === 0 ? 'No log lines yet.' : 'No lines match the filters.'));
    return;
  }
  const firstLine = Math.max(0, Math.floor(viewport.scrollTop / LINE_PX) - OVERSCAN_LINES);
  const lastLine = Math.ceil((viewport.scrollTop + viewport.clientHeight) / LINE_PX) + OVERSCAN_LINES;
  const nodes: HTMLElement[] = [];
  for (let p = model.positionAtLine(firstLine); p < model.shownCount && model.lineOf(p) <= lastLine; p++) {
    nodes.push(row(model.at(p), model.lineOf(p)));
  }
  rows.replaceChildren(...nodes);
}

function row(e: LogEntry, line: number): HTMLElement {
  const parts: (HTMLElement | string)[] = [];
  // The clock time is what one scans for; the date stays in the tooltip.
  if (e.time !== undefined) parts.push(h('span', { class: 'time', title: e.time }, e.time.slice(e.time.indexOf(' ') + 1)), ' ');
  if (e.source !== undefined) parts.push(h('span', { class: 'src' }, e.source), ' ');
  if (e.loadFailure === true && e.model !== undefined) {
    // Before the message: a long message would push the link out of view.
    const name = e.model;
    parts.push(h('a', { href: '#', class: 'config-link', title: `Open ${name}/config.pbtxt at the line this names`, onclick: (ev: Event) => {
      ev.preventDefault();
      bridge.post({ type: 'openConfig', model: name, message: e.message });
    } }, icon('go-to-file'), `${name}/config.pbtxt`), ' ');
  }
  parts.push(h('span', { class: 'msg' }, e.message));
  const el = h('div', {
    class: `entry sev-${e.severity}${e.seq === highlightSeq ? ' focused' : ''}`,
    'data-seq': e.seq,
    'data-severity': e.severity,
  }, ...parts);
  // Through CSSOM: the CSP allows no inline style attributes.
  el.style.top = `${line * LINE_PX}px`;
  return el;
}

layout();
