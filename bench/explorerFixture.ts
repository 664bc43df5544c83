// Shared by the explorer benches: a generated model repository and a reference server serving it.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export function generateRepository(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const name = `model_${String(i).padStart(4, '0')}`;
    mkdirSync(join(dir, name, '1'), { recursive: true });
    // Every tenth model is broken so the index carries UNAVAILABLE entries with reasons, like real repositories.
    const dims = i % 10 === 9 ? '[ 0 ]' : '[ -1 ]';
    writeFileSync(join(dir, name, 'config.pbtxt'), `name: "${name}"\nbackend: "identity"\nmax_batch_size: 0\ninput [ { name: "INPUT0" data_type: TYPE_FP32 dims: ${dims} } ]\noutput [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: ${dims} } ]\n`);
  }
}

export interface BenchServer {
  httpUrl: string;
  grpcUrl: string;
  stop(): Promise<void>;
}

export async function startServer(repo: string): Promise<BenchServer> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'test/server/run.mjs'), '--model-repository', repo, '--http-port', '0', '--grpc-port', '0', '--model-control-mode', 'explicit', '--load-model', '*', '--log-info', 'false', '--log-warning', 'false', '--log-error', 'false'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [httpUrl, grpcUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the reference server did not print its ready line within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the reference server exited early (code ${code})`)));
    lines.on('line', (line) => {
      const m = /^ready http=(\S+) grpc=(\S+)/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve([`http://${m[1]}`, m[2]!]);
      }
    });
  });
  return {
    httpUrl,
    grpcUrl,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

