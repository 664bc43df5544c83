// Fault injection for tests: per-request `x-fault` header/metadata and sticky faults set through POST /__fault.

export interface Fault {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Close the connection instead of answering (after any delay). */
  drop?: boolean;
  /** Send the headers and only half of the body, then close. */
  truncate?: boolean;
  /** HTTP infer responses: send this Inference-Header-Content-Length instead of the true one (-1 = a value past the body). */
  badHeaderLength?: number;
  /** Answer with this HTTP status (gRPC: this status code) and an "injected fault" error. */
  status?: number;
  /** Streams (gRPC ModelStreamInfer, HTTP generate_stream): close the connection after this many responses. */
  dropAfter?: number;
  /** Infer (HTTP and gRPC ModelInfer): the model's execution takes this much longer, counted in compute_infer. */
  executeDelayMs?: number;
}

export class FaultSpecError extends Error {}

/** Parses "delay=500,drop" style specs. */
export function parseFault(spec: string): Fault {
  const fault: Fault = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, value] = part.split('=', 2) as [string, string | undefined];
    const num = (): number => {
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < 0 || n > 600_000) throw new FaultSpecError(`fault '${key}' needs a whole number value, got '${value ?? ''}'`);
      return n;
    };
    switch (key) {
      case 'delay': fault.delayMs = num(); break;
      case 'drop': fault.drop = true; break;
      case 'truncate': fault.truncate = true; break;
      case 'bad-header-length': fault.badHeaderLength = value === undefined ? -1 : num(); break;
      case 'status': fault.status = num(); break;
      case 'drop-after': fault.dropAfter = num(); break;
      case 'execute-delay': fault.executeDelayMs = num(); break;
      default: throw new FaultSpecError(`unknown fault '${key}' (known: delay=<ms>, drop, drop-after=<n>, truncate, bad-header-length[=<n>], status=<code>, execute-delay=<ms>)`);
    }
  }
  return fault;
}

interface StickyFault {
  fault: Fault;
  /** Substring of the HTTP path or gRPC method name; empty = any. */
  match: string;
  /** Remaining uses; -1 = until cleared. */
  remaining: number;
}

export class FaultStore {
  private sticky: StickyFault[] = [];

  add(fault: Fault, match: string, count: number): void {
    this.sticky.push({ fault, match, remaining: count });
  }

  clear(): void {
    this.sticky = [];
  }

  /** Takes the first sticky fault that matches `target` (decrementing its count) merged with a per-request one. */
  take(target: string, perRequest: Fault | undefined): Fault | undefined {
    const idx = this.sticky.findIndex((s) => target.includes(s.match));
    let fault = perRequest;
    if (idx !== -1) {
      const s = this.sticky[idx]!;
      fault = { ...s.fault, ...(perRequest ?? {}) };
      if (s.remaining > 0 && --s.remaining === 0) this.sticky.splice(idx, 1);
    }
    return fault;
  }
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
