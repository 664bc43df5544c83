// The load-test page: settings (a concurrency sweep or a fixed rate, protocol, bounds), Start/Stop,
// live charts of throughput and p50/p90/p99 per step, the results table, server-side times per step,
// and the saved-run comparison. The host runs everything; the page shows what it is sent, as text.
import '../common/theme';
import './loadTest.css';
import { connectBridge } from '../common/bridge';
import { h, icon, setChildren } from '../common/dom';
import type { FromLoadTestPage, LoadSample, LoadStep, LoadTestInit, LoadTestPageState, LoadTestResult, LoadTestSettings, ToLoadTestPage } from '../../shared/loadTestProtocol';
import { isLoadTestPageState, isToLoadTestPage } from '../../shared/loadTestProtocol';
import { lineChart } from './charts';
import { comparisonTable, fmt, serverSection, stepErrors, stepsTable } from './tables';

const bridge = connectBridge<FromLoadTestPage, ToLoadTestPage, LoadTestPageState>(isToLoadTestPage, onMessage, isLoadTestPageState);

let init: LoadTestInit | undefined;
/** The last finished run as its saved record: kept in the page's state, it comes back after a window reload. */
let lastRun: Record<string, unknown> | undefined = bridge.savedState()?.lastRun;
let runId = -1;
let running = false;
/** The steps so far, the running one live: the table, and the charts' points in a sweep. */
let steps: (LoadStep & { live?: boolean })[] = [];
/** A fixed rate is one long step: its charts show every sample over time. */
let timeline: LoadSample[] = [];
let mode: LoadTestSettings['mode'] = 'concurrency';

const root = h('main', { class: 'load-test' }, h('p', { class: 'muted' }, 'Reading the model from the server…'));
document.body.append(root);

const field = (label: string, input: HTMLElement, hint?: string): HTMLElement => h('label', { class: 'field' }, h('span', null, label), input, hint ? h('small', { class: 'muted' }, hint) : null);
const modeSelect = h('select', { 'data-mode': '', onchange: () => showMode() }, h('option', { value: 'concurrency' }, 'Concurrency sweep'), h('option', { value: 'rate' }, 'Fixed request rate'));
const levelsInput = h('input', { type: 'text', 'data-levels': '', size: 16, spellcheck: 'false' });
const stepInput = h('input', { type: 'number', 'data-step-seconds': '', min: 0.1, step: 0.5 });
const rateInput = h('input', { type: 'number', 'data-rate': '', min: 1, step: 1 });
const durationInput = h('input', { type: 'number', 'data-duration': '', min: 0.1, step: 1 });
const protocolSelect = h('select', { 'data-protocol': '' }, h('option', { value: 'http' }, 'HTTP'), h('option', { value: 'grpc' }, 'gRPC'));
const maxRequestsInput = h('input', { type: 'number', 'data-max-requests': '', min: 1, step: 1 });
const maxSecondsInput = h('input', { type: 'number', 'data-max-seconds': '', min: 1, step: 1 });
const sweepFields = h('div', { class: 'row' }, field('Concurrency levels', levelsInput, 'e.g. 1,2,4,8'), field('Step duration (s)', stepInput));
const rateFields = h('div', { class: 'row' }, field('Requests per second', rateInput), field('Duration (s)', durationInput));
const boundsNote = h('p', { class: 'muted bounds' });
const startButton = h('button', { type: 'button', class: 'primary', 'data-start': '', onclick: () => start() }, icon('play'), ' Start');
const stopButton = h('button', { type: 'button', class: 'secondary', 'data-stop': '', disabled: true, onclick: () => bridge.post({ type: 'stop' }) }, icon('debug-stop'), ' Stop');
const saveButton = h('button', { type: 'button', class: 'secondary', 'data-save': '', disabled: true, onclick: () => bridge.post({ type: 'save' }) }, icon('save'), ' Save run…');
const compareButton = h('button', { type: 'button', class: 'secondary', 'data-compare': '', disabled: true, onclick: () => bridge.post({ type: 'compare' }) }, icon('diff'), ' Compare with saved run…');
const copyButton = h('button', { type: 'button', class: 'secondary', 'data-copy-command': '', onclick: () => withSettings((settings) => bridge.post({ type: 'copyCommand', settings })) }, icon('terminal'), ' Copy perf_analyzer command…');
const status = h('p', { class: 'status', role: 'status', 'data-status': '' });
const notice = h('p', { class: 'notice', role: 'status' });
const charts = h('div', { class: 'charts' });
const results = h('div', { class: 'results-box' });
const server = h('div', { class: 'server-box' });
const comparison = h('div', { class: 'comparison-box' });

