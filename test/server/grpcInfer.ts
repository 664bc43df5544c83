// gRPC inference: ModelInferRequest ⇄ core request (typed contents, raw contents, shm), ModelInfer and ModelStreamInfer.
import type * as grpc from '@grpc/grpc-js';
import { Lease } from './bufferPool';
import { resetStream, toGrpcError } from './grpcServer';
import { isDecoupled } from './inferCore';
import type { CoreRequest, CoreResponse, InputSpec, OutputSpec, ParamValue, ShmRef } from './inferCore';
import { ServerError } from './serverError';
import type { ServerState } from './serverState';
import { isDatatype, joinBytes, writeElement } from './tensor';
import type { Datatype } from './tensor';

type Obj = Record<string, unknown>;
type Param = { parameter_choice?: string; bool_param?: boolean; int64_param?: string; string_param?: string; double_param?: number; uint64_param?: string };

const CONTENT_FIELDS: Record<string, string[]> = {
  bool_contents: ['BOOL'], int_contents: ['INT8', 'INT16', 'INT32'], int64_contents: ['INT64'], uint_contents: ['UINT8', 'UINT16', 'UINT32'],
  uint64_contents: ['UINT64'], fp32_contents: ['FP32'], fp64_contents: ['FP64'], bytes_contents: ['BYTES'],
};

function requestParameters(params: Record<string, Param>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, p] of Object.entries(params)) {
    const kind = p.parameter_choice;
    if (k === 'sequence_id') {
      if (kind === 'int64_param') out[k] = BigInt(p.int64_param ?? '0');
      else if (kind === 'string_param') out[k] = p.string_param ?? '';
      else throw new ServerError('INVALID_ARG', "invalid value type for 'sequence_id' parameter, expected int64_param or string_param.");
    } else if (k === 'sequence_start' || k === 'sequence_end') {
      if (kind !== 'bool_param') throw new ServerError('INVALID_ARG', `invalid value type for '${k}' parameter, expected bool_param.`);
      out[k] = p.bool_param === true;
    } else if (k === 'priority') {
      if (kind === 'int64_param' && BigInt(p.int64_param ?? '0') >= 0n) out[k] = BigInt(p.int64_param ?? '0');
      else if (kind === 'uint64_param') out[k] = BigInt(p.uint64_param ?? '0');
      else throw new ServerError('INVALID_ARG', "invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
    } else if (k === 'timeout') {
      if (kind !== 'int64_param') throw new ServerError('INVALID_ARG', "invalid value type for 'timeout' parameter, expected int64_param.");
      out[k] = BigInt(p.int64_param ?? '0');
    } else if (k === 'triton_enable_empty_final_response') {
      if (kind !== 'bool_param') throw new ServerError('INVALID_ARG', `invalid value type for '${k}' parameter, expected bool_param.`);
      out[k] = p.bool_param === true;
    } else if (k.startsWith('triton_')) {
      throw new ServerError('INVALID_ARG', "parameter keys starting with 'triton_' are reserved for Triton usage. Only the following keys starting with 'triton_' are allowed: triton_enable_empty_final_response");
    } else if (kind === 'int64_param') out[k] = BigInt(p.int64_param ?? '0');
    else if (kind === 'bool_param') out[k] = p.bool_param === true;
    else if (kind === 'string_param') out[k] = p.string_param ?? '';
    else if (kind === 'double_param') out[k] = Number(p.double_param ?? 0);
    else throw new ServerError('INVALID_ARG', `invalid value type for '${k}' parameter, expected int64_param, bool_param, or string_param.`);
  }
  return out;
}

function tensorShm(tensor: string, params: Record<string, Param>): ShmRef | undefined {
  const region = params['shared_memory_region'];
  const size = params['shared_memory_byte_size'];
  const offset = params['shared_memory_offset'];
  if (!region) {
    if (size || offset) throw new ServerError('INVALID_ARG', `'shared_memory_region' must be specified along with 'shared_memory_byte_size' parameter for tensor '${tensor}'`);
    return undefined;
  }
  if (region.parameter_choice !== 'string_param') throw new ServerError('INVALID_ARG', `invalid value type for 'shared_memory_region' parameter for tensor '${tensor}', expected string_param.`);
  if (!size) throw new ServerError('INVALID_ARG', `'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for tensor '${tensor}'`);
  if (size.parameter_choice !== 'int64_param') throw new ServerError('INVALID_ARG', `invalid value type for 'shared_memory_byte_size' parameter for tensor '${tensor}', expected int64_param.`);
  if (offset && offset.parameter_choice !== 'int64_param') throw new ServerError('INVALID_ARG', `invalid value type for 'shared_memory_offset' parameter for tensor '${tensor}', expected int64_param.`);
  return { region: region.string_param ?? '', byteSize: Number(size.int64_param ?? 0), offset: Number(offset?.int64_param ?? 0) };
}

