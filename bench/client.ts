// Client bench against the reference server in its own process: `simple` over HTTP binary, HTTP JSON
// and gRPC at concurrency 1 and 16 next to a raw keep-alive POST floor; 64 MiB FP32 round trips over
// HTTP, gRPC and system shared memory; memory before and after 10,000 requests.
// Usage: npm run bench:client [-- --duration 3000 --slices 6 --rounds 3 --only <regex> --skip-small --skip-simple --skip-big --skip-memory]
// Small requests (identity_fp32, FP32 [16], binary) over HTTP and gRPC at c=1, 4, 16, 64 are judged
// against wrk sending the same bytes (the native floor) and by the client's own CPU µs per request.
// The script bundles this file with esbuild first, so the client runs as it ships (tsx adds ~10 µs a request).
// Profile one measure: npm run bench:client, then node --cpu-prof out/bench/client.cjs --only 'http binary c=1$' --skip-big --skip-memory
import { readSync, writeSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createTritonClient } from '../src/triton/client';
import type { TritonClient } from '../src/triton/clientTypes';
import { grpcProtos } from '../src/triton/grpc/grpcProtos';
import { buildInferRequest } from '../src/triton/grpc/inferRequest';
import { buildInferBody } from '../src/triton/http/inferBody';
import {
  createSharedMemoryRegion, destroySharedMemoryRegion, getSharedMemoryTensor, setSharedMemoryTensors,
} from '../src/triton/sharedMemory';
import type { InferInput, InferOptions } from '../src/triton/types';
import { startReferenceServer } from '../test/support/referenceServer';
import type { ReferenceServer } from '../test/support/referenceServer';
import { measureLoop, measurePair, medianSecondsAlternating, memorySample } from './clientMeasure';
import { benchSmall } from './clientSmall';
import { fmt, notes, printTable, rows, signed, verdict } from './clientTable';
import { rawGrpcInfer, rawHttp2Infer, rawPoster } from './raw-floor';
import type { RawPost } from './raw-floor';

interface Args {
  durationMs: number;
  slices: number;
  rounds: number;
  only: RegExp | undefined;
  skipBig: boolean;
  skipMemory: boolean;
  memoryRequests: number;
  skipSmall: boolean;
  skipSimple: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { durationMs: 3000, slices: 6, rounds: 3, only: undefined, skipBig: false, skipMemory: false, memoryRequests: 10_000, skipSmall: false, skipSimple: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--duration') args.durationMs = Number(value());
    else if (flag === '--slices') args.slices = Number(value());
    else if (flag === '--rounds') args.rounds = Number(value());
    else if (flag === '--only') args.only = new RegExp(value());
    else if (flag === '--skip-big') args.skipBig = true;
    else if (flag === '--skip-memory') args.skipMemory = true;
    else if (flag === '--skip-small') args.skipSmall = true;
    else if (flag === '--skip-simple') args.skipSimple = true;
    else if (flag === '--memory-requests') args.memoryRequests = Number(value());
    else throw new Error(`unknown option ${flag}`);
  }
  for (const key of ['durationMs', 'slices', 'rounds', 'memoryRequests'] as const) {
    if (!(args[key] >= 1)) throw new Error(`--${key} must be a positive number`);
  }
  return args;
}

const MiB = 1024 * 1024;
const BIG_ELEMENTS = 16 * MiB;
/** A GPU-less Triton answers 64 MiB bodies only with a larger input limit; so does the reference server. */
const SERVER_ARGS = ['--http-max-input-size', String(512 * MiB), '--log-info', 'false'];
/** Official Python client over gRPC on the reference machine (PERFORMANCE.md). */
const PYTHON_GRPC_RPS = 6900;

const simpleInputs: InferInput[] = [
  { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: Int32Array.from({ length: 16 }, (_, i) => i) },
  { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: Int32Array.from({ length: 16 }, () => 1) },
];

function pick(args: Args, name: string): boolean {
  return args.only === undefined || args.only.test(name);
}

function httpFloor(server: ReferenceServer, model: string, inputs: InferInput[], options: InferOptions, sockets: number): RawPost {
  const body = buildInferBody(inputs, undefined, options);
  const headers: Record<string, string> = body.headerLength !== undefined
    ? { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(body.headerLength) }
    : { 'content-type': 'application/json' };
  return rawPoster(server.httpUrl, `/v2/models/${model}/infer`, body.chunks, headers, sockets);
}

