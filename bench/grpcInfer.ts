// gRPC ModelInfer at concurrency 1 against a minimal server in a child process: the client's rate
// and CPU per request, next to bare @grpc/grpc-js sending pre-encoded bytes (the floor any client
// built on it can reach), and as a ratio to the Python client's ~6.9k req/s on this machine class.
// Usage: npx tsx bench/grpcInfer.ts [requests per round] [--grpc-js]   (the child runs this file with --serve)
import { spawn } from 'node:child_process';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { grpcProtos } from '../src/triton/grpc/grpcProtos';
import { createGrpcClient } from '../src/triton/grpc/grpcTransport';
import type { InferInput } from '../src/triton/types';

const PYTHON_CLIENT_RPS = 6900;
const PATH = '/inference.GRPCInferenceService/ModelInfer';

/**
 * Answers every ModelInfer with one pre-encoded response, so the client is what gets measured:
 * by default straight over node:http2 (a fast server), or through a grpc-js server with --grpc-js.
 */
function serve(): void {
  const protos = grpcProtos();
  const answer = Buffer.from(protos.types.ModelInferResponse.encode({
    model_name: 'simple', model_version: '1',
    outputs: [{ name: 'OUTPUT0', datatype: 'INT32', shape: [1, 16] }, { name: 'OUTPUT1', datatype: 'INT32', shape: [1, 16] }],
    raw_output_contents: [Buffer.alloc(64, 1), Buffer.alloc(64, 2)],
  } as never).finish());
  if (!process.argv.includes('--grpc-js')) {
    const framedAnswer = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), answer]);
    framedAnswer.writeUInt32BE(answer.length, 1);
    const h2 = http2.createServer();
    h2.on('stream', (stream) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(framedAnswer);
      });
    });
    h2.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${(h2.address() as { port: number }).port}\n`));
    return;
  }
  const method = { ...protos.methods.ModelInfer, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b };
  const server = new grpc.Server();
  server.addService({ ModelInfer: method } as unknown as grpc.ServiceDefinition, {
    ModelInfer: (_call: unknown, done: grpc.sendUnaryData<Buffer>) => done(null, answer),
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`ready ${port}\n`);
  });
}

interface Round {
  rps: number;
  cpuMicrosPerRequest: number;
}

async function round(n: number, one: () => Promise<unknown>): Promise<Round> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await one();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rps: n / seconds, cpuMicrosPerRequest: (used.user + used.system) / n };
}

async function measure(total: number): Promise<void> {
  const serverArgs = ['--serve', ...process.argv.filter((a) => a === '--grpc-js')];
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, ...serverArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /ready (\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const client = createGrpcClient({ url: `127.0.0.1:${port}`, protocol: 'grpc' });
    const inputs: InferInput[] = [
      { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: Int32Array.from({ length: 16 }, (_, i) => i) },
      { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], data: new Int32Array(16).fill(1) },
    ];
    const ours = (): Promise<unknown> => client.infer('simple', inputs, undefined, { deadlineMs: 5000 });

    const bare = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const request = Buffer.from(grpcProtos().types.ModelInferRequest.encode({ model_name: 'simple', inputs: [], raw_input_contents: [Buffer.alloc(64), Buffer.alloc(64)] } as never).finish());
    const identity = (b: Buffer): Buffer => b;
    const baseline = (): Promise<unknown> => new Promise((resolve, reject) => {
      bare.makeUnaryRequest(PATH, identity, identity, request, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (e, r) => (e ? reject(e) : resolve(r)));
    });

    for (let i = 0; i < 2000; i++) {
      await ours();
      await baseline();
    }
    // Alternating rounds so both see the same background load.
    const a: Round[] = [];
    const b: Round[] = [];
    for (let r = 0; r < 3; r++) {
      a.push(await round(total, ours));
      b.push(await round(total, baseline));
    }
    client.close();
    bare.close();
    const best = (rs: Round[]): Round => rs.reduce((x, y) => (y.rps > x.rps ? y : x));
    const ba = best(a);
    const bb = best(b);
    console.log(`client infer : ${a.map((r) => r.rps.toFixed(0)).join(' / ')} req/s, best ${ba.rps.toFixed(0)} req/s, ${ba.cpuMicrosPerRequest.toFixed(1)} µs client CPU per request`);
    console.log(`bare grpc-js : ${b.map((r) => r.rps.toFixed(0)).join(' / ')} req/s, best ${bb.rps.toFixed(0)} req/s, ${bb.cpuMicrosPerRequest.toFixed(1)} µs client CPU per request`);
    console.log(`ratios       : ${(ba.rps / bb.rps).toFixed(2)}x bare grpc-js rate, ${(ba.rps / PYTHON_CLIENT_RPS).toFixed(2)}x the Python client's ${PYTHON_CLIENT_RPS} req/s`);
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) serve();
else void measure(Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10000));