function contentsToBuffer(tensor: string, model: string, datatype: string, contents: Record<string, unknown[]>): Buffer | undefined {
  const field = Object.keys(CONTENT_FIELDS).find((f) => (contents[f]?.length ?? 0) > 0);
  if (!field) return undefined;
  if (!CONTENT_FIELDS[field]!.includes(datatype)) {
    throw new ServerError('INVALID_ARG', `unexpected explicit tensor data for input tensor '${tensor}' for model '${model}' of type '${CONTENT_FIELDS[field]![CONTENT_FIELDS[field]!.length - 1]}', expected datatype '${datatype}'`);
  }
  const values = contents[field]!;
  if (datatype === 'BYTES') return joinBytes(values.map((v) => Buffer.from(v as Uint8Array)));
  const dt = datatype as Datatype;
  const size = { BOOL: 1, INT8: 1, UINT8: 1, INT16: 2, UINT16: 2, INT32: 4, UINT32: 4, INT64: 8, UINT64: 8, FP32: 4, FP64: 8 }[dt as string] ?? 4;
  const buf = Buffer.alloc(values.length * size);
  values.forEach((v, i) => writeElement(buf, dt, i, typeof v === 'string' ? BigInt(v) : (v as number | boolean)));
  return buf;
}

export function toCoreRequest(req: Obj): CoreRequest {
  const model = String(req['model_name'] ?? '');
  const version = String(req['model_version'] ?? '');
  if (version !== '' && !/^[0-9]+$/.test(version)) {
    throw new ServerError('INVALID_ARG', `failed to get model version from specified version string '${version}' (details: stol), version should be an integral value > 0`);
  }
  const raw = (req['raw_input_contents'] as Buffer[] | undefined) ?? [];
  const inputsIn = (req['inputs'] as Obj[] | undefined) ?? [];
  let rawIndex = 0;
  const inputs: InputSpec[] = inputsIn.map((inp) => {
    const name = String(inp['name'] ?? '');
    const datatype = String(inp['datatype'] ?? '');
    const shape = ((inp['shape'] as string[] | undefined) ?? []).map(Number);
    const shm = tensorShm(name, (inp['parameters'] as Record<string, Param> | undefined) ?? {});
    const contents = (inp['contents'] as Record<string, unknown[]> | undefined) ?? {};
    const hasContents = Object.keys(CONTENT_FIELDS).some((f) => (contents[f]?.length ?? 0) > 0);
    if (raw.length > 0 && hasContents) throw new ServerError('INVALID_ARG', `contents field must not be specified when using raw_input_contents for '${name}' for model '${model}'`);
    if (shm) return { name, datatype, shape, shm };
    let data: Buffer | undefined;
    if (raw.length > 0) data = raw[rawIndex++];
    else if (isDatatype(datatype)) data = contentsToBuffer(name, model, datatype, contents);
    if (data === undefined) throw new ServerError('INVALID_ARG', `unable to find data for input tensor '${name}' for model '${model}' in request.`);
    return { name, datatype, shape, data };
  });
  const outputs: OutputSpec[] = ((req['outputs'] as Obj[] | undefined) ?? []).map((o) => {
    const name = String(o['name'] ?? '');
    const params = (o['parameters'] as Record<string, Param> | undefined) ?? {};
    const spec: OutputSpec = { name };
    const cls = params['classification'];
    const shm = tensorShm(name, params);
    if (cls) {
      if (cls.parameter_choice !== 'int64_param') throw new ServerError('INVALID_ARG', "invalid value type for 'classification' parameter, expected int64_param");
      const k = Number(cls.int64_param ?? 0);
      if (k <= 0) throw new ServerError('INVALID_ARG', "invalid value for 'classification' parameter, expected >= 0");
      if (shm) throw new ServerError('INVALID_ARG', "output can't set both 'shared_memory_region' and 'classification'");
      spec.classification = k;
    }
    if (shm) spec.shm = shm;
    return spec;
  });
  return { id: String(req['id'] ?? ''), model, version, parameters: requestParameters((req['parameters'] as Record<string, Param> | undefined) ?? {}), inputs, outputs, checkLastInputFirst: true };
}

