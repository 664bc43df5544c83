// Per model-version inference statistics in Triton's shape (counts and cumulative nanoseconds).

export interface Duration {
  count: number;
  ns: number;
}

const zero = (): Duration => ({ count: 0, ns: 0 });
const add = (d: Duration, ns: number): void => {
  d.count++;
  d.ns += Math.max(0, Math.round(ns));
};

export interface RequestTimings {
  queueNs: number;
  computeInputNs: number;
  computeInferNs: number;
  computeOutputNs: number;
  totalNs: number;
  batchSize: number;
}

export class ModelStatistics {
  lastInference = 0;
  inferenceCount = 0;
  executionCount = 0;
  readonly success = zero();
  readonly fail = zero();
  readonly queue = zero();
  readonly computeInput = zero();
  readonly computeInfer = zero();
  readonly computeOutput = zero();
  private readonly batches = new Map<number, { compute_input: Duration; compute_infer: Duration; compute_output: Duration }>();
  private readonly responses = new Map<number, { compute_infer: Duration; compute_output: Duration; success: Duration; fail: Duration; empty_response: Duration; cancel: Duration }>();

  recordSuccess(t: RequestTimings): void {
    this.lastInference = Date.now();
    this.inferenceCount += Math.max(1, t.batchSize);
    this.executionCount++;
    add(this.success, t.totalNs);
    add(this.queue, t.queueNs);
    add(this.computeInput, t.computeInputNs);
    add(this.computeInfer, t.computeInferNs);
    add(this.computeOutput, t.computeOutputNs);
    let b = this.batches.get(t.batchSize);
    if (!b) {
      b = { compute_input: zero(), compute_infer: zero(), compute_output: zero() };
      this.batches.set(t.batchSize, b);
    }
    add(b.compute_input, t.computeInputNs);
    add(b.compute_infer, t.computeInferNs);
    add(b.compute_output, t.computeOutputNs);
  }

  recordFailure(totalNs: number): void {
    this.lastInference = Date.now();
    add(this.fail, totalNs);
  }

  /** Decoupled models: per-response-index statistics. */
  recordResponse(index: number, inferNs: number, outputNs: number, empty: boolean): void {
    let r = this.responses.get(index);
    if (!r) {
      r = { compute_infer: zero(), compute_output: zero(), success: zero(), fail: zero(), empty_response: zero(), cancel: zero() };
      this.responses.set(index, r);
    }
    if (empty) add(r.empty_response, inferNs);
    else {
      add(r.compute_infer, inferNs);
      add(r.compute_output, outputNs);
      add(r.success, inferNs + outputNs);
    }
  }

  /** The HTTP JSON form of one `model_stats` entry. */
  toJson(name: string, version: number): Record<string, unknown> {
    const responseStats: Record<string, unknown> = {};
    for (const [k, v] of [...this.responses].sort((a, b) => a[0] - b[0])) responseStats[String(k)] = v;
    return {
      name,
      version: String(version),
      last_inference: this.lastInference,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: this.success, fail: this.fail, queue: this.queue, compute_input: this.computeInput,
        compute_infer: this.computeInfer, compute_output: this.computeOutput, cache_hit: zero(), cache_miss: zero(),
      },
      response_stats: responseStats,
      batch_stats: [...this.batches].sort((a, b) => a[0] - b[0]).map(([size, s]) => ({ batch_size: size, ...s })),
      memory_usage: [],
    };
  }
}
