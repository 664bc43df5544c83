// Bounded measurement loops for the client bench: warm-up, N workers for a fixed time or request
// count, requests/s and latency percentiles.

export interface LoopOptions {
  concurrency: number;
  /** Measured time; the loop also stops at maxRequests. */
  durationMs: number;
  maxRequests: number;
  warmupMs: number;
}

export interface LoopStats {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Us: number;
  p99Us: number;
  /** CPU time of this process (user + system) per request, µs: what the caller itself costs. */
  cpuUsPerRequest: number;
}

async function runFor(call: () => Promise<unknown>, concurrency: number, durationMs: number, maxRequests: number, latencies: number[] | undefined): Promise<{ count: number; seconds: number; cpuUs: number }> {
  let started = 0;
  const cpuBefore = process.cpuUsage();
  const begin = process.hrtime.bigint();
  const end = begin + BigInt(Math.round(durationMs * 1e6));
  const worker = async (): Promise<void> => {
    for (;;) {
      const now = process.hrtime.bigint();
      if (now >= end || started >= maxRequests) return;
      started++;
      await call();
      if (latencies !== undefined) latencies.push(Number(process.hrtime.bigint() - now) / 1e3);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return { count: started, seconds: Number(process.hrtime.bigint() - begin) / 1e9, cpuUs: cpu.user + cpu.system };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Warms up, then measures `call` with `concurrency` callers in flight. */
export async function measureLoop(call: () => Promise<unknown>, options: LoopOptions): Promise<LoopStats> {
  await runFor(call, options.concurrency, options.warmupMs, Number.MAX_SAFE_INTEGER, undefined);
  const latencies: number[] = [];
  const { count, seconds, cpuUs } = await runFor(call, options.concurrency, options.durationMs, options.maxRequests, latencies);
  return summarize(latencies, count, seconds, cpuUs);
}

export interface PairOptions {
  concurrency: number;
  /** Alternating slices of floor then client; each side runs `slices` times for `sliceMs`. */
  slices: number;
  sliceMs: number;
  warmupMs: number;
}

export interface PairStats {
  floor: LoopStats;
  client: LoopStats;
  /** Median of the per-slice client/floor ratios: both sides of a pair saw the same machine load. */
  ratio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
}

function summarize(latencies: number[], count: number, seconds: number, cpuUs: number): LoopStats {
  const sorted = Float64Array.from(latencies).sort();
  return { requests: count, seconds, perSecond: count / seconds, p50Us: percentile(sorted, 0.5), p99Us: percentile(sorted, 0.99), cpuUsPerRequest: cpuUs / count };
}

/**
 * Floor and client measured in short alternating slices, so a burst of load from elsewhere on a
 * shared machine hits both sides of a pair instead of skewing one of them.
 */
export async function measurePair(floor: () => Promise<unknown>, client: () => Promise<unknown>, options: PairOptions): Promise<PairStats> {
  await runFor(floor, options.concurrency, options.warmupMs / 2, Number.MAX_SAFE_INTEGER, undefined);
  await runFor(client, options.concurrency, options.warmupMs / 2, Number.MAX_SAFE_INTEGER, undefined);
  const sides = [floor, client].map((call) => ({ call, latencies: [] as number[], count: 0, seconds: 0, cpuUs: 0, rates: [] as number[] }));
  for (let i = 0; i < options.slices; i++) {
    for (const side of sides) {
      const { count, seconds, cpuUs } = await runFor(side.call, options.concurrency, options.sliceMs, Number.MAX_SAFE_INTEGER, side.latencies);
      side.count += count;
      side.seconds += seconds;
      side.cpuUs += cpuUs;
      side.rates.push(count / seconds);
    }
  }
  const [f, c] = sides as [typeof sides[0], typeof sides[0]];
  return {
    floor: summarize(f.latencies, f.count, f.seconds, f.cpuUs),
    client: summarize(c.latencies, c.count, c.seconds, c.cpuUs),
    ratio: median(c.rates.map((rate, i) => rate / f.rates[i]!)),
  };
}

export interface TimedRuns {
  /** Median wall time, seconds. */
  seconds: number;
  /** Median CPU time this process spent (user + system), seconds: what the client itself costs. */
  cpuSeconds: number;
}

/** Median wall and CPU time of `rounds` runs of each call after one warm-up run each, alternating. */
export async function medianSecondsAlternating(calls: readonly (() => Promise<unknown>)[], rounds: number): Promise<TimedRuns[]> {
  for (const call of calls) await call();
  const wall = calls.map(() => [] as number[]);
  const cpu = calls.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    for (const [k, call] of calls.entries()) {
      const cpuBefore = process.cpuUsage();
      const begin = process.hrtime.bigint();
      await call();
      wall[k]!.push(Number(process.hrtime.bigint() - begin) / 1e9);
      const used = process.cpuUsage(cpuBefore);
      cpu[k]!.push((used.user + used.system) / 1e6);
    }
  }
  return calls.map((_, k) => ({ seconds: median(wall[k]!), cpuSeconds: median(cpu[k]!) }));
}

export interface MemorySample {
  rssMiB: number;
  heapMiB: number;
  externalMiB: number;
}

/** Memory after a full collection when the process runs with --expose-gc. */
export function memorySample(): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  const mib = (n: number): number => n / (1024 * 1024);
  return { rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), externalMiB: mib(m.external + m.arrayBuffers) };
}