function grpcRequestBytes(model: string, inputs: InferInput[]): Buffer {
  const message = buildInferRequest(model, inputs, undefined, undefined, `ModelInfer ${model}`);
  return Buffer.from(grpcProtos().types.ModelInferRequest.encode(message as never).finish());
}

/** The gRPC floor: the same request bytes over a bare node:http2 stream. */
function grpcFloor(server: ReferenceServer, model: string, inputs: InferInput[]): RawPost {
  return rawHttp2Infer(server.grpcUrl, grpcRequestBytes(model, inputs));
}

/** grpc-js's own unary path with the same bytes: a reference point, since that is what most Node clients use. */
function grpcJsReference(server: ReferenceServer, model: string, inputs: InferInput[]): RawPost {
  return rawGrpcInfer(server.grpcUrl, grpcRequestBytes(model, inputs));
}

async function benchSimple(server: ReferenceServer, args: Args): Promise<void> {
  for (const concurrency of [1, 16]) {
    for (const mode of ['http binary', 'http json', 'grpc'] as const) {
      const name = `simple ${mode} c=${concurrency}`;
      if (!pick(args, name)) continue;
      const options: InferOptions = { binaryData: mode !== 'http json' };
      const raw = mode === 'grpc' ? grpcFloor(server, 'simple', simpleInputs) : httpFloor(server, 'simple', simpleInputs, options, concurrency);
      const client = createTritonClient({ url: mode === 'grpc' ? server.grpcUrl : server.httpUrl, protocol: mode === 'grpc' ? 'grpc' : 'http', concurrency });
      const pair = await measurePair(() => raw.post(), () => client.infer('simple', simpleInputs, undefined, options), {
        concurrency, slices: args.slices, sliceMs: args.durationMs / args.slices, warmupMs: 1000,
      });
      raw.close();
      await client.close();
      let target = '';
      if (mode !== 'grpc') {
        const wanted = concurrency === 1 ? 0.8 : 0.7;
        target = `≥ ${wanted}× floor${verdict(pair.ratio >= wanted)}`;
      } else if (concurrency === 1) {
        target = `≥ ${PYTHON_GRPC_RPS} req/s${verdict(pair.client.perSecond >= PYTHON_GRPC_RPS)}`;
      }
      const floorName = mode === 'grpc' ? 'raw HTTP/2 ModelInfer floor' : `raw POST floor (${mode.slice(5)})`;
      rows.push({ measure: `${floorName} c=${concurrency}`, value: `${fmt(pair.floor.perSecond)} req/s`, p50: fmt(pair.floor.p50Us), p99: fmt(pair.floor.p99Us), cpu: fmt(pair.floor.cpuUsPerRequest, 1), floor: '', ratio: '', target: '' });
      rows.push({
        measure: name, value: `${fmt(pair.client.perSecond)} req/s`, p50: fmt(pair.client.p50Us), p99: fmt(pair.client.p99Us),
        cpu: `${fmt(pair.client.cpuUsPerRequest, 1)} (${signed(pair.client.cpuUsPerRequest - pair.floor.cpuUsPerRequest)})`,
        floor: `${fmt(pair.floor.perSecond)} req/s`, ratio: fmt(pair.ratio, 2), target,
      });
      console.error(`done: ${name}`);
    }
  }
}

function bigTensor(): Float32Array {
  const data = new Float32Array(BIG_ELEMENTS);
  for (let i = 0; i < data.length; i++) data[i] = (i % 1021) * 0.5;
  return data;
}

function checkEcho(out: unknown, sent: Float32Array, how: string): void {
  const got = out as Float32Array | undefined;
  if (!(got instanceof Float32Array) || got.length !== sent.length || got[12345] !== sent[12345] || got[sent.length - 1] !== sent[sent.length - 1]) {
    throw new Error(`${how}: the 64 MiB tensor did not come back intact`);
  }
}

function mbPerSecond(bytes: number, seconds: number): number {
  return bytes / seconds / 1e6;
}

