// Where the client integration suite runs: a reference server started for one test file, or an
// external Triton named by TRITON_HTTP_URL / TRITON_GRPC_URL; clients made for either transport.
import { after, before } from 'node:test';
import type { TestContext } from 'node:test';
import { createTritonClient } from '../../../src/triton/client';
import type { TritonClient, TritonClientOptions } from '../../../src/triton/clientTypes';
import { TritonError } from '../../../src/triton/errors';
import type { TritonErrorKind } from '../../../src/triton/errors';
import { startReferenceServer } from '../../support/referenceServer';
import type { ReferenceServer } from '../../support/referenceServer';

export type Transport = 'http' | 'grpc';
export const TRANSPORTS: readonly Transport[] = ['http', 'grpc'];

/** Default deadline of every call: generous, because two cores are shared by everything running. */
export const CALL_DEADLINE_MS = 20_000;
/** Bound of a whole test; a hang fails the test instead of the run. */
export const TEST_TIMEOUT_MS = 60_000;

const externalHttp = process.env.TRITON_HTTP_URL?.trim() ?? '';
const externalGrpc = process.env.TRITON_GRPC_URL?.trim() ?? '';

/** True when the suite runs against a Triton given by the environment instead of the reference server. */
export const EXTERNAL = externalHttp !== '' || externalGrpc !== '';

/** `skip` value for tests that need the reference server's fault switches or its own models. */
export const REFERENCE_ONLY: string | false = EXTERNAL
  ? 'needs the reference server (fault switches or its test models); TRITON_HTTP_URL/TRITON_GRPC_URL point elsewhere'
  : false;

export interface SuiteServer {
  readonly httpUrl: string;
  readonly grpcUrl: string;
  /** Set when the reference server runs (so its fault switches exist). */
  readonly reference?: ReferenceServer;
  /** A client for `transport`; closed when the file's tests end. */
  client(transport: Transport, options?: Partial<TritonClientOptions>): TritonClient;
}

/**
 * Registers before/after hooks in the current describe block that start (or find) the server once
 * and stop it at the end; the returned getter is valid inside tests.
 */
export function useSuiteServer(options: { extraArgs?: string[] } = {}): () => SuiteServer {
  let current: SuiteServer | undefined;
  let reference: ReferenceServer | undefined;
  const clients: TritonClient[] = [];

  before(async () => {
    if (EXTERNAL) {
      if (externalHttp === '' || externalGrpc === '') {
        throw new Error('set both TRITON_HTTP_URL (e.g. http://localhost:8000) and TRITON_GRPC_URL (e.g. localhost:8001)');
      }
    } else {
      reference = await startReferenceServer({ httpPort: 0, grpcPort: 0, extraArgs: options.extraArgs });
    }
    const httpUrl = reference?.httpUrl ?? externalHttp;
    const grpcUrl = reference?.grpcUrl ?? externalGrpc;
    current = {
      httpUrl,
      grpcUrl,
      reference,
      client(transport, extra = {}) {
        const client = createTritonClient({
          url: transport === 'http' ? httpUrl : grpcUrl,
          protocol: transport,
          deadlineMs: CALL_DEADLINE_MS,
          ...extra,
        });
        clients.push(client);
        return client;
      },
    };
  }, { timeout: TEST_TIMEOUT_MS });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await reference?.stop();
  }, { timeout: TEST_TIMEOUT_MS });

  return () => {
    if (current === undefined) throw new Error('the suite server is not started (the before hook failed)');
    return current;
  };
}

/** Skips the running test unless the server has `model` loaded (external servers may lack it). */
export async function requireModel(t: TestContext, client: TritonClient, model: string): Promise<boolean> {
  if (await client.isModelReady(model)) return true;
  if (!EXTERNAL) throw new Error(`the reference server should have '${model}' ready`);
  t.skip(`model '${model}' is not ready on ${client.url}`);
  return false;
}

/** Awaits `promise`, asserting it rejects with a TritonError of `kind`; returns the error. */
export async function expectTritonError(promise: Promise<unknown>, kind: TritonErrorKind, message?: RegExp): Promise<TritonError> {
  let settled: unknown;
  try {
    await promise;
  } catch (error) {
    settled = error;
  }
  if (settled === undefined) throw new Error(`expected a TritonError '${kind}', but the call succeeded`);
  if (!(settled instanceof TritonError)) throw new Error(`expected a TritonError '${kind}', got ${String(settled)}`, { cause: settled });
  if (settled.kind !== kind) throw new Error(`expected TritonError '${kind}', got '${settled.kind}': ${settled.message}`, { cause: settled });
  if (message !== undefined && !message.test(settled.message)) {
    throw new Error(`TritonError '${kind}' message ${JSON.stringify(settled.message)} does not match ${String(message)}`, { cause: settled });
  }
  return settled;
}

/** Per-call header (HTTP) or metadata (gRPC) that makes the reference server misbehave for that call. */
export function fault(spec: string): { headers: Record<string, string> } {
  return { headers: { 'x-fault': spec } };
}

/** Resolves with `promise` or rejects once `ms` pass, so waiting on a stream cannot hang a test. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