for (const input of [modeSelect, levelsInput, stepInput, rateInput, durationInput, protocolSelect, maxRequestsInput, maxSecondsInput]) {
  input.addEventListener('change', () => { saveState(); showBounds(); });
}

function numberOf(input: HTMLInputElement): number {
  return input.value.trim() === '' ? Number.NaN : Number(input.value);
}

function readSettings(): LoadTestSettings {
  return {
    mode: modeSelect.value === 'rate' ? 'rate' : 'concurrency',
    levels: levelsInput.value.split(/[\s,]+/).filter((t) => t !== '').map(Number).slice(0, 64),
    stepSeconds: numberOf(stepInput), rate: numberOf(rateInput), durationSeconds: numberOf(durationInput),
    protocol: protocolSelect.value === 'grpc' ? 'grpc' : 'http',
    maxRequests: numberOf(maxRequestsInput), maxSeconds: numberOf(maxSecondsInput),
  };
}

function writeSettings(s: LoadTestSettings): void {
  modeSelect.value = s.mode;
  levelsInput.value = s.levels.join(',');
  stepInput.value = String(s.stepSeconds);
  rateInput.value = String(s.rate);
  durationInput.value = String(s.durationSeconds);
  protocolSelect.value = s.protocol;
  maxRequestsInput.value = String(s.maxRequests);
  maxSecondsInput.value = String(s.maxSeconds);
  showMode();
}

function saveState(): void {
  if (init !== undefined) bridge.saveState({ target: init.target, settings: readSettings(), ...(lastRun !== undefined ? { lastRun } : {}) });
}

function showMode(): void {
  const rate = modeSelect.value === 'rate';
  sweepFields.hidden = rate;
  rateFields.hidden = !rate;
  showBounds();
}

function showBounds(): void {
  if (init === undefined) return;
  const s = readSettings();
  const planned = s.mode === 'rate' ? s.durationSeconds : s.levels.length * s.stepSeconds;
  setChildren(boundsNote, `Planned: about ${fmt(planned, 1)} s. Bounds: the run stops after ${fmt(s.maxRequests, 0)} requests or ${fmt(s.maxSeconds, 0)} s, whichever comes first (at most ${fmt(init.limits.maxRequests, 0)} requests and ${fmt(init.limits.maxSeconds, 0)} s; concurrency up to ${init.limits.maxConcurrency}, rate up to ${fmt(init.limits.maxRate, 0)}/s).`);
}

function setRunning(on: boolean): void {
  running = on;
  startButton.disabled = on || init?.decoupled === true;
  stopButton.disabled = !on;
}

/** The first field that is not a number (NaN would reach the host as null and be dropped), or undefined. */
function notANumber(s: LoadTestSettings): string | undefined {
  const fields: [string, number][] = [['Max requests', s.maxRequests], ['Max time', s.maxSeconds]];
  if (s.mode === 'rate') fields.push(['Requests per second', s.rate], ['Duration', s.durationSeconds]);
  else fields.push(['Step duration', s.stepSeconds], ...s.levels.map((l): [string, number] => ['Concurrency levels', l]));
  return fields.find(([, v]) => !Number.isFinite(v))?.[0];
}

function withSettings(send: (s: LoadTestSettings) => void): void {
  const s = readSettings();
  const bad = notANumber(s);
  if (bad !== undefined) {
    setChildren(notice, h('span', { class: 'error' }, `${bad}: give a number (concurrency levels as e.g. 1,2,4,8).`));
    return;
  }
  setChildren(notice);
  saveState();
  send(s);
}

function start(): void {
  if (running) return;
  withSettings((settings) => bridge.post({ type: 'start', settings }));
}

function render(): void {
  if (init === undefined) return;
  const warnings: HTMLElement[] = [];
  if (init.decoupled) warnings.push(h('p', { class: 'message warning' }, icon('warning'), ' This model is decoupled: its answers come over a stream, which the load test does not drive.'));
  if (init.sequence) warnings.push(h('p', { class: 'message warning' }, icon('warning'), ' This is a sequence model: its requests carry state. Start asks you to confirm before it repeats one request.'));
  protocolSelect.querySelector<HTMLOptionElement>('option[value="grpc"]')!.disabled = !init.grpcAvailable;
  setChildren(root,
    h('header', { class: 'title' },
      h('h1', null, icon('pulse'), ' Load test ', init.target.model, init.target.version ? ` v${init.target.version}` : ''),
      h('span', { class: 'muted' }, `on ${init.serverName}`)),
    h('p', { class: 'payload', 'data-payload': '' }, h('strong', null, 'Payload: '), init.payload),
    warnings,
    h('section', { class: 'panel-section settings', 'aria-label': 'Settings' },
      h('div', { class: 'row' }, field('Load', modeSelect), field('Protocol', protocolSelect), field('Max requests', maxRequestsInput), field('Max time (s)', maxSecondsInput)),
      sweepFields, rateFields, boundsNote,
      h('div', { class: 'row' }, startButton, stopButton, saveButton, compareButton, copyButton)),
    status, notice,
    h('section', { class: 'panel-section', 'aria-label': 'Charts' }, charts),
    h('section', { class: 'panel-section', 'aria-label': 'Results' }, h('h2', null, 'Results'), results, server),
    comparison);
  setRunning(running);
  drawResults();
}