async function benchBig(server: ReferenceServer, args: Args): Promise<void> {
  const data = bigTensor();
  const inputs: InferInput[] = [{ name: 'INPUT0', datatype: 'FP32', shape: [BIG_ELEMENTS], data }];
  const bothWays = 2 * data.byteLength;
  const httpRaw = httpFloor(server, 'identity_fp32', inputs, {}, 1);
  // MB/s of each way to move the tensor, set side by side at the end.
  const rates: Partial<Record<'http' | 'grpc' | 'shm', number>> = {};
  try {
    for (const protocol of ['http', 'grpc'] as const) {
      const name = `64 MiB FP32 round trip ${protocol}`;
      if (!pick(args, name)) continue;
      const client = createTritonClient({ url: protocol === 'http' ? server.httpUrl : server.grpcUrl, protocol });
      const once = async (): Promise<void> => {
        const result = await client.infer('identity_fp32', inputs);
        checkEcho(result.outputs[0]?.data, data, name);
      };
      const extras = protocol === 'grpc' ? [grpcFloor(server, 'identity_fp32', inputs), grpcJsReference(server, 'identity_fp32', inputs)] : [];
      const calls = [() => httpRaw.post(), once, ...extras.map((raw) => () => raw.post())];
      const [httpRuns, clientRuns, http2Runs, grpcJsRuns] = await medianSecondsAlternating(calls, args.rounds);
      for (const raw of extras) raw.close();
      await client.close();
      // HTTP is judged against the raw POST, gRPC against the same bytes over a bare HTTP/2 stream.
      const floorRuns = http2Runs ?? httpRuns!;
      const floorSeconds = floorRuns.seconds;
      const seconds = clientRuns!.seconds;
      const rate = mbPerSecond(bothWays, seconds);
      rates[protocol] = rate;
      const floorRow = (measure: string, runs: { seconds: number; cpuSeconds: number }): void => {
        rows.push({ measure, value: `${fmt(mbPerSecond(bothWays, runs.seconds))} MB/s`, p50: fmt(runs.seconds * 1e6), p99: '', cpu: fmt(runs.cpuSeconds * 1e6), floor: '', ratio: '', target: '' });
      };
      floorRow('raw POST floor 64 MiB', httpRuns!);
      if (http2Runs !== undefined) floorRow('raw HTTP/2 ModelInfer floor 64 MiB', http2Runs);
      if (grpcJsRuns !== undefined) floorRow('grpc-js unary reference 64 MiB', grpcJsRuns);
      rows.push({
        measure: name, value: `${fmt(rate)} MB/s`, p50: fmt(seconds * 1e6), p99: '', cpu: fmt(clientRuns!.cpuSeconds * 1e6),
        floor: `${fmt(mbPerSecond(bothWays, floorSeconds))} MB/s`, ratio: fmt(floorSeconds / seconds, 2),
        target: protocol === 'http' ? `≥ 1000 MB/s${verdict(rate >= 1000)}` : '',
      });
      // What the client could sustain if the server answered instantly: both directions over the client's CPU time.
      rows.push({ measure: `  client-bound ceiling (${protocol})`, value: `${fmt(mbPerSecond(bothWays, clientRuns!.cpuSeconds))} MB/s`, p50: '', p99: '', cpu: '', floor: '', ratio: '', target: '' });
      console.error(`done: ${name}`);
    }
    if (pick(args, '64 MiB FP32 round trip shm')) rates.shm = await benchShm(server, args, data, httpRaw);
    if (rates.shm !== undefined && (rates.http !== undefined || rates.grpc !== undefined)) {
      const vs = (other: number | undefined): string => (other === undefined ? '—' : `${fmt(rates.shm! / other, 2)}×`);
      rows.push({ measure: '64 MiB: shared memory vs HTTP binary / vs gRPC', value: `${vs(rates.http)} / ${vs(rates.grpc)}`, p50: '', p99: '', cpu: '', floor: '', ratio: '', target: '' });
    }
  } finally {
    httpRaw.close();
  }
}

/** Median of each column of per-round timings. */
function medians(runs: number[][]): number[] {
  return runs.map((column) => [...column].sort((a, b) => a - b)[Math.floor(column.length / 2)]!);
}

/**
 * Shared memory end to end, split into what the client does (write the input object, read the
 * output object) and what the reference server does inside the infer call (read the input object,
 * write the output object), each next to its floor: bare synchronous pwrite/pread of the same bytes
 * on the same /dev/shm objects into a reused buffer, the most positional file I/O can do (Node has no mmap).
 */
