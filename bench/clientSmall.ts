// Small requests in the client bench: identity_fp32 with FP32 [16] binary over HTTP and gRPC at
// c=1, 4, 16, 64, judged against wrk posting the same bytes (the native floor), a bare Node loop with
// the same bytes, and by the client's own CPU µs per request.
import { createTritonClient } from '../src/triton/client';
import { grpcProtos } from '../src/triton/grpc/grpcProtos';
import { buildInferRequest } from '../src/triton/grpc/inferRequest';
import { buildInferBody } from '../src/triton/http/inferBody';
import type { InferInput, InferOptions } from '../src/triton/types';
import type { ReferenceServer } from '../test/support/referenceServer';
import { measureAgainstFloor, measureSlices } from './clientMeasure';
import type { FloorSlice } from './clientMeasure';
import { fmt, notes, rows, verdict } from './clientTable';
import { rawHttp2Infer, rawPoster } from './raw-floor';
import { wrkFloor, wrkMissing } from './wrkFloor';

export interface SmallArgs {
  durationMs: number;
  slices: number;
  only: RegExp | undefined;
}

function grpcRequestBytes(model: string, inputs: InferInput[]): Buffer {
  const message = buildInferRequest(model, inputs, undefined, undefined, `ModelInfer ${model}`);
  return Buffer.from(grpcProtos().types.ModelInferRequest.encode(message as never).finish());
}

const smallInputs: InferInput[] = [
  { name: 'INPUT0', datatype: 'FP32', shape: [16], data: Float32Array.from({ length: 16 }, (_, i) => i * 0.25) },
];

/** CPU µs per small request (PERFORMANCE.md). */
const CPU_TARGET_US = { http: 90, grpc: 100 } as const;

/**
 * identity_fp32 with FP32 [16] binary, the request a load test or dashboard sends, at c=1, 4, 16, 64:
 * client slices alternate with wrk slices posting the same bytes over HTTP keep-alive.
 */
export async function benchSmall(server: ReferenceServer, args: SmallArgs): Promise<void> {
  const options: InferOptions = { binaryData: true };
  const body = buildInferBody(smallInputs, undefined, options);
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (body.headerLength !== undefined) headers['inference-header-content-length'] = String(body.headerLength);
  const missing = wrkMissing();
  if (missing !== undefined) notes.push(`no native floor: ${missing}`);
  const wrk = missing === undefined ? wrkFloor(server.httpUrl, '/v2/models/identity_fp32/infer', Buffer.concat(body.chunks), headers) : undefined;
  try {
    for (const concurrency of [1, 4, 16, 64]) {
      const floorSlice = async (sliceMs: number): Promise<FloorSlice> => {
        const run = await wrk!.run(concurrency, sliceMs);
        if (run.errors > 0) throw new Error(`wrk met ${run.errors} errors at c=${concurrency}: the floor is void`);
        return run;
      };
      for (const protocol of ['http', 'grpc'] as const) {
        const name = `small ${protocol} c=${concurrency}`;
        if (args.only !== undefined && !args.only.test(name)) continue;
        const client = createTritonClient({ url: protocol === 'grpc' ? server.grpcUrl : server.httpUrl, protocol, concurrency });
        const call = (): Promise<unknown> => client.infer('identity_fp32', smallInputs, undefined, options);
        // wrk runs whole seconds, so slices are at least one second long.
        const pairOptions = { concurrency, slices: args.slices, sliceMs: Math.max(1000, args.durationMs / args.slices), warmupMs: 1000 };
        // A bare Node loop with the same bytes runs in the same slices (node:http keep-alive, or one
        // node:http2 stream per call): what Node itself costs before any client code.
        const bare = protocol === 'http'
          ? rawPoster(server.httpUrl, '/v2/models/identity_fp32/infer', body.chunks, headers, concurrency)
          : rawHttp2Infer(server.grpcUrl, grpcRequestBytes('identity_fp32', smallInputs));
        const stats = wrk !== undefined
          ? await measureAgainstFloor(floorSlice, call, pairOptions, () => bare.post())
          : { ...(await measureSlices(call, pairOptions)), floor: undefined, ratio: NaN, reference: undefined };
        bare.close();
        await client.close();
        if (stats.floor !== undefined && protocol === 'http') {
          rows.push({ measure: `wrk native floor c=${concurrency}`, value: `${fmt(stats.floor.perSecond)} req/s`, p50: fmt(stats.floor.p50Us), p99: fmt(stats.floor.p99Us), cpu: '', floor: '', ratio: '', target: '' });
        }
        if (stats.reference !== undefined) {
          const r = stats.reference;
          rows.push({ measure: `  bare ${protocol === 'http' ? 'node:http' : 'node:http2'} loop c=${concurrency}`, value: `${fmt(r.stats.perSecond)} req/s`, p50: fmt(r.stats.p50Us), p99: fmt(r.stats.p99Us), cpu: fmt(r.cpuUsMedian, 1), floor: `${fmt(stats.floor!.perSecond)} req/s`, ratio: fmt(r.ratio, 2), target: '' });
        }
        const targets = [`CPU ≤ ${CPU_TARGET_US[protocol]} µs${verdict(stats.cpuUsMedian <= CPU_TARGET_US[protocol])}`];
        if (protocol === 'http' && concurrency === 16 && stats.floor !== undefined) targets.push(`≥ 0.7× floor${verdict(stats.ratio >= 0.7)}`);
        if (concurrency === 1) targets.push(`p99 ≤ 2× p50${verdict(stats.client.p99Us <= 2 * stats.client.p50Us)}`);
        rows.push({
          measure: name, value: `${fmt(stats.client.perSecond)} req/s`, p50: fmt(stats.client.p50Us), p99: fmt(stats.client.p99Us),
          cpu: fmt(stats.cpuUsMedian, 1), floor: stats.floor === undefined ? '' : `${fmt(stats.floor.perSecond)} req/s${protocol === 'grpc' ? ' (HTTP)' : ''}`,
          ratio: fmt(stats.ratio, 2), target: targets.join('; '),
        });
        console.error(`done: ${name}`);
      }
    }
  } finally {
    wrk?.close();
  }
}
