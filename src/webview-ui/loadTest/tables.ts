// The load test's tables: one row per step (live while it runs), the server's own time split per
// step and over the run, and a saved run compared with the last one. Everything is text made with h().
import { h } from '../common/dom';
import type { LoadStep, LoadTestResult, ServerTimes, StepComparison } from '../../shared/loadTestProtocol';

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

/** The server's compute time per inference (input + infer + output), µs; a part not measured (null over JSON) leaves it unknown. */
function computeUs(s: ServerTimes | null | undefined): number | undefined {
  if (s === undefined || s === null) return undefined;
  const parts: unknown[] = [s.computeInputUs, s.computeInferUs, s.computeOutputUs];
  return parts.every((v): v is number => typeof v === 'number') ? (parts as number[]).reduce((a, b) => a + b, 0) : undefined;
}

function serverRow(label: string, times: ServerTimes | null | undefined, error: string | undefined, attrs: Record<string, string>): HTMLElement {
  const head = h('th', { scope: 'row' }, label);
  if (times === undefined || times === null) {
    return h('tr', { ...attrs, class: `${attrs.class ?? ''} unavailable`.trim() }, head, h('td', { colspan: 6, class: 'muted' }, `unavailable: ${error ?? 'the statistics could not be read'}`));
  }
  return h('tr', attrs, head,
    h('td', null, fmt(times.requests, 0)), h('td', null, fmt(times.failed, 0)), h('td', null, fmt(times.queueUs)),
    h('td', null, fmt(times.computeInputUs)), h('td', null, fmt(times.computeInferUs)), h('td', null, fmt(times.computeOutputUs)));
}

/**
 * The server's own time split per finished step (from the model's statistics read before and after
 * each step) and, once the run is over, over the whole run.
 */
export function serverSection(steps: readonly (LoadStep & { live?: boolean })[], result?: LoadTestResult): HTMLElement | null {
  const done = steps.filter((s) => s !== undefined && !s.live);
  if (done.length === 0 && result === undefined) return null;
  const head = ['Step', 'Inferences', 'Failed', 'Queue (µs)', 'Compute input (µs)', 'Compute infer (µs)', 'Compute output (µs)'];
  const rows = done.map((s) => serverRow(s.label, s.server, s.statisticsError ?? undefined, { 'data-server-step': s.label }));
  if (result !== undefined) rows.push(serverRow('Whole run', result.server, result.statisticsError ?? undefined, { 'data-server-run': '', class: 'total' }));
  return h('div', { 'data-server-times': '' },
    h('h3', null, 'Server-side times'),
    h('p', { class: 'muted' }, 'From the model\'s statistics read before and after each step (the reads are not counted in the step\'s time): inferences the server counted, and its average time per successful inference.'),
    h('table', { class: 'results', 'aria-label': 'Server-side times per step' },
      h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows)));
}

function ratioCell(r: number | null | undefined, higherIsBetter: boolean): HTMLElement {
  const text = typeof r === 'number' && Number.isFinite(r) ? `×${r.toFixed(2)}` : '—';
  const better = typeof r === 'number' && Number.isFinite(r) && Math.abs(r - 1) >= 0.05 ? (r > 1) === higherIsBetter : undefined;
  return h('td', { class: better === undefined ? null : better ? 'better' : 'worse' }, text);
}

export function comparisonTable(label: string, rows: readonly StepComparison[]): HTMLElement {
  const head = ['Step', 'Saved req/s', 'This req/s', 'Ratio', 'Saved p50', 'This p50', 'Ratio', 'Saved p99', 'This p99', 'Ratio', 'Errors Δ',
    'Saved server compute', 'This server compute', 'Ratio', 'Saved queue', 'This queue', 'Ratio'];
  return h('div', { class: 'comparison' },
    h('p', null, 'This run against ', h('strong', null, label), ' (latencies in ms; the server\'s compute and queue times per inference in µs).'),
    h('table', { class: 'results', 'aria-label': 'Comparison with a saved run' },
      h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((r) => h('tr', null,
        h('th', { scope: 'row' }, r.label),
        h('td', null, fmt(r.base?.throughput)), h('td', null, fmt(r.next?.throughput)), ratioCell(r.throughputRatio, true),
        h('td', null, fmt(r.base?.latency.p50Ms, 2)), h('td', null, fmt(r.next?.latency.p50Ms, 2)), ratioCell(r.p50Ratio, false),
        h('td', null, fmt(r.base?.latency.p99Ms, 2)), h('td', null, fmt(r.next?.latency.p99Ms, 2)), ratioCell(r.p99Ratio, false),
        h('td', null, r.errorsDelta > 0 ? `+${r.errorsDelta}` : String(r.errorsDelta)),
        h('td', null, fmt(computeUs(r.base?.server))), h('td', null, fmt(computeUs(r.next?.server))), ratioCell(r.computeRatio, false),
        h('td', null, fmt(r.base?.server?.queueUs)), h('td', null, fmt(r.next?.server?.queueUs)), ratioCell(r.queueRatio, false))))));
}