/** Returns the end-to-end MB/s (both directions). */
async function benchShm(server: ReferenceServer, args: Args, data: Float32Array, httpRaw: RawPost): Promise<number> {
  const tag = `tw_bench_${process.pid}`;
  const client: TritonClient = createTritonClient({ url: server.httpUrl, protocol: 'http' });
  const input = await createSharedMemoryRegion(`/${tag}_in`, data.byteLength, { createOnly: true });
  const output = await createSharedMemoryRegion(`/${tag}_out`, data.byteLength, { createOnly: true });
  try {
    await client.registerSystemSharedMemory(`${tag}_in`, input.key, data.byteLength);
    await client.registerSystemSharedMemory(`${tag}_out`, output.key, data.byteLength);
    const inputs: InferInput[] = [{ name: 'INPUT0', datatype: 'FP32', shape: [data.length], sharedMemory: { region: `${tag}_in`, byteSize: data.byteLength } }];
    const outputs = [{ name: 'OUTPUT0', sharedMemory: { region: `${tag}_out`, byteSize: data.byteLength } }];
    // The answer is read into one array reused across rounds, as a caller looping over requests would.
    const back = new Float32Array(data.length);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const scratch = new Uint8Array(data.byteLength);
    const phases: number[][] = [[], [], []];
    const floorPhases: number[][] = [[], []];
    const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
    const once = async (): Promise<void> => {
      back.fill(0, 0, 16);
      let t = process.hrtime.bigint();
      await setSharedMemoryTensors(input, [{ datatype: 'FP32', shape: [data.length], data }]);
      phases[0]!.push(seconds(t));
      t = process.hrtime.bigint();
      await client.infer('identity_fp32', inputs, outputs);
      phases[1]!.push(seconds(t));
      t = process.hrtime.bigint();
      checkEcho(await getSharedMemoryTensor(output, 'FP32', [data.length], 0, { into: back }), data, 'shm');
      phases[2]!.push(seconds(t));
    };
    const rawCopies = async (): Promise<void> => {
      let t = process.hrtime.bigint();
      writeFullySync(input.file.fd, bytes);
      floorPhases[0]!.push(seconds(t));
      t = process.hrtime.bigint();
      readFullySync(output.file.fd, scratch);
      floorPhases[1]!.push(seconds(t));
    };
    const [floorRuns, clientRuns] = await medianSecondsAlternating([() => httpRaw.post(), once, rawCopies], args.rounds);
    const floorSeconds = floorRuns!.seconds;
    const total = clientRuns!.seconds;
    const both = 2 * data.byteLength;
    const rate = mbPerSecond(both, total);
    rows.push({
      measure: '64 MiB FP32 round trip shm (write+infer+read)', value: `${fmt(rate)} MB/s`, p50: fmt(total * 1e6), p99: '', cpu: fmt(clientRuns!.cpuSeconds * 1e6),
      floor: `${fmt(mbPerSecond(both, floorSeconds))} MB/s`,
      ratio: fmt(floorSeconds / total, 2), target: `≥ 4000 MB/s${verdict(rate >= 4000)}`,
    });
    // Warm-up rounds are left out: their pages were not yet resident.
    const [write, infer, read] = medians(phases.map((p) => p.slice(1)));
    const [rawWrite, rawRead] = medians(floorPhases.map((p) => p.slice(1)));
    const copyFloor = rawWrite! + rawRead!;
    const clientSide = write! + read!;
    const clientRate = mbPerSecond(both, clientSide);
    rows.push({
      measure: '  client side: write input + read output', value: `${fmt(clientRate)} MB/s`, p50: fmt(clientSide * 1e6), p99: '', cpu: '',
      floor: `${fmt(mbPerSecond(both, copyFloor))} MB/s`, ratio: fmt(copyFloor / clientSide, 2), target: `≥ 4000 MB/s${verdict(clientRate >= 4000)}`,
    });
    rows.push({ measure: '    write / read', value: `${fmt(write! * 1e3, 1)} / ${fmt(read! * 1e3, 1)} ms`, p50: '', p99: '', cpu: '', floor: `${fmt(rawWrite! * 1e3, 1)} / ${fmt(rawRead! * 1e3, 1)} ms`, ratio: '', target: '' });
    // Without mmap the whole trip is at least four bare copies: the client's two and the server's two.
    const tripFloor = 2 * copyFloor;
    rows.push({
      measure: '  end to end vs four bare copies', value: `${fmt(rate)} MB/s`, p50: '', p99: '', cpu: '',
      floor: `${fmt(mbPerSecond(both, tripFloor))} MB/s`, ratio: fmt(tripFloor / total, 2), target: '',
    });
    // The server moves the same bytes (input object → tensor → output object) plus one HTTP request.
    rows.push({
      measure: '  reference server: the infer call', value: `${fmt(mbPerSecond(both, infer!))} MB/s`, p50: fmt(infer! * 1e6), p99: '', cpu: '',
      floor: `${fmt(mbPerSecond(both, copyFloor))} MB/s`, ratio: fmt(copyFloor / infer!, 2), target: '',
    });
    console.error('done: shm');
    return rate;
  } finally {
    await client.unregisterSystemSharedMemory(`${tag}_in`).catch(() => undefined);
    await client.unregisterSystemSharedMemory(`${tag}_out`).catch(() => undefined);
    await destroySharedMemoryRegion(input);
    await destroySharedMemoryRegion(output);
    await client.close();
  }
}

