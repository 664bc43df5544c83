// Rendering of run results: top-k bars, tensor summaries with a histogram, BYTES text/hex, pictures
// of image-shaped outputs, errors in place, latency and server timings. Server text is only ever text.
import type { ComparisonView, HistogramView as Histogram, OutputViewData as OutputView } from '../../shared/outputViews';
import type { ErrorView, HistoryItem, OutputPicture, ResponseView, RunSummary, SentPreview } from '../../shared/inferenceProtocol';
import { h, icon } from '../common/dom';

export interface ResultActions {
  save(output: string, format: 'npy' | 'json'): void;
  openRaw(): void;
}

/** Inline style attributes are blocked by the CSP; sizes set through the CSSOM are not. */
function sized<T extends HTMLElement>(el: T, prop: 'width' | 'height', percent: number): T {
  el.style[prop] = `${Math.max(0, Math.min(100, percent)).toFixed(1)}%`;
  return el;
}

function ms(x: number): string {
  return x < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(1)} ms`;
}

/** RGBA (base64) drawn on a canvas: the page builds the picture itself, nothing is parsed as markup. */
export function rgbaCanvas(width: number, height: number, rgbaBase64: string, label: string): HTMLCanvasElement {
  const canvas = h('canvas', { width, height, class: 'picture', role: 'img', 'aria-label': label });
  const ctx = canvas.getContext('2d');
  if (ctx !== null) {
    const bin = atob(rgbaBase64);
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < data.length && i < bin.length; i++) data[i] = bin.charCodeAt(i);
    ctx.putImageData(new ImageData(data, width, height), 0, 0);
  }
  return canvas;
}

export function errorBox(error: ErrorView): HTMLElement {
  return h('div', { class: 'message error', role: 'alert', 'data-error': '' },
    h('div', { class: 'error-title' }, icon('error'), ' ', error.index !== undefined ? `Request ${error.index + 1}: ` : '', error.message),
    error.serverMessage !== undefined && !error.message.includes(error.serverMessage) ? h('div', { class: 'server-message' }, h('span', { class: 'muted' }, 'Server says: '), h('code', null, error.serverMessage)) : null,
    error.hint !== undefined ? h('div', { class: 'hint' }, error.hint) : null,
  );
}

function classificationView(view: Extract<OutputView, { kind: 'classification' }>): HTMLElement {
  return h('div', { class: 'classes' }, view.batches.map((entries, b) => {
    const top = Math.max(...entries.map((e) => (Number.isFinite(e.score) ? Math.abs(e.score) : 0)), 1e-12);
    return h('table', { class: 'bars', 'aria-label': `Top ${entries.length} classes${view.batches.length > 1 ? ` of batch entry ${b}` : ''}` },
      view.batches.length > 1 ? h('caption', null, `Batch entry ${b}`) : null,
      h('tbody', null, entries.map((e, rank) => h('tr', { class: rank === 0 ? 'top' : '' },
        h('td', { class: 'label' }, e.label ?? `class ${e.index}`),
        h('td', { class: 'bar-cell' }, sized(h('span', { class: 'bar' }), 'width', (Math.abs(e.score) / top) * 100)),
        h('td', { class: 'num' }, Number.isFinite(e.score) ? e.score.toFixed(6) : String(e.score)),
        h('td', { class: 'num muted' }, `#${e.index}`),
      ))));
  }));
}

function histogramView(hist: Histogram | undefined): HTMLElement | null {
  if (hist === undefined || hist.counts.length === 0) return null;
  const max = Math.max(...hist.counts, 1);
  const edge = (i: number): string => String(Number((hist.start + i * hist.width).toPrecision(4)));
  return h('div', { class: 'histogram', role: 'img', 'aria-label': `Histogram of ${hist.counts.length} bins from ${edge(0)} to ${edge(hist.counts.length)}` },
    hist.counts.map((c, i) => sized(h('span', { class: 'hbar', title: `${edge(i)}…${edge(i + 1)}: ${c}` }), 'height', (c / max) * 100)));
}

function numericView(view: Extract<OutputView, { kind: 'numeric' }>): HTMLElement {
  const stats = h('table', { class: 'stats' }, h('tbody', null,
    h('tr', null, h('th', null, 'elements'), h('td', { class: 'num' }, String(view.count))),
    view.min !== undefined ? h('tr', null, h('th', null, 'min'), h('td', { class: 'num' }, view.min)) : null,
    view.max !== undefined ? h('tr', null, h('th', null, 'max'), h('td', { class: 'num' }, view.max)) : null,
    view.mean !== undefined ? h('tr', null, h('th', null, 'mean'), h('td', { class: 'num' }, String(Number(view.mean.toPrecision(7))))) : null,
    view.nanCount + view.infCount > 0 ? h('tr', null, h('th', null, 'NaN / Inf'), h('td', { class: 'num' }, `${view.nanCount} / ${view.infCount}`)) : null,
  ));
  return h('div', { class: 'numeric' },
    h('div', { class: 'values mono' }, view.first.join(', '), view.count > view.first.length ? h('span', { class: 'muted' }, ` … ${view.count - view.first.length} more`) : null),
    h('div', { class: 'row' }, stats, histogramView(view.histogram)),
  );
}

