// Transport-independent inference: Triton's request validation, sequences, execution, statistics, outputs.
import { ioSpecs } from './backends';
import type { Lease } from './bufferPool';
import type { ExecRequest, SequenceContext } from './backends';
import { classify } from './classification';
import type { ConfigObject } from './configSchema';
import type { Logger } from './logger';
import type { LoadedModel, ModelRepository, VersionEntry } from './repository';
import { ServerError } from './serverError';
import type { SharedMemoryManager } from './sharedMemory';
import { fixedByteSize, fromNumbers, isDatatype, joinBytes, splitBytes, elementCount } from './tensor';
import type { Tensor } from './tensor';

export type ParamValue = boolean | number | bigint | string;

export interface ShmRef {
  region: string;
  byteSize: number;
  offset: number;
}

export interface InputSpec {
  name: string;
  datatype: string;
  shape: number[];
  data?: Buffer;
  shm?: ShmRef;
}

export interface OutputSpec {
  name: string;
  classification?: number;
  shm?: ShmRef;
}

export interface CoreRequest {
  id: string;
  model: string;
  version: string;
  parameters: Record<string, ParamValue>;
  inputs: InputSpec[];
  /** Undefined or empty: every model output. */
  outputs?: OutputSpec[];
  /** Where big input buffers may come from; the transport releases it once the response is sent. */
  lease?: Lease;
  /**
   * Which wrong input an error names when several are wrong. Triton keeps a request's inputs in a hash
   * map that yields them last-added first; 2.59.1 was seen naming the last one over gRPC.
   */
  checkLastInputFirst?: boolean;
  /** Added to the model's execution time (the `execute-delay` fault switch), as `execute_delay_ms` is. */
  extraExecuteDelayMs?: number;
}

export interface CoreOutput extends Tensor {
  /** Set when the data went to shared memory (then `data` is empty). */
  shm?: ShmRef;
}

export interface CoreResponse {
  id: string;
  modelName: string;
  modelVersion: string;
  outputs: CoreOutput[];
  parameters: Record<string, ParamValue>;
}

interface Prepared {
  model: LoadedModel;
  version: VersionEntry;
  exec: ExecRequest;
  batchSize: number;
  sequenceKey?: string;
  started: bigint;
  inputDone: bigint;
}

const rid = (id: string): string => `[request id: ${id || '<id_unknown>'}] `;
const shapeText = (s: readonly number[]): string => `[${s.join(',')}]`;
/** Triton's name list in the input-count error: `['A','B']`, and `]` alone when empty (its text is built that way). */
const nameList = (names: readonly string[]): string => (names.length === 0 ? ']' : `[${names.map((n) => `'${n}'`).join(',')}]`);
/** The text 2.59.1 appends to a wrong input shape on a model with max_batch_size > 0. */
const BATCH_NOTE = 'NOTE: Setting a non-zero max_batch_size in the model config requires a batch dimension to be prepended to each input shape. '
  + 'If you want to specify the full shape including the batch dim in your input dims config, try setting max_batch_size to zero. '
  + 'See the model configuration docs for more info on max_batch_size.';

