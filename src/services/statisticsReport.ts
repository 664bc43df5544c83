// Model statistics as a readable markdown report: counts, average queue and compute times, per batch size.
import type { ModelStatistics, StatDuration, Uint64 } from '../triton/types';

function num(v: Uint64 | undefined): number {
  return v === undefined ? 0 : typeof v === 'bigint' ? Number(v) : v;
}

/** Average of a duration counter in a human unit; "—" when nothing was counted. */
export function averageOf(d: StatDuration | undefined): string {
  const count = num(d?.count);
  if (count === 0) return '—';
  return formatNs(num(d?.ns) / count);
}

export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(2)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function statisticsMarkdown(model: string, serverName: string, stats: readonly ModelStatistics[], now: Date = new Date()): string {
  const out = [`# Statistics of ${model} on ${serverName}`, '', `Read at ${now.toISOString()}.`, ''];
  if (stats.length === 0) {
    out.push('No statistics: the model has no loaded version.');
    return out.join('\n') + '\n';
  }
  for (const s of [...stats].sort((a, b) => Number(b.version) - Number(a.version))) {
    const i = s.inference_stats;
    const last = num(s.last_inference);
    out.push(`## Version ${cell(s.version)}`, '');
    out.push('| | |', '|---|---|');
    out.push(`| Inferences (batch elements) | ${num(s.inference_count)} |`);
    out.push(`| Executions | ${num(s.execution_count)} |`);
    out.push(`| Successful requests | ${num(i?.success?.count)} (avg ${averageOf(i?.success)}) |`);
    out.push(`| Failed requests | ${num(i?.fail?.count)} |`);
    out.push(`| Average queue time | ${averageOf(i?.queue)} |`);
    out.push(`| Average compute input | ${averageOf(i?.compute_input)} |`);
    out.push(`| Average compute infer | ${averageOf(i?.compute_infer)} |`);
    out.push(`| Average compute output | ${averageOf(i?.compute_output)} |`);
    if (num(i?.cache_hit?.count) + num(i?.cache_miss?.count) > 0) out.push(`| Cache hits / misses | ${num(i?.cache_hit?.count)} / ${num(i?.cache_miss?.count)} |`);
    out.push(`| Last inference | ${last === 0 ? 'never' : new Date(last).toISOString()} |`, '');
    const batches = [...(s.batch_stats ?? [])].sort((a, b) => num(a.batch_size) - num(b.batch_size));
    if (batches.length > 0) {
      out.push('### Per batch size', '', '| Batch size | Executions | Avg compute input | Avg compute infer | Avg compute output |', '|---:|---:|---:|---:|---:|');
      for (const b of batches) {
        out.push(`| ${num(b.batch_size)} | ${num(b.compute_infer?.count)} | ${averageOf(b.compute_input)} | ${averageOf(b.compute_infer)} | ${averageOf(b.compute_output)} |`);
      }
      out.push('');
    }
    const responses = Object.entries(s.response_stats ?? {});
    if (responses.length > 0) {
      out.push('### Per response (decoupled)', '', '| Response | Successes | Failures | Empty | Cancelled | Avg compute infer |', '|---:|---:|---:|---:|---:|---:|');
      for (const [k, r] of responses.sort((a, b) => Number(a[0]) - Number(b[0]))) {
        out.push(`| ${cell(k)} | ${num(r.success?.count)} | ${num(r.fail?.count)} | ${num(r.empty_response?.count)} | ${num(r.cancel?.count)} | ${averageOf(r.compute_infer)} |`);
      }
      out.push('');
    }
    if ((s.memory_usage ?? []).length > 0) {
      out.push('### Memory', '', ...s.memory_usage.map((m) => `- ${cell(m.type)} ${m.id}: ${num(m.byte_size)} bytes`), '');
    }
  }
  return out.join('\n');
}
