// Model behaviours ("backends") of the reference server: addsub, identity, sequence, repeat, color classifier.
import type { ConfigObject } from './configSchema';
import { colorClassifierBackend } from './colorClassifier';
import { configTypeToDatatype, elementCount, fromNumbers, joinBytes, readElement, splitBytes, toNumbers } from './tensor';
import type { Datatype, Tensor } from './tensor';

export interface SequenceContext {
  correlationId: bigint | string;
  start: boolean;
  end: boolean;
  /** Per-sequence state kept by the server between requests of one sequence. */
  state: Map<string, unknown>;
}

export interface ExecRequest {
  inputs: Map<string, Tensor>;
  parameters: Record<string, unknown>;
  sequence?: SequenceContext;
}

export interface ModelBackend {
  /** Non-decoupled models: exactly one set of outputs. */
  execute?(req: ExecRequest): Tensor[];
  /** Decoupled models: any number of responses; the generator ending is the final flag. */
  stream?(req: ExecRequest, signal: AbortSignal): AsyncGenerator<Tensor[]>;
}

export class BackendError extends Error {}

export interface IoSpec {
  name: string;
  datatype: Datatype;
  dims: number[];
}

export function ioSpecs(config: ConfigObject, key: 'input' | 'output'): IoSpec[] {
  const list = (config[key] as ConfigObject[] | undefined) ?? [];
  return list.map((x) => ({
    name: String(x['name'] ?? ''),
    datatype: configTypeToDatatype(String(x['data_type'] ?? 'TYPE_INVALID')) ?? 'BYTES',
    dims: ((x['dims'] as number[] | undefined) ?? []).map(Number),
  }));
}

function addSub(config: ConfigObject): ModelBackend {
  const ins = ioSpecs(config, 'input');
  const outs = ioSpecs(config, 'output');
  if (ins.length !== 2 || outs.length !== 2) throw new BackendError('addsub expects 2 inputs and 2 outputs');
  return {
    execute(req) {
      const a = req.inputs.get(ins[0]!.name)!;
      const b = req.inputs.get(ins[1]!.name)!;
      if (elementCount(a.shape) !== elementCount(b.shape)) throw new BackendError(`${ins[0]!.name} and ${ins[1]!.name} must have the same shape`);
      if (a.datatype === 'BYTES') {
        const xs = (splitBytes(a.data) ?? []).map((x) => BigInt(parseIntStrict(x)));
        const ys = (splitBytes(b.data) ?? []).map((y) => BigInt(parseIntStrict(y)));
        const mk = (name: string, f: (x: bigint, y: bigint) => bigint): Tensor => ({
          name, datatype: 'BYTES', shape: [...a.shape], data: joinBytes(xs.map((x, i) => Buffer.from(f(x, ys[i]!).toString()))),
        });
        return [mk(outs[0]!.name, (x, y) => x + y), mk(outs[1]!.name, (x, y) => x - y)];
      }
      const xs = toNumbers(a);
      const ys = toNumbers(b);
      const op = (sign: 1 | -1): Array<number | bigint> =>
        xs.map((x, i) => {
          const y = ys[i]!;
          if (typeof x === 'bigint' || typeof y === 'bigint') return sign === 1 ? BigInt(x) + BigInt(y) : BigInt(x) - BigInt(y);
          return sign === 1 ? Number(x) + Number(y) : Number(x) - Number(y);
        });
      return [
        fromNumbers(outs[0]!.name, outs[0]!.datatype, [...a.shape], op(1)),
        fromNumbers(outs[1]!.name, outs[1]!.datatype, [...a.shape], op(-1)),
      ];
    },
  };
}

function parseIntStrict(b: Buffer): string {
  const s = b.toString('utf8').trim();
  if (!/^[+-]?[0-9]+$/.test(s)) throw new BackendError(`unable to convert '${s}' to an integer`);
  return s.replace(/^\+/, '');
}

function identity(config: ConfigObject): ModelBackend {
  const ins = ioSpecs(config, 'input');
  const outs = ioSpecs(config, 'output');
  return {
    execute(req) {
      return outs.map((o, i) => {
        const src = req.inputs.get(ins[i]?.name ?? '');
        if (!src) throw new BackendError(`no input for output '${o.name}'`);
        return { name: o.name, datatype: src.datatype, shape: [...src.shape], data: src.data };
      });
    },
  };
}

function sequence(config: ConfigObject): ModelBackend {
  const ins = ioSpecs(config, 'input');
  const outs = ioSpecs(config, 'output');
  const params = (config['parameters'] as Record<string, { string_value?: string }> | undefined) ?? {};
  const accumulate = params['accumulate']?.string_value === 'true';
  return {
    execute(req) {
      const seq = req.sequence;
      if (!seq) throw new BackendError('sequence model called without a sequence');
      const input = req.inputs.get(ins[0]!.name)!;
      const value = Number(readElement(input.data, input.datatype, 0));
      let out: number;
      if (accumulate) {
        const prior = seq.start ? 0 : Number(seq.state.get('sum') ?? 0);
        out = prior + value;
        seq.state.set('sum', out);
      } else {
        out = value + (seq.start ? 1 : 0);
      }
      if (seq.end && req.inputs.has('CORRID')) {
        const id = seq.correlationId;
        out += typeof id === 'string' ? Number.parseInt(id, 10) || 0 : Number(id);
      }
      return [fromNumbers(outs[0]!.name, outs[0]!.datatype, [...input.shape], [out])];
    },
  };
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new BackendError('cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new BackendError('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// repeat_int32: one response per IN element after DELAY[i] ms, then WAIT ms before the final flag.
function repeat(config: ConfigObject): ModelBackend {
  const outs = ioSpecs(config, 'output');
  return {
    async *stream(req, signal) {
      const input = req.inputs.get('IN');
      const delay = req.inputs.get('DELAY');
      const wait = req.inputs.get('WAIT');
      if (!input || !delay || !wait) throw new BackendError('repeat expects IN, DELAY and WAIT');
      const values = toNumbers(input);
      const delays = toNumbers(delay);
      if (delays.length !== values.length) throw new BackendError(`expected IN and DELAY to have the same number of elements, got ${values.length} and ${delays.length}`);
      for (let i = 0; i < values.length; i++) {
        await abortableDelay(Number(delays[i]), signal);
        const res: Tensor[] = [fromNumbers(outs[0]?.name ?? 'OUT', 'INT32', [1], [Number(values[i])])];
        if (outs[1]) res.push(fromNumbers(outs[1].name, 'UINT32', [1], [i]));
        yield res;
      }
      const waitMs = Number(toNumbers(wait)[0] ?? 0);
      if (waitMs > 0) await abortableDelay(waitMs, signal);
    },
  };
}

export type BackendFactory = (config: ConfigObject, modelDir: string) => ModelBackend;

export const BACKENDS: Readonly<Record<string, BackendFactory>> = {
  addsub: addSub,
  identity,
  sequence,
  repeat,
  color_classifier: colorClassifierBackend,
};
