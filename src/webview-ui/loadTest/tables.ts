// The load test's tables: one row per step (live while it runs), the server's own time split over
// the run, and a saved run compared with the last one. Everything is text made with h().
import { h } from '../common/dom';
import type { LoadStep, LoadTestResult, StepComparison } from '../../shared/loadTestProtocol';

/** A figure with `digits` decimals, or a dash when it could not be measured (null/NaN over JSON). */
export function fmt(v: number | null | undefined, digits = 1): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';
}

export function stepsTable(steps: readonly (LoadStep & { live?: boolean })[]): HTMLElement {
  const head = ['Step', 'Requests', 'Errors', 'Throughput (req/s)', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'Mean (ms)'];
  return h('table', { class: 'results', 'aria-label': 'Results per step' },
    h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, steps.map((s) => h('tr', { class: s.live ? 'live' : s.errors > 0 ? 'has-errors' : null, 'data-step': s.label },
      h('th', { scope: 'row' }, s.label, s.live ? ' (running)' : ''),
      h('td', null, fmt(s.requests, 0)), h('td', null, fmt(s.errors, 0)), h('td', null, fmt(s.throughput)),
      h('td', null, fmt(s.latency.p50Ms, 2)), h('td', null, fmt(s.latency.p90Ms, 2)), h('td', null, fmt(s.latency.p99Ms, 2)), h('td', null, fmt(s.latency.meanMs, 2))))));
}

/** The first error of each step that had errors. */
export function stepErrors(steps: readonly LoadStep[]): HTMLElement | null {
  const failed = steps.filter((s) => s.firstError !== undefined && s.firstError !== null);
  if (failed.length === 0) return null;
  return h('ul', { class: 'errors' }, failed.map((s) => h('li', null, `${s.label}: ${s.errors} failed, first: ${s.firstError}`)));
}

export function serverSection(result: LoadTestResult): HTMLElement {
  const s = result.server;
  if (s === undefined || s === null) {
    return h('p', { class: 'muted', 'data-server-times': '' }, `Server-side times unavailable: ${result.statisticsError ?? 'the statistics could not be read'}`);
  }
  const cells: [string, number][] = [['Queue', s.queueUs], ['Compute input', s.computeInputUs], ['Compute infer', s.computeInferUs], ['Compute output', s.computeOutputUs]];
  return h('div', { 'data-server-times': '' },
    h('p', { class: 'muted' }, `Server-side, from the model's statistics before and after the run: ${fmt(s.requests, 0)} successful and ${fmt(s.failed, 0)} failed inferences; average per inference over the whole run (all steps).`),
    h('table', { class: 'results', 'aria-label': 'Server-side times' },
      h('thead', null, h('tr', null, cells.map(([t]) => h('th', { scope: 'col' }, `${t} (µs)`)))),
      h('tbody', null, h('tr', null, cells.map(([, v]) => h('td', null, fmt(v)))))));
}

function ratioCell(r: number | null | undefined, higherIsBetter: boolean): HTMLElement {
  const text = typeof r === 'number' && Number.isFinite(r) ? `×${r.toFixed(2)}` : '—';
  const better = typeof r === 'number' && Number.isFinite(r) && Math.abs(r - 1) >= 0.05 ? (r > 1) === higherIsBetter : undefined;
  return h('td', { class: better === undefined ? null : better ? 'better' : 'worse' }, text);
}

export function comparisonTable(label: string, rows: readonly StepComparison[]): HTMLElement {
  const head = ['Step', 'Saved req/s', 'This req/s', 'Ratio', 'Saved p50', 'This p50', 'Ratio', 'Saved p99', 'This p99', 'Ratio', 'Errors Δ'];
  return h('div', { class: 'comparison' },
    h('p', null, 'This run against ', h('strong', null, label), ' (latencies in ms).'),
    h('table', { class: 'results', 'aria-label': 'Comparison with a saved run' },
      h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((r) => h('tr', null,
        h('th', { scope: 'row' }, r.label),
        h('td', null, fmt(r.base?.throughput)), h('td', null, fmt(r.next?.throughput)), ratioCell(r.throughputRatio, true),
        h('td', null, fmt(r.base?.latency.p50Ms, 2)), h('td', null, fmt(r.next?.latency.p50Ms, 2)), ratioCell(r.p50Ratio, false),
        h('td', null, fmt(r.base?.latency.p99Ms, 2)), h('td', null, fmt(r.next?.latency.p99Ms, 2)), ratioCell(r.p99Ratio, false),
        h('td', null, r.errorsDelta > 0 ? `+${r.errorsDelta}` : String(r.errorsDelta)))))));
}
