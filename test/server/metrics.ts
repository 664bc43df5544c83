// Prometheus metrics in Triton's families (opt-in with --metrics-port), computed from the same statistics.
import * as http from 'node:http';
import { cpus, freemem, totalmem } from 'node:os';
import type { ModelRepository } from './repository';

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

const labelText = (labels: Record<string, string>): string => {
  const keys = Object.keys(labels).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${labels[k]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}` : '';
};

let lastCpu = cpus().map((c) => c.times);

/** System CPU utilization since the previous scrape, 0..1. */
function cpuUtilization(): number {
  const now = cpus().map((c) => c.times);
  let busy = 0;
  let total = 0;
  now.forEach((t, i) => {
    const p = lastCpu[i] ?? t;
    const idle = t.idle - p.idle;
    const all = t.user - p.user + t.nice - p.nice + t.sys - p.sys + t.irq - p.irq + idle;
    busy += all - idle;
    total += all;
  });
  lastCpu = now;
  return total > 0 ? busy / total : 0;
}

export function renderMetrics(repo: ModelRepository): string {
  const models = repo.loadedVersions();
  const perModel = (name: string, help: string, type: Family['type'], value: (s: (typeof models)[number]['version']['stats']) => number, extra: Record<string, string> = {}): Family => ({
    name, help, type, samples: models.map((m) => ({ labels: { model: m.name, version: String(m.version.version), ...extra }, value: value(m.version.stats) })),
  });
  const families: Family[] = [
    perModel('nv_inference_request_success', 'Number of successful inference requests, all batch sizes', 'counter', (s) => s.success.count),
    {
      name: 'nv_inference_request_failure', help: 'Number of failed inference requests, all batch sizes', type: 'counter',
      samples: models.flatMap((m) => ['REJECTED', 'CANCELED', 'BACKEND', 'OTHER'].map((reason) => ({
        labels: { model: m.name, version: String(m.version.version), reason }, value: reason === 'BACKEND' ? m.version.stats.fail.count : 0,
      }))),
    },
    perModel('nv_inference_count', 'Number of inferences performed (does not include cached requests)', 'counter', (s) => s.inferenceCount),
    perModel('nv_inference_exec_count', 'Number of model executions performed (does not include cached requests)', 'counter', (s) => s.executionCount),
    perModel('nv_inference_request_duration_us', 'Cumulative inference request duration in microseconds (includes cached requests)', 'counter', (s) => Math.round((s.success.ns + s.fail.ns) / 1000)),
    perModel('nv_inference_queue_duration_us', 'Cumulative inference queuing duration in microseconds (includes cached requests)', 'counter', (s) => Math.round(s.queue.ns / 1000)),
    perModel('nv_inference_compute_input_duration_us', 'Cumulative compute input duration in microseconds (does not include cached requests)', 'counter', (s) => Math.round(s.computeInput.ns / 1000)),
    perModel('nv_inference_compute_infer_duration_us', 'Cumulative compute inference duration in microseconds (does not include cached requests)', 'counter', (s) => Math.round(s.computeInfer.ns / 1000)),
    perModel('nv_inference_compute_output_duration_us', 'Cumulative inference compute output duration in microseconds (does not include cached requests)', 'counter', (s) => Math.round(s.computeOutput.ns / 1000)),
    perModel('nv_inference_pending_request_count', 'Instantaneous number of pending requests awaiting execution per-model.', 'gauge', () => 0),
    { name: 'nv_pinned_memory_pool_total_bytes', help: 'Pinned memory pool total memory size, in bytes', type: 'gauge', samples: [{ labels: {}, value: 268435456 }] },
    { name: 'nv_pinned_memory_pool_used_bytes', help: 'Pinned memory pool used memory size, in bytes', type: 'gauge', samples: [{ labels: {}, value: 0 }] },
    { name: 'nv_cpu_utilization', help: 'CPU utilization rate [0.0 - 1.0]', type: 'gauge', samples: [{ labels: {}, value: cpuUtilization() }] },
    { name: 'nv_cpu_memory_total_bytes', help: 'CPU total memory (RAM), in bytes', type: 'gauge', samples: [{ labels: {}, value: totalmem() }] },
    { name: 'nv_cpu_memory_used_bytes', help: 'CPU used memory (RAM), in bytes', type: 'gauge', samples: [{ labels: {}, value: totalmem() - freemem() }] },
  ];
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${s.value}`);
  }
  return lines.join('\n') + '\n';
}

/** `/metrics` (trailing slash allowed) answers the exposition; other paths 200 empty; other methods 405. */
export function createMetricsServer(repo: ModelRepository): http.Server {
  return http.createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, 'Not Allowed', { 'Content-Type': 'text/plain' });
      res.end('{"error":"Method Not Allowed"}');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const body = path === '/metrics' || path === '/metrics/' ? renderMetrics(repo) : '';
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
}