function drawResults(): void {
  // A fixed-rate run restored after a restart has no samples left: its step is the one point.
  const points: LoadStep[] = mode === 'rate' && timeline.length > 0 ? timeline.map((t) => ({ ...t, label: `${(t.elapsedMs / 1000).toFixed(1)} s` })) : steps;
  const labels = points.map((p) => p.label);
  setChildren(charts,
    lineChart('Throughput', 'req/s', labels, [{ name: 'throughput', cls: 'series-a', values: points.map((p) => p.throughput) }]),
    lineChart('Latency', 'ms', labels, [
      { name: 'p50', cls: 'series-a', values: points.map((p) => p.latency.p50Ms) },
      { name: 'p90', cls: 'series-b', values: points.map((p) => p.latency.p90Ms) },
      { name: 'p99', cls: 'series-c', values: points.map((p) => p.latency.p99Ms) },
    ]));
  setChildren(results, steps.length === 0 ? h('p', { class: 'muted' }, 'No run yet.') : [stepsTable(steps), stepErrors(steps)]);
}

function onSample(sample: LoadSample): void {
  if (mode === 'rate') {
    timeline.push(sample);
    // A long run keeps its latest samples: the chart stays readable and cheap to redraw.
    if (timeline.length > 1200) timeline.splice(0, timeline.length - 1200);
  }
  steps[sample.step] = { ...sample, live: true };
  setChildren(status, `Running ${sample.label}: ${fmt(sample.requests, 0)} requests, ${fmt(sample.throughput)} req/s, p99 ${fmt(sample.latency.p99Ms, 2)} ms · ${fmt(sample.elapsedMs / 1000, 1)} s`);
  drawResults();
}

function onStep(index: number, step: LoadStep): void {
  steps[index] = step;
  setChildren(server, serverSection(steps));
  drawResults();
}

function onFinished(result: LoadTestResult): void {
  setRunning(false);
  steps = [...result.steps];
  const how = result.stoppedBy === 'done' ? 'finished' : `stopped (${result.stoppedBy})`;
  setChildren(status, `Run ${how}: ${fmt(result.requests, 0)} requests, ${fmt(result.errors, 0)} errors in ${fmt(result.seconds, 1)} s.`);
  setChildren(server, serverSection(steps, result));
  saveButton.disabled = false;
  compareButton.disabled = false;
  drawResults();
}

function onMessage(message: ToLoadTestPage): void {
  switch (message.type) {
    case 'init':
      init = message;
      writeSettings(bridge.savedState()?.settings ?? message.settings);
      if (!init.grpcAvailable) protocolSelect.value = 'http';
      saveState();
      render();
      return;
    case 'loadError':
      setChildren(root, h('p', { class: 'message error' }, icon('error'), ' ', message.message));
      return;
    case 'started':
      runId = message.runId;
      mode = message.settings.mode;
      steps = [];
      timeline = [];
      setChildren(server);
      setChildren(notice);
      setChildren(status, 'Starting…');
      setRunning(true);
      drawResults();
      return;
    case 'sample': if (message.runId === runId) onSample(message.sample); return;
    case 'step': if (message.runId === runId) onStep(message.index, message.step); return;
    case 'finished':
      if (message.runId !== runId) return;
      lastRun = { ...message.run, result: message.result };
      saveState();
      onFinished(message.result);
      return;
    case 'runError':
      if (message.runId === runId) setRunning(false);
      setChildren(status, h('span', { class: 'error' }, icon('error'), ' ', message.message));
      return;
    case 'comparison': setChildren(comparison, h('h2', null, 'Comparison'), comparisonTable(message.label, message.rows)); return;
    case 'notice': setChildren(notice, h('span', { class: message.error ? 'error' : 'muted' }, message.message)); return;
  }
}