function bytesView(view: Extract<OutputView, { kind: 'bytes' }>): HTMLElement {
  return h('ol', { class: 'bytes', start: 0 },
    view.elements.map((e) => h('li', null,
      e.encoding === 'hex' ? h('span', { class: 'badge' }, 'hex') : null, ' ',
      h('span', { class: 'mono' }, e.value),
      e.moreBytes > 0 ? h('span', { class: 'muted' }, ` … ${e.moreBytes} more bytes`) : null)),
    view.moreElements > 0 ? h('li', { class: 'muted' }, `… ${view.moreElements} more elements`) : null,
  );
}

function outputView(view: OutputView, pictures: OutputPicture[], actions: ResultActions): HTMLElement {
  const picture = pictures.find((p) => p.name === view.name);
  const shape = 'shape' in view ? `${view.datatype} [${view.shape.join(', ')}]` : 'top-k';
  let body: HTMLElement;
  switch (view.kind) {
    case 'classification': body = classificationView(view); break;
    case 'numeric': body = numericView(view); break;
    case 'bytes': body = bytesView(view); break;
    case 'sharedMemory': body = h('div', null, `written to shared-memory region ${view.region} (${view.byteSize} bytes at offset ${view.offset})`); break;
    case 'error': body = errorBox({ message: view.message }); break;
  }
  const savable = view.kind === 'numeric' || view.kind === 'bytes';
  return h('section', { class: 'output', 'data-output': view.name },
    h('header', { class: 'row' },
      h('h3', null, view.name), h('span', { class: 'muted' }, shape),
      savable ? h('span', { class: 'spacer' }) : null,
      savable ? h('button', { class: 'secondary', type: 'button', onclick: () => actions.save(view.name, 'npy'), title: `Save ${view.name} as .npy` }, icon('save'), ' .npy') : null,
      savable ? h('button', { class: 'secondary', type: 'button', onclick: () => actions.save(view.name, 'json'), title: `Save ${view.name} as .json` }, icon('json'), ' .json') : null,
    ),
    picture ? rgbaCanvas(picture.width, picture.height, picture.rgbaBase64, `${view.name} as an image`) : null,
    body,
  );
}

export function responseCard(response: ResponseView, actions: ResultActions): HTMLElement {
  const meta = [`${response.model} v${response.version}`, ms(response.latencyMs)];
  if (response.id) meta.push(`id ${response.id}`);
  if (response.final) meta.push('final');
  return h('article', { class: 'response', 'data-response': String(response.index) },
    h('header', { class: 'muted' }, `Response ${response.index + 1} · `, meta.join(' · ')),
    response.outputs.map((o) => outputView(o, response.pictures, actions)),
    response.parameters && Object.keys(response.parameters).length > 0
      ? h('div', { class: 'muted params' }, 'parameters: ', Object.entries(response.parameters).map(([k, v]) => `${k}=${String(v)}`).join(', '))
      : null,
  );
}

export function summaryView(summary: RunSummary, actions: ResultActions): HTMLElement {
  const parts: string[] = [`${summary.requests} request(s)`];
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.latency) {
    parts.push(summary.requests > 1 ? `latency p50 ${ms(summary.latency.p50)}, p90 ${ms(summary.latency.p90)}, max ${ms(summary.latency.max)}` : `latency ${ms(summary.latency.p50)}`);
  }
  parts.push(`wall ${ms(summary.wallMs)}`);
  if (summary.stopped) parts.push('stopped');
  const t = summary.serverTimings;
  const shm = summary.sharedMemory;
  return h('div', { class: 'summary', 'data-summary': '' },
    h('div', { class: 'row', role: 'status' }, icon(summary.failed > 0 ? 'warning' : 'pass'), ' ', parts.join(' · ')),
    shm ? h('div', { class: 'muted', 'data-shm-summary': '' }, `Shared memory: ${shm.bytes.toLocaleString('en-US')} bytes of tensors did not cross the socket`, shm.notes.map((n) => h('div', null, `· ${n}`))) : null,
    t ? h('div', { class: 'muted timings' }, `Server (statistics, per request): queue ${(t.queueUs / 1000).toFixed(3)} ms · input ${(t.computeInputUs / 1000).toFixed(3)} ms · infer ${(t.computeInferUs / 1000).toFixed(3)} ms · output ${(t.computeOutputUs / 1000).toFixed(3)} ms`) : null,
    summary.raw ? h('details', { class: 'raw' },
      h('summary', null, 'Raw request and response'),
      h('button', { class: 'secondary', type: 'button', onclick: () => actions.openRaw() }, icon('go-to-file'), ' Open in editor'),
      h('h3', null, 'Request'), h('pre', null, summary.raw.request),
      h('h3', null, 'Response'), h('pre', null, summary.raw.response)) : null,
  );
}