function writeFullySync(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength;) done += writeSync(fd, bytes, done, bytes.byteLength - done, done);
}

function readFullySync(fd: number, into: Uint8Array): void {
  for (let done = 0; done < into.byteLength;) {
    const n = readSync(fd, into, done, into.byteLength - done, done);
    if (n === 0) throw new Error('shared-memory object shorter than expected');
    done += n;
  }
}

async function benchMemory(server: ReferenceServer, args: Args): Promise<void> {
  for (const protocol of ['http', 'grpc'] as const) {
    const name = `memory ${protocol}`;
    if (!pick(args, name)) continue;
    const client = createTritonClient({ url: protocol === 'http' ? server.httpUrl : server.grpcUrl, protocol, concurrency: 16 });
    const call = (): Promise<unknown> => client.infer('simple', simpleInputs);
    // Sockets, channels and JIT settle during the warm-up; growth after that is what counts.
    await measureLoop(call, { concurrency: 16, durationMs: 1e9, maxRequests: 2000, warmupMs: 0 });
    const before = memorySample();
    await measureLoop(call, { concurrency: 16, durationMs: 1e9, maxRequests: args.memoryRequests, warmupMs: 0 });
    const after = memorySample();
    await client.close();
    const gcNote = (globalThis as { gc?: unknown }).gc === undefined ? ' (run with --expose-gc for exact heap figures)' : '';
    rows.push({
      measure: `${name}: ${args.memoryRequests} requests, c=16`,
      value: `RSS ${fmt(before.rssMiB, 1)} → ${fmt(after.rssMiB, 1)} MiB; heap ${fmt(before.heapMiB, 2)} → ${fmt(after.heapMiB, 2)} MiB; buffers ${fmt(before.externalMiB, 2)} → ${fmt(after.externalMiB, 2)} MiB${gcNote}`,
      p50: '', p99: '', cpu: '', floor: '', ratio: '', target: `heap growth ${fmt(after.heapMiB - before.heapMiB, 2)} MiB`,
    });
    console.error(`done: ${name}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadAtStart = loadavg();
  const server = await startReferenceServer({ extraArgs: SERVER_ARGS, startTimeoutMs: 60_000 });
  try {
    if (!args.skipSmall) await benchSmall(server, args);
    if (!args.skipSimple) await benchSimple(server, args);
    if (!args.skipBig) await benchBig(server, args);
    if (!args.skipMemory) await benchMemory(server, args);
  } finally {
    await server.stop();
  }
  console.log(`client bench: node ${process.version}, reference server in its own process; floor and client alternate in ${args.slices} slices over ${args.durationMs} ms each (ratio = median of paired slices); 64 MiB: median of ${args.rounds} alternating rounds`);
  const load = (l: number[]): string => l.map((n) => n.toFixed(1)).join(' ');
  console.log(`machine: ${cpus().length} CPUs, load average (1/5/15 min) at the start ${load(loadAtStart)}, at the end ${load(loadavg())}; CPU µs/req is the median over slices of this process's CPU time / requests (the figure least moved by other load)`);
  for (const note of notes) console.log(`note: ${note}`);
  printTable();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
