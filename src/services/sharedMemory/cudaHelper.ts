// CUDA device memory for Triton's CUDA shared memory, through a helper process that loads the CUDA
// runtime at run time (Python's ctypes; nothing CUDA-specific ships in the extension). The helper
// owns the allocations: an IPC handle stays valid only while the process that allocated it runs.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TritonError } from '../../triton/errors';

export const CUDA_UNAVAILABLE = 'CUDA not available on this machine';

export interface CudaAllocation {
  readonly allocation: number;
  readonly deviceId: number;
  readonly byteSize: number;
  /** The cudaIpcMemHandle_t, base64 (what Triton's HTTP register call takes). */
  readonly handle: string;
}

interface Answer {
  id?: number;
  ok: boolean;
  error?: string;
  [k: string]: unknown;
}

const CALL_TIMEOUT_MS = 30_000;

export class CudaHelper {
  private child?: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(a: Answer): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private exitReason?: string;
  private probed?: Promise<{ devices: number; runtime: string }>;

  /** `script` is the helper's path (dist/cuda-helper.py in the installed extension). */
  constructor(private readonly script: string, private readonly python = process.env.TRITON_WORKBENCH_PYTHON ?? 'python3') {}

  /** Devices and runtime version, or a TritonError 'unsupported' starting with CUDA_UNAVAILABLE. */
  probe(): Promise<{ devices: number; runtime: string }> {
    this.probed ??= this.call({ op: 'probe' }).then(
      (a) => ({ devices: Number(a.devices), runtime: String(a.runtime) }),
      (error: unknown) => {
        throw new TritonError('unsupported', `${CUDA_UNAVAILABLE}: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    return this.probed;
  }

  async create(byteSize: number, deviceId: number): Promise<CudaAllocation> {
    if (!Number.isSafeInteger(byteSize) || byteSize <= 0) throw new TritonError('invalid-argument', `size ${String(byteSize)} must be a whole number of bytes > 0`);
    if (!Number.isSafeInteger(deviceId) || deviceId < 0) throw new TritonError('invalid-argument', `device id ${String(deviceId)} must be a whole number ≥ 0`);
    await this.probe();
    const a = await this.call({ op: 'create', size: byteSize, device: deviceId });
    return { allocation: Number(a.allocation), deviceId, byteSize, handle: String(a.handle) };
  }

  /** Opens another process's handle (what Triton does on register), e.g. to read its bytes back. */
  async open(handle: string, deviceId: number, byteSize: number): Promise<number> {
    await this.probe();
    return Number((await this.call({ op: 'open', handle, device: deviceId, size: byteSize })).allocation);
  }

  async write(allocation: number, offset: number, data: Uint8Array): Promise<void> {
    await this.call({ op: 'write', allocation, offset, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') });
  }

  async read(allocation: number, offset: number, byteSize: number): Promise<Buffer> {
    return Buffer.from(String((await this.call({ op: 'read', allocation, offset, size: byteSize })).data), 'base64');
  }

  async free(allocation: number): Promise<void> {
    await this.call({ op: 'free', allocation });
  }

  /** Ends the helper; every allocation it held is released by the driver. */
  dispose(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    if (this.exitReason) throw new Error(this.exitReason);
    const child = spawn(this.python, [this.script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-2000);
    });
    const fail = (why: string): void => {
      this.exitReason = why;
      this.child = undefined;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(why));
        this.pending.delete(id);
      }
    };
    child.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' ? `${this.python} was not found (the CUDA helper runs on Python's ctypes)` : `the CUDA helper could not start: ${e.message}`));
    child.on('exit', (code, signal) => fail(`the CUDA helper exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let answer: Answer;
      try {
        answer = JSON.parse(line) as Answer;
      } catch {
        return;
      }
      const p = typeof answer.id === 'number' ? this.pending.get(answer.id) : undefined;
      if (!p) return;
      this.pending.delete(answer.id!);
      clearTimeout(p.timer);
      if (answer.ok) p.resolve(answer);
      else p.reject(new Error(answer.error ?? 'the CUDA helper failed without a reason'));
    });
    this.child = child;
    return child;
  }

  private call(request: Record<string, unknown>): Promise<Answer> {
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = this.start();
      } catch (error) {
        reject(error as Error);
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the CUDA helper did not answer '${String(request.op)}' within ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }
}