function toParam(v: ParamValue): Param {
  if (typeof v === 'boolean') return { bool_param: v };
  if (typeof v === 'string') return { string_param: v };
  if (typeof v === 'bigint' || Number.isInteger(v)) return { int64_param: String(v) };
  return { double_param: v };
}

export function toInferResponse(res: CoreResponse, extra: Record<string, ParamValue> = {}): Obj {
  const parameters: Record<string, Param> = {};
  for (const [k, v] of Object.entries({ ...res.parameters, ...extra })) parameters[k] = toParam(v);
  return {
    model_name: res.modelName,
    model_version: res.modelVersion,
    id: res.id,
    parameters,
    outputs: res.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape.map(String) })),
    raw_output_contents: res.outputs.map((o) => o.data),
  };
}

export async function grpcInfer(state: ServerState, req: Obj, call: grpc.ServerUnaryCall<Obj, Obj>, extraExecuteDelayMs?: number): Promise<Obj> {
  const core = toCoreRequest(req);
  if (extraExecuteDelayMs !== undefined) core.extraExecuteDelayMs = extraExecuteDelayMs;
  const { model } = state.core.resolve(core.model, core.version);
  if (isDecoupled(model.config)) throw new ServerError('UNSUPPORTED', "ModelInfer RPC doesn't support models with decoupled transaction policy");
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  // Shared-memory inputs are read into pooled buffers, as over HTTP: fresh 64 MiB buffers spend most of their time in page faults.
  const lease = new Lease(state.buffers);
  core.lease = lease;
  let response: CoreResponse | undefined;
  try {
    response = await state.core.infer(core, abort.signal);
    return toInferResponse(response);
  } finally {
    lease.releaseUnlessIn(response?.outputs.map((o) => o.data) ?? []);
  }
}

/** Bidirectional stream: per-request errors become `error_message` responses unless `triton_grpc_error: true`. */
export function grpcStreamInfer(state: ServerState, call: grpc.ServerDuplexStream<Obj, Obj>, dropAfter?: number): void {
  const abort = new AbortController();
  const grpcErrorMode = call.metadata.get('triton_grpc_error')[0] === 'true';
  let inFlight = 0;
  let ended = false;
  let closed = false;
  const finishIfDone = (): void => {
    if (ended && inFlight === 0 && !closed) {
      closed = true;
      call.end();
    }
  };
  let written = 0;
  const write = (msg: Obj): void => {
    if (closed) return;
    if (dropAfter !== undefined && written >= dropAfter) {
      // Fault `drop-after=<n>`: the connection goes away after n responses.
      closed = true;
      abort.abort();
      if (!resetStream(call)) call.emit('error', toGrpcError(new ServerError('UNAVAILABLE', 'injected fault: connection dropped')));
      return;
    }
    written++;
    call.write(msg);
  };
  call.on('cancelled', () => {
    closed = true;
    abort.abort();
  });
  call.on('error', () => abort.abort());
  call.on('end', () => {
    ended = true;
    finishIfDone();
  });
  call.on('data', (req: Obj) => {
    inFlight++;
    const id = String(req['id'] ?? '');
    void (async () => {
      let started = false;
      let base = { model_name: '', model_version: '' };
      try {
        const core = toCoreRequest(req);
        const emptyFinal = core.parameters['triton_enable_empty_final_response'] === true;
        delete core.parameters['triton_enable_empty_final_response'];
        const { model, version } = state.core.resolve(core.model, core.version);
        const decoupled = isDecoupled(model.config);
        base = { model_name: model.name, model_version: String(version.version) };
        const iterator = state.core.run(core, abort.signal);
        for await (const res of iterator) {
          started = true;
          write({ error_message: '', infer_response: toInferResponse(res, { triton_final_response: !decoupled }) });
        }
        if (decoupled && emptyFinal) {
          write({ error_message: '', infer_response: { id, ...base, parameters: { triton_final_response: { bool_param: true } }, outputs: [], raw_output_contents: [] } });
        }
      } catch (err) {
        const e = err instanceof ServerError ? err : new ServerError('INTERNAL', (err as Error).message);
        if (grpcErrorMode && (started || e.afterIssue)) {
          closed = true;
          call.emit('error', toGrpcError(e));
          return;
        }
        write({ error_message: e.message, infer_response: { id, ...(started || e.afterIssue ? base : {}) } });
      } finally {
        inFlight--;
        finishIfDone();
      }
    })();
  });
}