/** One slice of an outside floor (wrk), already measured by that tool. */
export interface FloorSlice {
  perSecond: number;
  p50Us: number;
  p99Us: number;
}

export interface NativePairStats {
  /** Medians over the slices. */
  floor: FloorSlice;
  client: LoopStats;
  /** Median of the per-slice client/floor rate ratios. */
  ratio: number;
  /** Median of the per-slice client CPU µs per request: steadier on a loaded machine than the total. */
  cpuUsMedian: number;
  /** The same figures for a reference loop measured in the same slices, when one was given. */
  reference?: { stats: LoopStats; ratio: number; cpuUsMedian: number };
}

interface SliceSide {
  call: () => Promise<unknown>;
  latencies: number[];
  rates: number[];
  cpuPerRequest: number[];
  count: number;
  seconds: number;
  cpuUs: number;
}

/**
 * Client slices alternating with slices of an outside floor (and of a reference loop, when given),
 * so all sides see the same machine load.
 */
export async function measureAgainstFloor(floor: (sliceMs: number) => Promise<FloorSlice>, client: () => Promise<unknown>, options: PairOptions, reference?: () => Promise<unknown>): Promise<NativePairStats> {
  const sides: SliceSide[] = [client, ...(reference === undefined ? [] : [reference])].map((call) => ({ call, latencies: [], rates: [], cpuPerRequest: [], count: 0, seconds: 0, cpuUs: 0 }));
  for (const side of sides) await runFor(side.call, options.concurrency, options.warmupMs, Number.MAX_SAFE_INTEGER, undefined);
  const floors: FloorSlice[] = [];
  for (let i = 0; i < options.slices; i++) {
    floors.push(await floor(options.sliceMs));
    for (const side of sides) {
      const slice = await runFor(side.call, options.concurrency, options.sliceMs, Number.MAX_SAFE_INTEGER, side.latencies);
      side.count += slice.count;
      side.seconds += slice.seconds;
      side.cpuUs += slice.cpuUs;
      side.rates.push(slice.count / slice.seconds);
      side.cpuPerRequest.push(slice.cpuUs / slice.count);
    }
  }
  const figures = (side: SliceSide): { stats: LoopStats; ratio: number; cpuUsMedian: number } => ({
    stats: summarize(side.latencies, side.count, side.seconds, side.cpuUs),
    ratio: median(side.rates.map((rate, i) => rate / floors[i]!.perSecond)),
    cpuUsMedian: median(side.cpuPerRequest),
  });
  const main = figures(sides[0]!);
  const result: NativePairStats = {
    floor: { perSecond: median(floors.map((f) => f.perSecond)), p50Us: median(floors.map((f) => f.p50Us)), p99Us: median(floors.map((f) => f.p99Us)) },
    client: main.stats, ratio: main.ratio, cpuUsMedian: main.cpuUsMedian,
  };
  if (sides[1] !== undefined) result.reference = figures(sides[1]);
  return result;
}

/** A client-only measure in slices, for cases without an outside floor. */
export async function measureSlices(client: () => Promise<unknown>, options: PairOptions): Promise<{ client: LoopStats; cpuUsMedian: number }> {
  const stats = await measureAgainstFloor(async () => ({ perSecond: NaN, p50Us: NaN, p99Us: NaN }), client, options);
  return { client: stats.client, cpuUsMedian: stats.cpuUsMedian };
}