export function sentPreviewView(preview: SentPreview): HTMLElement {
  return h('div', { class: 'sent', 'data-sent-preview': '' },
    preview.image ? rgbaCanvas(preview.image.width, preview.image.height, preview.image.rgbaBase64, 'The resized image that is sent') : null,
    h('div', null,
      h('div', null, `Sent: ${preview.datatype} [${preview.shape.join(', ')}]`),
      h('table', { class: 'stats' }, h('thead', null, h('tr', null, h('th', null, 'channel'), h('th', null, 'min'), h('th', null, 'max'), h('th', null, 'mean'))),
        h('tbody', null, preview.channels.map((c, i) => h('tr', null, h('td', null, String(i)), h('td', { class: 'num' }, String(Number(c.min.toPrecision(6)))), h('td', { class: 'num' }, String(Number(c.max.toPrecision(6)))), h('td', { class: 'num' }, String(Number(c.mean.toPrecision(6))))))))),
  );
}

export function historyView(entries: HistoryItem[], load: (id: string) => void, compare: (id: string) => void): HTMLElement {
  if (entries.length === 0) return h('div');
  return h('details', { class: 'history-list' },
    h('summary', null, `History (${entries.length})`),
    h('table', null, h('tbody', null, entries.map((e) => h('tr', null,
      h('td', { class: 'muted' }, new Date(e.timestamp).toLocaleTimeString()),
      h('td', { class: 'mono' }, e.model, e.modelVersion ? ` v${e.modelVersion}` : ''),
      h('td', null, [e.protocol?.toUpperCase(), e.mode].filter(Boolean).join(' · ')),
      h('td', { class: 'num' }, e.latencyMs !== undefined ? ms(e.latencyMs) : ''),
      h('td', { class: e.error ? 'error-text' : '' }, e.error ?? 'ok'),
      h('td', null,
        e.canLoad ? h('button', { type: 'button', class: 'secondary', 'data-load': '', onclick: () => load(e.id) }, 'Load') : null,
        e.canCompare ? h('button', { type: 'button', class: 'secondary', 'data-compare': '', onclick: () => compare(e.id) }, 'Compare') : null),
    )))));
}

/** The last run against a history entry: per output, agreement of type, shape, values and top-k. */
export function comparisonView(label: string, comparison: ComparisonView | undefined, error: string | undefined): HTMLElement {
  if (comparison === undefined) return h('div', { class: 'message warning', 'data-comparison': '' }, `Compare with ${label}: ${error ?? 'nothing to compare'}`);
  const side = (s: { model: string; version: string }): string => `${s.model} v${s.version}`;
  return h('div', { class: 'comparison', 'data-comparison': '' },
    h('div', null, icon(comparison.same ? 'pass' : 'diff'), ` Last run (${side(comparison.a)}) against ${label} (${side(comparison.b)}): `, comparison.same ? 'the same' : 'different'),
    h('table', null,
      h('thead', null, h('tr', null, h('th', null, 'Output'), h('th', null, 'Type / shape'), h('th', null, 'Largest |a − b|'), h('th', null, 'Top-k'))),
      h('tbody', null, comparison.outputs.map((o) => h('tr', null,
        h('td', { class: 'mono' }, o.name),
        h('td', null, !o.inA || !o.inB ? `only in ${o.inA ? 'the last run' : 'the entry'}` : o.datatypeEqual && o.shapeEqual ? 'same' : `${o.a?.datatype} [${o.a?.shape.join(', ')}] vs ${o.b?.datatype} [${o.b?.shape.join(', ')}]`),
        h('td', { class: 'num' }, o.maxAbsDiff !== undefined ? `${Number(o.maxAbsDiff.toPrecision(6))}${o.complete ? '' : ` (first ${o.compared})`}` : o.differentElements !== undefined ? `${o.differentElements} element(s) differ` : ''),
        h('td', null, o.topK ? o.topK.map((t) => `${t.top1Same ? 'same top-1' : 'top-1 differs'}, ${t.common}/${t.k} in common`).join('; ') : ''),
      )))));
}
