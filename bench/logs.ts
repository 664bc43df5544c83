// Bench: Triton log lines through the real path of the log view's host side — a followed file (read,
// split into lines), the parser, the maxLines ring and batched appends serialised as a webview post
// would be — measuring lines/s, event-loop delay p99 while ingesting, and memory with the bound.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { followFile } from '../src/logs/fileFollower';
import { LineSplitter } from '../src/logs/lineSplitter';
import { LogPipeline } from '../src/logs/logPipeline';

const TARGET_LINES_PER_S = 50_000;
const LINES = Number(process.env.BENCH_LINES ?? 500_000);
const MAX_LINES = Number(process.env.BENCH_MAX_LINES ?? 50_000);

/** A realistic mix: load lines, verbose request lines, failures, warnings, a table now and then, foreign output. */
function sampleLog(lines: number): string {
  const out: string[] = [];
  let t = 0;
  const ts = (): string => {
    t += 37;
    const us = String(t % 1_000_000).padStart(6, '0');
    const s = String(Math.floor(t / 1_000_000) % 60).padStart(2, '0');
    return `1206 10:00:${s}.${us}`;
  };
  for (let i = 0; out.length < lines; i++) {
    switch (i % 10) {
      case 0: out.push(`I${ts()} 4242 model_lifecycle.cc:473] "loading: model_${i % 500}:1"`); break;
      case 1: out.push(`I${ts()} 4242 model_lifecycle.cc:849] "successfully loaded 'model_${i % 500}'"`); break;
      case 2: out.push(`E${ts()} 4242 model_lifecycle.cc:654] "failed to load 'broken_${i % 50}' version 1: Invalid argument: model input 'INPUT0' dimension must be integer >= 1"`); break;
      case 3: out.push(`W${ts()} 4242 pinned_memory_manager.cc:273] "Unable to allocate pinned system memory, pinned memory pool will not be available: CUDA driver version is insufficient"`); break;
      case 4: out.push(`2026-12-06T10:00:0${i % 10}Z I 4242 http_server.cc:4713] "HTTP request: 2 /v2/models/simple/infer"`); break;
      case 5: out.push(`I${ts()} 4242 server.cc:676] `, '+--------+---------+--------+', '| Model  | Version | Status |', '+--------+---------+--------+', `| m${i} | 1       | READY  |`, '+--------+---------+--------+', ''); break;
      case 6: out.push(`[libprotobuf ERROR /tmp/text_format.cc:337] Error parsing text-format inference.ModelConfig: 3:${i % 80}: Expected identifier, got: ]`); break;
      default: out.push(`I${ts()} 4242 http_server.cc:3698] "[request id: <id_unknown>] Infer failed: request ${i} was rejected because the input shape [1,${i % 64}] is wrong"`);
    }
  }
  return out.slice(0, lines).join('\n') + '\n';
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

interface Run {
  readonly linesPerS: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly batches: number;
  readonly postedBytes: number;
  readonly heapAfterMb: string;
  readonly ringSize: number;
}

/** Ingests `text` the way a live source does: chunks, each handled in its own turn of the event loop. */
async function ingestChunks(text: string): Promise<Run> {
  let batches = 0;
  let postedBytes = 0;
  const pipeline = new LogPipeline({ maxLines: MAX_LINES, batchMs: 75, onBatch: (entries) => {
    batches++;
    // What posting to the webview costs on the host: the structured clone is close to JSON's work.
    postedBytes += JSON.stringify(entries).length;
  } });
  const splitter = new LineSplitter();
  const data = Buffer.from(text);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  for (let off = 0; off < data.length; off += 64 * 1024) {
    pipeline.lines(splitter.push(data.subarray(off, off + 64 * 1024)));
    await new Promise((r) => setImmediate(r));
  }
  pipeline.lines(splitter.end());
  pipeline.flushNow();
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  globalThis.gc?.();
  const run: Run = { linesPerS: LINES / seconds, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6, batches, postedBytes, heapAfterMb: mb(process.memoryUsage().heapUsed), ringSize: pipeline.history().length };
  pipeline.dispose();
  return run;
}

/** The same lines appended to a real file and read back by the file follower. */
async function ingestFile(text: string): Promise<{ linesPerS: number; p99Ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-logbench-'));
  const file = join(dir, 'triton.log');
  writeFileSync(file, '');
  let seen = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const pipeline = new LogPipeline({ maxLines: MAX_LINES, batchMs: 75, onBatch: (entries, dropped) => {
    // Entries skipped because the view fell behind count as handled: they were parsed and evicted.
    seen += entries.length + dropped;
    JSON.stringify(entries);
    if (seen >= expected) done();
  } });
  // Entries, not lines: tables join several lines into one.
  let expected = 0;
  const counter = new LogPipeline({ maxLines: LINES, maxBatch: LINES, onBatch: (entries, dropped) => (expected += entries.length + dropped) });
  counter.lines(text.split('\n').slice(0, -1));
  counter.flushNow();
  counter.dispose();
  const tail = await followFile(file, pipeline, { tailLines: 0, pollMs: 2000 });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  appendFileSync(file, text);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  await tail.stop();
  pipeline.dispose();
  rmSync(dir, { recursive: true, force: true });
  return { linesPerS: LINES / seconds, p99Ms: histogram.percentile(99) / 1e6 };
}

/** Lines arriving at the target rate (a busy verbose server): how much of the host's time does the log take? */
async function paced(text: string, linesPerS: number, seconds: number): Promise<{ p99Ms: number; cpuShare: number }> {
  const lines = text.split('\n');
  const pipeline = new LogPipeline({ maxLines: MAX_LINES, batchMs: 75, onBatch: (entries) => void JSON.stringify(entries) });
  const perTick = Math.round(linesPerS / 20);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let at = 0;
  for (let tick = 0; tick < seconds * 20; tick++) {
    pipeline.lines(lines.slice(at, at + perTick));
    at = (at + perTick) % (lines.length - perTick);
    await new Promise((r) => setTimeout(r, 50));
  }
  pipeline.flushNow();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - started;
  histogram.disable();
  pipeline.dispose();
  return { p99Ms: histogram.percentile(99) / 1e6, cpuShare: (cpu.user + cpu.system) / 1000 / wallMs };
}

async function main(): Promise<void> {
  const text = sampleLog(LINES);
  console.log(`log bench: ${LINES.toLocaleString('en')} lines (${mb(text.length)} MB), maxLines ${MAX_LINES.toLocaleString('en')}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  await ingestChunks(text.slice(0, 200_000)); // warm-up
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) runs.push(await ingestChunks(text));
  const med = [...runs].sort((a, b) => a.linesPerS - b.linesPerS)[1]!;
  console.log(`chunks → parser → ring → batches: median ${Math.round(med.linesPerS).toLocaleString('en')} lines/s (runs ${runs.map((r) => Math.round(r.linesPerS).toLocaleString('en')).join(', ')})`);
  console.log(`  event-loop delay while ingesting: p99 ${med.p99Ms.toFixed(1)} ms, max ${med.maxMs.toFixed(1)} ms; ${med.batches} batches (${mb(med.postedBytes)} MB serialised)`);
  console.log(`  memory: heap ${mb(heapBefore)} MB before, ${med.heapAfterMb} MB after (ring holds ${med.ringSize.toLocaleString('en')} entries)`);
  const steady = await paced(text, TARGET_LINES_PER_S, 3);
  console.log(`steady ${TARGET_LINES_PER_S.toLocaleString('en')} lines/s for 3 s: event-loop p99 ${steady.p99Ms.toFixed(1)} ms, host CPU ${(steady.cpuShare * 100).toFixed(0)}% of one core`);
  const file = await ingestFile(text);
  console.log(`file follower → parser → ring → batches: ${Math.round(file.linesPerS).toLocaleString('en')} lines/s, event-loop p99 ${file.p99Ms.toFixed(1)} ms`);
  console.log(`ratio to the ${TARGET_LINES_PER_S.toLocaleString('en')} lines/s target: ${(med.linesPerS / TARGET_LINES_PER_S).toFixed(1)}× (chunks), ${(file.linesPerS / TARGET_LINES_PER_S).toFixed(1)}× (file)`);
}

void main();