/** Triton's identity backend parameter `execute_delay_ms`: every execution takes at least that long. */
async function executeDelay(config: ConfigObject, extraMs: number, signal: AbortSignal): Promise<void> {
  const params = (config['parameters'] as Record<string, { string_value?: string }> | undefined) ?? {};
  const ms = Number(params['execute_delay_ms']?.string_value ?? 0) + extraMs;
  if (!(ms > 0)) return;
  await new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new ServerError('CANCELLED', 'request cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, 600_000));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ServerError('CANCELLED', 'request cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function isDecoupled(config: ConfigObject): boolean {
  return (config['model_transaction_policy'] as ConfigObject | undefined)?.['decoupled'] === true;
}

export class InferenceCore {
  constructor(
    private readonly repo: ModelRepository,
    private readonly shm: SharedMemoryManager,
    private readonly log: Logger,
  ) {}

  resolve(name: string, version: string): { model: LoadedModel; version: VersionEntry } {
    return this.repo.get(name, version);
  }

  private prepare(req: CoreRequest): Prepared {
    const started = process.hrtime.bigint();
    const { model, version } = this.repo.get(req.model, req.version);
    const config = model.config;
    const name = model.name;
    for (const key of Object.keys(req.parameters)) {
      if (key.startsWith('triton_') && key !== 'triton_enable_empty_final_response') {
        throw new ServerError('INVALID_ARG', `parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.`);
      }
    }
    const specs = ioSpecs(config, 'input');
    const outSpecs = ioSpecs(config, 'output');
    const mbs = Number(config['max_batch_size'] ?? 0);
    const seen = new Set<string>();
    for (const inp of req.inputs) {
      if (seen.has(inp.name)) throw new ServerError('INVALID_ARG', `input '${inp.name}' already exists in request`);
      seen.add(inp.name);
    }
    const optional = (n: string): boolean => (config['input'] as ConfigObject[] | undefined ?? []).some((x) => x['name'] === n && x['optional'] === true);
    const missing = specs.filter((s) => !seen.has(s.name) && !optional(s.name));
    const required = specs.filter((s) => !optional(s.name)).length;
    const countError = (): ServerError => {
      // Triton lists the given inputs in its map's order: last added first.
      const given = req.inputs.length === 0 ? '[]' : nameList(req.inputs.map((i) => i.name).reverse());
      const expected = required === specs.length ? `expected ${specs.length} inputs` : `expected number of inputs between ${required} and ${specs.length}`;
      return new ServerError('INVALID_ARG', `${rid(req.id)}${expected} but got ${req.inputs.length} inputs for model '${name}'. Got input(s) ${given}, but missing required input(s) ${nameList(missing.map((s) => s.name))}. Please provide all required input(s).`);
    };
    if (req.inputs.length > specs.length || req.inputs.length < required) throw countError();
    const shapeError = (inp: InputSpec, expected: readonly number[]): ServerError =>
      new ServerError('INVALID_ARG', `${rid(req.id)}unexpected shape for input '${inp.name}' for model '${name}'. Expected ${shapeText(expected)}, got ${shapeText(inp.shape)}. ${mbs > 0 ? BATCH_NOTE : ''}`);
    const checked = new Map<string, Tensor>();
    let batchSize = mbs > 0 ? -1 : 0;
    for (const inp of req.checkLastInputFirst === true ? [...req.inputs].reverse() : req.inputs) {
      const spec = specs.find((s) => s.name === inp.name);
      if (!spec) throw new ServerError('INVALID_ARG', `unexpected inference input '${inp.name}' for model '${name}'`);
      if (!isDatatype(inp.datatype) || inp.datatype !== spec.datatype) {
        const got = isDatatype(inp.datatype) ? inp.datatype : '<invalid>';
        throw new ServerError('INVALID_ARG', `${rid(req.id)}inference input '${inp.name}' data-type is '${got}', but model '${name}' expects '${spec.datatype}'`);
      }
      const expected = mbs > 0 ? [-1, ...spec.dims] : spec.dims;
      if (inp.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw shapeError(inp, expected);
      let dims = inp.shape;
      if (mbs > 0) {
        if (inp.shape.length === 0) throw shapeError(inp, expected);
        const b = inp.shape[0]!;
        if (batchSize === -1) batchSize = b;
        else if (b !== batchSize) throw new ServerError('INVALID_ARG', `${rid(req.id)}input '${inp.name}' batch size does not match other inputs for '${name}'`);
        if (b > mbs) throw new ServerError('INVALID_ARG', `${rid(req.id)}inference request batch-size must be <= ${mbs} for '${name}'`);
        dims = inp.shape.slice(1);
      }
      const ok = dims.length === spec.dims.length && dims.every((d, i) => spec.dims[i] === -1 || spec.dims[i] === d);
      if (!ok) throw shapeError(inp, expected);
      let data: Buffer;
      if (inp.shm) {
        const expectedSize = fixedByteSize(spec.datatype, inp.shape);
        if (expectedSize !== undefined && expectedSize !== inp.shm.byteSize) {
          throw new ServerError('INVALID_ARG', `${rid(req.id)}input byte size mismatch for input '${inp.name}' for model '${name}'. Expected ${expectedSize}, got ${inp.shm.byteSize}`);
        }
        data = this.shm.read(inp.shm.region, inp.shm.offset, inp.shm.byteSize, req.lease);
      } else {
        data = inp.data ?? Buffer.alloc(0);
      }
      const fixed = fixedByteSize(spec.datatype, inp.shape);
      if (fixed !== undefined && fixed !== data.length) {
        throw new ServerError('INVALID_ARG', `${rid(req.id)}input byte size mismatch for input '${inp.name}' for model '${name}'. Expected ${fixed}, got ${data.length}`);
      }
      if (fixed === undefined) {
        const items = splitBytes(data);
        const count = elementCount(inp.shape);
        if (!items || items.length !== count) {
          throw new ServerError('INVALID_ARG', `expected ${count} string elements for inference input '${inp.name}' for model '${name}', got ${items?.length ?? 0}`);
        }
      }
      checked.set(inp.name, { name: inp.name, datatype: spec.datatype, shape: [...inp.shape], data });
    }
    // Only a model with optional inputs gets here with a required input absent: the count was in range.
    if (missing.length > 0) throw countError();
    // Backends see the inputs in request order, whichever order they were checked in.
    const inputs = new Map<string, Tensor>(req.inputs.map((i) => [i.name, checked.get(i.name)!]));
    for (const o of req.outputs ?? []) {
      if (!outSpecs.find((s) => s.name === o.name)) throw new ServerError('INVALID_ARG', `unexpected inference output '${o.name}' for model '${name}'`);
      if (o.shm) this.shm.validate(o.shm.region, o.shm.offset, o.shm.byteSize);
    }
    const exec: ExecRequest = { inputs, parameters: req.parameters };
    const prepared: Prepared = { model, version, exec, batchSize: Math.max(batchSize, mbs > 0 ? 1 : 0), started, inputDone: 0n };
    const sb = config['sequence_batching'] as ConfigObject | undefined;
    if (sb) this.attachSequence(req, model, sb, prepared);
    prepared.inputDone = process.hrtime.bigint();
    return prepared;
  }

  private attachSequence(req: CoreRequest, model: LoadedModel, sb: ConfigObject, p: Prepared): void {
    const raw = req.parameters['sequence_id'];
    const id: bigint | string = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'bigint' ? BigInt(raw) : 0n;
    if (id === 0n || id === '') throw new ServerError('INVALID_ARG', `inference request to model '${model.name}' must specify a non-zero or non-empty correlation ID`);
    const start = req.parameters['sequence_start'] === true;
    const end = req.parameters['sequence_end'] === true;
    const key = `${typeof id}:${String(id)}`;
    // Sequences idle longer than max_sequence_idle_microseconds are released, as Triton's sequence batcher does.
    const now = Date.now();
    const idleMs = Number(sb['max_sequence_idle_microseconds'] ?? 1000000) / 1000;
    for (const [k, s] of model.sequences) if (now - s.lastUsed > idleMs) model.sequences.delete(k);
    let entry = model.sequences.get(key);
    if (!start && !entry) {
      throw new ServerError('INVALID_ARG', `inference request for sequence ${String(id)} to model '${model.name}' must specify the START flag on the first request of the sequence`);
    }
    if (start || !entry) {
      entry = { state: new Map(), lastUsed: now };
      model.sequences.set(key, entry);
    }
    entry.lastUsed = now;
    const seq: SequenceContext = { correlationId: id, start, end, state: entry.state };
    const mbs = Number(model.config['max_batch_size'] ?? 0);
    const shape = mbs > 0 ? [1, 1] : [1];
    for (const ci of (sb['control_input'] as ConfigObject[] | undefined) ?? []) {
      for (const c of (ci['control'] as ConfigObject[] | undefined) ?? []) {
        const kind = String(c['kind'] ?? 'CONTROL_SEQUENCE_START');
        const tname = String(ci['name']);
        if (kind === 'CONTROL_SEQUENCE_CORRID') {
          const dt = String(c['data_type'] ?? 'TYPE_UINT64');
          if (dt === 'TYPE_STRING') {
            p.exec.inputs.set(tname, { name: tname, datatype: 'BYTES', shape, data: joinBytes([Buffer.from(String(id))]) });
          } else {
            if (typeof id === 'string') throw new ServerError('INVALID_ARG', `${rid(req.id)}correlation ID in request is not an unsigned int`);
            const datatype = dt === 'TYPE_INT64' ? 'INT64' : dt === 'TYPE_INT32' ? 'INT32' : dt === 'TYPE_UINT32' ? 'UINT32' : 'UINT64';
            p.exec.inputs.set(tname, fromNumbers(tname, datatype, shape, [datatype.endsWith('64') ? id : Number(id)]));
          }
          continue;
        }
        const flag = kind === 'CONTROL_SEQUENCE_START' ? start : kind === 'CONTROL_SEQUENCE_END' ? end : true;
        const ints = c['int32_false_true'] as number[] | undefined;
        const floats = c['fp32_false_true'] as number[] | undefined;
        const bools = c['bool_false_true'] as boolean[] | undefined;
        if (ints?.length === 2) p.exec.inputs.set(tname, fromNumbers(tname, 'INT32', shape, [ints[flag ? 1 : 0]!]));
        else if (floats?.length === 2) p.exec.inputs.set(tname, fromNumbers(tname, 'FP32', shape, [floats[flag ? 1 : 0]!]));
        else if (bools?.length === 2) p.exec.inputs.set(tname, fromNumbers(tname, 'BOOL', shape, [bools[flag ? 1 : 0]!]));
      }
    }
    p.exec.sequence = seq;
    if (end) p.sequenceKey = key;
  }

  private finishOutputs(req: CoreRequest, p: Prepared, produced: Tensor[]): CoreOutput[] {
    const requested = req.outputs && req.outputs.length > 0 ? req.outputs : undefined;
    const mbs = Number(p.model.config['max_batch_size'] ?? 0);
    const out: CoreOutput[] = [];
    for (const t of produced) {
      const spec = requested ? requested.find((o) => o.name === t.name) : undefined;
      if (requested && !spec) continue;
      let result: CoreOutput = t;
      if (spec?.classification !== undefined && spec.classification > 0) {
        result = classify(t, spec.classification, mbs > 0, p.model.labels.get(t.name));
      }
      if (spec?.shm) {
        if (result.data.length > spec.shm.byteSize) {
          throw new ServerError('INTERNAL', `shared memory size specified with the request for output '${t.name}' (${spec.shm.byteSize} bytes) should be at least ${result.data.length} bytes to hold the results`, true);
        }
        this.shm.write(spec.shm.region, spec.shm.offset, result.data);
        result = { ...result, data: Buffer.alloc(0), shm: spec.shm };
      }
      out.push(result);
    }
    return out;
  }

  /** Runs a request to completion, yielding one response per model response (one for non-decoupled models). */
  async *run(req: CoreRequest, signal: AbortSignal): AsyncGenerator<CoreResponse> {
    const p = this.prepare(req);
    const stats = p.version.stats;
    const base = { id: req.id, modelName: p.model.name, modelVersion: String(p.version.version) };
    const elapsed = (from: bigint): number => Number(process.hrtime.bigint() - from);
    try {
      if (p.model.backend.stream) {
        let index = 0;
        let last = process.hrtime.bigint();
        for await (const produced of p.model.backend.stream(p.exec, signal)) {
          const inferNs = elapsed(last);
          const t0 = process.hrtime.bigint();
          const outputs = this.finishOutputs(req, p, produced);
          stats.recordResponse(index++, inferNs, elapsed(t0), false);
          last = process.hrtime.bigint();
          yield { ...base, outputs, parameters: {} };
        }
        stats.recordSuccess({ queueNs: 0, computeInputNs: Number(p.inputDone - p.started), computeInferNs: elapsed(p.inputDone), computeOutputNs: 0, totalNs: elapsed(p.started), batchSize: p.batchSize });
        return;
      }
      const t1 = process.hrtime.bigint();
      await executeDelay(p.model.config, req.extraExecuteDelayMs ?? 0, signal);
      const produced = p.model.backend.execute!(p.exec);
      const t2 = process.hrtime.bigint();
      const outputs = this.finishOutputs(req, p, produced);
      const t3 = process.hrtime.bigint();
      stats.recordSuccess({ queueNs: Number(t1 - p.inputDone), computeInputNs: Number(p.inputDone - p.started), computeInferNs: Number(t2 - t1), computeOutputNs: Number(t3 - t2), totalNs: Number(t3 - p.started), batchSize: p.batchSize });
      yield { ...base, outputs, parameters: {} };
    } catch (err) {
      stats.recordFailure(elapsed(p.started));
      const e = err instanceof ServerError ? err : new ServerError('INTERNAL', (err as Error).message);
      e.afterIssue = true;
      this.log.verbose(1, 'infer_handler.cc:680', `${rid(req.id)}Infer failed: ${e.message}`);
      throw e;
    } finally {
      if (p.sequenceKey !== undefined) p.model.sequences.delete(p.sequenceKey);
    }
  }

  /** Single-response inference (HTTP /infer, gRPC ModelInfer). */
  async infer(req: CoreRequest, signal: AbortSignal): Promise<CoreResponse> {
    let last: CoreResponse | undefined;
    for await (const r of this.run(req, signal)) last = r;
    if (!last) throw new ServerError('INTERNAL', `model '${req.model}' produced no response`);
    return last;
  }
}
