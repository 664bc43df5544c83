// Runs many inference requests through any transport with a bound on how many are in flight.
import { TritonError } from './errors';
import type { InferInput, InferManyOptions, InferOptions, InferOutcome, InferRequest, InferResult, RequestedOutput } from './types';

export type InferFn = (model: string, inputs: InferInput[], outputs?: RequestedOutput[], options?: InferOptions) => Promise<InferResult>;

/**
 * Outcomes come back in request order. A failed request does not stop the others; aborting the
 * signal marks every request not yet started (and, through its own signal, every running one) 'cancelled'.
 */
export async function inferMany(
  infer: InferFn,
  requests: readonly InferRequest[],
  options: InferManyOptions,
  defaultConcurrency: number,
): Promise<InferOutcome[]> {
  const limit = options.concurrency ?? defaultConcurrency;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new TritonError('invalid-argument', `concurrency must be a positive integer, got ${String(limit)}`);
  }
  const outcomes = new Array<InferOutcome>(requests.length);
  const { signal } = options;
  let next = 0;

  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= requests.length) return;
      const request = requests[index]!;
      if (signal?.aborted) {
        outcomes[index] = { ok: false, error: new TritonError('cancelled', 'cancelled before it was sent', { request: `infer ${request.model}` }) };
        continue;
      }
      const callOptions: InferOptions = { ...request.options };
      if (signal !== undefined) {
        callOptions.signal = callOptions.signal !== undefined ? AbortSignal.any([signal, callOptions.signal]) : signal;
      }
      try {
        outcomes[index] = { ok: true, result: await infer(request.model, request.inputs, request.outputs, callOptions) };
      } catch (error) {
        outcomes[index] = { ok: false, error: TritonError.from(error, `infer ${request.model}`) };
      }
    }
  };

  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(limit, requests.length); i++) workers.push(worker());
  await Promise.all(workers);
  return outcomes;
}
