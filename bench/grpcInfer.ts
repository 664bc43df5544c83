// gRPC ModelInfer throughput at concurrency 1 against a minimal server in a child process, as a
// ratio to the official Python client's rate on this machine class (~6.9k req/s).
// Usage: npx tsx bench/grpcInfer.ts [requests]   (the child runs this file with --serve)
import { spawn } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { grpcProtos } from '../src/triton/grpc/grpcProtos';
import { createGrpcClient } from '../src/triton/grpc/grpcTransport';
import type { InferInput } from '../src/triton/types';

const PYTHON_CLIENT_RPS = 6900;

/** Answers every ModelInfer with one pre-encoded response, so the client is what gets measured. */
function serve(): void {
  const protos = grpcProtos();
  const answer = Buffer.from(protos.types.ModelInferResponse.encode({
    model_name: 'simple', model_version: '1',
    outputs: [{ name: 'OUTPUT0', datatype: 'INT32', shape: [1, 16] }, { name: 'OUTPUT1', datatype: 'INT32', shape: [1, 16] }],
    raw_output_contents: [Buffer.alloc(64, 1), Buffer.alloc(64, 2)],
  } as never).finish());
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

async function measure(total: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    for (let i = 0; i < 2000; i++) await client.infer('simple', inputs, undefined, { deadlineMs: 5000 });
    const rates: number[] = [];
    for (let round = 0; round < 3; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < total; i++) await client.infer('simple', inputs, undefined, { deadlineMs: 5000 });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      rates.push(total / seconds);
    }
    await client.close();
    const best = Math.max(...rates);
    console.log(`gRPC infer, concurrency 1: ${rates.map((r) => r.toFixed(0)).join(' / ')} req/s; best ${best.toFixed(0)} req/s = ${(best / PYTHON_CLIENT_RPS).toFixed(2)}x the Python client`);
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) serve();
else void measure(Number(process.argv[2] ?? 10000));
