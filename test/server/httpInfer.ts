// HTTP inference: JSON and binary tensor requests/responses, raw binary mode, shared-memory I/O, generate.
import type * as http from 'node:http';
import { ioSpecs } from './backends';
import type { HttpContext, HttpReply, Route } from './httpServer';
import { jsonReply } from './httpServer';
import { bodyJson, modelMetadata } from './httpRoutes';
import { isDecoupled } from './inferCore';
import type { CoreRequest, CoreResponse, InputSpec, OutputSpec, ParamValue, ShmRef } from './inferCore';
import { JsonParseError, parseJson, stringifyJson } from './jsonCodec';
import type { JsonValue } from './jsonCodec';
import { ServerError } from './serverError';
import { DATATYPE_SIZE, elementCount, isDatatype, tensorFromJson, TensorDataError, tensorToJson } from './tensor';

type JsonObject = { [key: string]: JsonValue };

const RESERVED = new Set(['sequence_id', 'sequence_start', 'sequence_end', 'priority', 'timeout', 'binary_data_output', 'headers']);

const isObj = (v: JsonValue | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
const isUint = (v: JsonValue | undefined): v is number | bigint => (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n);
const parseErr = (what: string, msg: string): ServerError => new ServerError('INTERNAL', `Unable to parse '${what}': ${msg}`);

function shmRef(params: JsonObject): ShmRef | undefined {
  const region = params['shared_memory_region'];
  if (region === undefined) return undefined;
  if (typeof region !== 'string') throw parseErr('shared_memory_region', 'attempt to access JSON non-string as string');
  const size = params['shared_memory_byte_size'] ?? 0;
  const offset = params['shared_memory_offset'] ?? 0;
  if (!isUint(size)) throw parseErr('shared_memory_byte_size', 'attempt to access JSON non-unsigned-integer as unsigned-integer');
  if (!isUint(offset)) throw parseErr('shared_memory_offset', 'attempt to access JSON non-unsigned-integer as unsigned-integer');
  return { region, byteSize: Number(size), offset: Number(offset) };
}

function requestParameters(raw: JsonValue | undefined): Record<string, ParamValue> {
  if (raw === undefined) return {};
  if (!isObj(raw)) throw parseErr('parameters', 'attempt to access JSON non-object as object');
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('triton_')) throw new ServerError('INVALID_ARG', "parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.");
    if (k === 'sequence_id') {
      if (isUint(v) || typeof v === 'string') out[k] = v;
      else throw parseErr('sequence_id', 'attempt to access JSON non-string as string');
    } else if (k === 'sequence_start' || k === 'sequence_end' || k === 'binary_data_output') {
      if (typeof v !== 'boolean') throw parseErr(k, 'attempt to access JSON non-boolean as boolean');
      out[k] = v;
    } else if (k === 'priority' || k === 'timeout') {
      if (!isUint(v)) throw parseErr(k, 'attempt to access JSON non-unsigned-integer as unsigned-integer');
      out[k] = v;
    } else if (RESERVED.has(k)) {
      continue;
    } else if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') {
      out[k] = v;
    } else {
      throw new ServerError('INVALID_ARG', `parameter '${k}' has invalid type. It should be either 'int', 'bool', or 'string'.`);
    }
  }
  return out;
}

interface ParsedInfer {
  request: CoreRequest;
  /** Output name → binary? (listed outputs); `defaultBinary` for the rest. */
  binary: Map<string, boolean>;
  defaultBinary: boolean;
}

function parseInferRequest(ctx: HttpContext, model: string, version: string): ParsedInfer {
  const body = ctx.body;
  const headerValue = ctx.req.headers['inference-header-content-length'];
  let headerLength = body.length;
  if (typeof headerValue === 'string') {
    const n = Number.parseInt(headerValue, 10);
    headerLength = Number.isNaN(n) ? 0 : n;
    if (headerLength < 0 || headerLength > body.length) {
      throw new ServerError('INVALID_ARG', `inference header size should be in range (0, ${body.length}), got: ${headerValue}`, true);
    }
  }
  if (headerLength === 0) return parseRawRequest(ctx, model, version);
  let header: JsonValue;
  try {
    // 2.59.1 stops after the top-level object, so a missing header length shows up as a size error below.
    header = parseJson(body.subarray(0, headerLength).toString('utf8'), true);
  } catch (err) {
    if (err instanceof JsonParseError) throw new ServerError('INTERNAL', `failed to parse the request JSON buffer: ${err.message}`);
    throw err;
  }
  if (!isObj(header)) throw new ServerError('INTERNAL', 'failed to parse the request JSON buffer: request must be a JSON object at 0');
  const id = header['id'] ?? '';
  if (typeof id !== 'string') throw parseErr('id', 'attempt to access JSON non-string as string');
  const parameters = requestParameters(header['parameters']);
  const inputsJson = header['inputs'];
  if (inputsJson === undefined) throw parseErr('inputs', "attempt to access non-existing object member 'inputs'");
  if (!Array.isArray(inputsJson)) throw parseErr('inputs', 'attempt to access JSON non-array as array');
  let offset = headerLength === body.length ? body.length : headerLength;
  const inputs: InputSpec[] = [];
  for (const inp of inputsJson) {
    if (!isObj(inp)) throw parseErr('inputs', 'attempt to access JSON non-object as object');
    const name = inp['name'];
    if (typeof name !== 'string') throw parseErr('name', 'attempt to access JSON non-string as string');
    const shape = inp['shape'];
    if (!Array.isArray(shape)) throw parseErr('shape', 'attempt to access JSON non-array as array');
    if (!shape.every(isUint)) throw parseErr('shape', 'attempt to access JSON non-unsigned-integer as unsigned-integer');
    const datatype = inp['datatype'];
    if (typeof datatype !== 'string') throw parseErr('datatype', 'attempt to access JSON non-string as string');
    if (!isDatatype(datatype)) throw new ServerError('INVALID_ARG', `invalid datatype for input ${name}`);
    const params = inp['parameters'] === undefined ? {} : inp['parameters'];
    if (!isObj(params)) throw parseErr('parameters', 'attempt to access JSON non-object as object');
    const dims = shape.map(Number);
    const binSize = params['binary_data_size'];
    const shm = shmRef(params);
    const set = [inp['data'] !== undefined && "'data'", binSize !== undefined && "'binary_data_size'", shm && "'shared_memory_region'"].filter(Boolean);
    if (set.length > 1) {
      throw new ServerError('INVALID_ARG', `Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', 'shared_memory_region' in 'parameters'. But set ${set.join(' ')}`);
    }
    if (shm) {
      inputs.push({ name, datatype, shape: dims, shm });
    } else if (binSize !== undefined) {
      if (!isUint(binSize)) throw parseErr('binary_data_size', 'attempt to access JSON non-unsigned-integer as unsigned-integer');
      const size = Number(binSize);
      if (offset + size > body.length) {
        throw new ServerError('INVALID_ARG', `unexpected size for input '${name}', expecting ${offset + size - body.length} additional bytes for model '${model}'`);
      }
      inputs.push({ name, datatype, shape: dims, data: body.subarray(offset, offset + size) });
      offset += size;
    } else {
      if (elementCount(dims) > 0 && inp['data'] === undefined) throw parseErr('data', "attempt to access non-existing object member 'data'");
      try {
        inputs.push({ name, datatype, shape: dims, data: tensorFromJson(name, datatype, dims, inp['data'] ?? []) });
      } catch (err) {
        if (err instanceof TensorDataError) throw new ServerError(/via JSON is not supported/.test(err.message) ? 'INVALID_ARG' : 'INTERNAL', err.message);
        throw err;
      }
    }
  }
  if (offset < body.length && headerLength !== body.length) throw new ServerError('INVALID_ARG', `unexpected additional input data for model '${model}'`);
  const binary = new Map<string, boolean>();
  const outputs: OutputSpec[] = [];
  const outputsJson = header['outputs'];
  if (outputsJson !== undefined) {
    if (!Array.isArray(outputsJson)) throw parseErr('outputs', 'attempt to access JSON non-array as array');
    for (const o of outputsJson) {
      if (!isObj(o)) throw parseErr('outputs', 'attempt to access JSON non-object as object');
      const name = o['name'];
      if (typeof name !== 'string') throw parseErr('name', 'attempt to access JSON non-string as string');
      const params = o['parameters'] === undefined ? {} : o['parameters'];
      if (!isObj(params)) throw parseErr('parameters', 'attempt to access JSON non-object as object');
      const bin = params['binary_data'];
      if (bin !== undefined && typeof bin !== 'boolean') throw parseErr('binary_data', 'attempt to access JSON non-boolean as boolean');
      const cls = params['classification'];
      if (cls !== undefined && !isUint(cls)) throw new ServerError('INTERNAL', "Unable to set 'classification': attempt to access JSON non-unsigned-integer as unsigned-integer");
      const shm = shmRef(params);
      if (shm && cls !== undefined) throw new ServerError('INVALID_ARG', "Output can't set both 'shared_memory_region' and 'classification'");
      if (shm && bin === true) throw new ServerError('INVALID_ARG', "Output can't set both 'shared_memory_region' and 'binary_data'");
      const spec: OutputSpec = { name };
      if (cls !== undefined && Number(cls) > 0) spec.classification = Number(cls);
      if (shm) spec.shm = shm;
      outputs.push(spec);
      binary.set(name, bin === true);
    }
  }
  const request: CoreRequest = { id, model, version, parameters, inputs, outputs };
  return { request, binary, defaultBinary: parameters['binary_data_output'] === true };
}

function parseRawRequest(ctx: HttpContext, model: string, version: string): ParsedInfer {
  const { model: loaded } = ctx.state.core.resolve(model, version);
  const specs = ioSpecs(loaded.config, 'input');
  if (specs.length !== 1) {
    throw new ServerError('INVALID_ARG', `[request id: <id_unknown>] Raw request must only have 1 input (found 1) to be deduced but got ${specs.length} inputs in '${model}' model configuration`);
  }
  const spec = specs[0]!;
  const mbs = Number(loaded.config['max_batch_size'] ?? 0);
  let shape: number[];
  if (spec.datatype === 'BYTES') shape = [1];
  else {
    const size = DATATYPE_SIZE[spec.datatype];
    const fixed = spec.dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1) * size;
    const variable = fixed > 0 ? Math.floor(ctx.body.length / fixed) : 0;
    shape = spec.dims.map((d) => (d === -1 ? variable : d));
  }
  if (mbs > 0) shape = [1, ...shape];
  const request: CoreRequest = { id: '', model, version, parameters: {}, inputs: [{ name: spec.name, datatype: spec.datatype, shape, data: ctx.body }], outputs: [] };
  return { request, binary: new Map(), defaultBinary: true };
}

export function buildInferReply(res: CoreResponse, binaryOf: (name: string) => boolean): HttpReply {
  const chunks: Buffer[] = [];
  const outputs = res.outputs.map((o) => {
    const entry: Record<string, unknown> = { name: o.name, datatype: o.datatype, shape: o.shape };
    if (o.shm) return entry;
    if (binaryOf(o.name)) {
      entry['parameters'] = { binary_data_size: o.data.length };
      if (o.data.length > 0) chunks.push(o.data);
    } else {
      if (o.datatype === 'FP16' || o.datatype === 'BF16') {
        throw new ServerError('INVALID_ARG', `sending ${o.datatype} data via JSON is not supported. Please use the binary data format for output ${o.name}`);
      }
      entry['data'] = tensorToJson(o);
    }
    return entry;
  });
  const header: Record<string, unknown> = {};
  if (res.id) header['id'] = res.id;
  header['model_name'] = res.modelName;
  header['model_version'] = res.modelVersion;
  if (Object.keys(res.parameters).length > 0) header['parameters'] = res.parameters;
  header['outputs'] = outputs;
  const json = Buffer.from(stringifyJson(header));
  if (chunks.length === 0) return { status: 200, body: json, headers: { 'Content-Type': 'application/json' }, compressible: true };
  return {
    status: 200,
    body: [json, ...chunks],
    headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(json.length) },
    compressible: true,
  };
}

async function inferHandler(ctx: HttpContext): Promise<HttpReply> {
  const [model, version] = [ctx.params[0]!, ctx.params[1]!];
  let loaded;
  try {
    loaded = ctx.state.core.resolve(model, version).model;
  } catch (err) {
    throw err instanceof ServerError && err.code === 'NOT_FOUND' ? new ServerError(err.code, err.message, true) : err;
  }
  if (isDecoupled(loaded.config)) {
    throw new ServerError('UNSUPPORTED', "HTTP end point doesn't support models with decoupled transaction policy");
  }
  const parsed = parseInferRequest(ctx, model, version);
  parsed.request.lease = ctx.lease;
  if (ctx.fault?.executeDelayMs !== undefined) parsed.request.extraExecuteDelayMs = ctx.fault.executeDelayMs;
  const listed = (parsed.request.outputs ?? []).length > 0;
  const res = await ctx.state.core.infer(parsed.request, ctx.signal);
  return buildInferReply(res, (name) => (listed ? parsed.binary.get(name) === true : parsed.defaultBinary));
}

/** Generate extension: top-level keys named like inputs become tensors, the rest are parameters. */
function generateRequest(ctx: HttpContext): CoreRequest {
  if (ctx.req.headers['content-encoding'] && ctx.req.headers['content-encoding'] !== 'identity') {
    throw new ServerError('INVALID_ARG', "Unsupported content-encoding, only 'identity' is supported.");
  }
  const [model, version] = [ctx.params[0]!, ctx.params[1]!];
  const meta = modelMetadata(ctx.state, model, version) as { inputs: Array<{ name: string; datatype: string; shape: number[] }> };
  const obj = bodyJson(ctx.body, false);
  if (!isObj(obj)) throw new ServerError('INVALID_ARG', 'generate request must be a JSON object');
  const inputs: InputSpec[] = [];
  const parameters: Record<string, ParamValue> = {};
  let id = '';
  const addParams = (o: JsonObject): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') parameters[k] = v;
    }
  };
  for (const [k, v] of Object.entries(obj)) {
    const input = meta.inputs.find((i) => i.name === k);
    if (k === 'id' && typeof v === 'string') id = v;
    else if (k === 'parameters' && isObj(v)) addParams(v);
    else if (input && isDatatype(input.datatype)) {
      const values = Array.isArray(v) ? v : [v];
      const varDims = input.shape.filter((d) => d === -1).length;
      let seen = 0;
      const shape = input.shape.map((d) => (d !== -1 ? d : ++seen === varDims ? values.length : 1));
      try {
        inputs.push({ name: k, datatype: input.datatype, shape, data: tensorFromJson(k, input.datatype, shape, values) });
      } catch (err) {
        throw new ServerError('INVALID_ARG', (err as Error).message);
      }
    } else if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') parameters[k] = v;
  }
  return { id, model, version, parameters, inputs };
}

function generateJson(res: CoreResponse): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (res.id) out['id'] = res.id;
  out['model_name'] = res.modelName;
  out['model_version'] = res.modelVersion;
  Object.assign(out, res.parameters);
  for (const o of res.outputs) {
    const data = tensorToJson(o);
    out[o.name] = data.length === 1 ? data[0] : data;
  }
  return out;
}

async function generateHandler(ctx: HttpContext): Promise<HttpReply> {
  const req = generateRequest(ctx);
  const responses: CoreResponse[] = [];
  for await (const r of ctx.state.core.run(req, ctx.signal)) responses.push(r);
  if (responses.length !== 1) throw new ServerError('INVALID_ARG', 'generate expects model to produce exactly 1 response, use generate stream for model that generates various number of responses');
  return jsonReply(200, generateJson(responses[0]!));
}

async function generateStreamHandler(ctx: HttpContext): Promise<HttpReply> {
  const req = generateRequest(ctx);
  const res: http.ServerResponse = ctx.res;
  const iterator = ctx.state.core.run(req, ctx.signal);
  let first: IteratorResult<CoreResponse>;
  try {
    first = await iterator.next();
  } catch (err) {
    throw err instanceof ServerError ? err : new ServerError('INTERNAL', (err as Error).message);
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
  let written = 0;
  const write = (v: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    if (ctx.fault?.dropAfter !== undefined && written >= ctx.fault.dropAfter) {
      res.destroy();
      return;
    }
    written++;
    res.write(`data: ${stringifyJson(v)}\n\n`);
  };
  try {
    if (!first.done) write(generateJson(first.value));
    for await (const r of { [Symbol.asyncIterator]: () => iterator }) write(generateJson(r));
  } catch (err) {
    write({ error: (err as Error).message });
  }
  if (!res.destroyed) res.end();
  return { status: 200, streamed: true };
}

export function inferRoutes(): Route[] {
  const base = '^/v2/models/([^/]+)(?:/versions/([0-9]+))?';
  return [
    { re: new RegExp(`${base}/infer$`), methods: { POST: inferHandler } },
    { re: new RegExp(`${base}/generate$`), methods: { POST: generateHandler } },
    { re: new RegExp(`${base}/generate_stream$`), methods: { POST: generateStreamHandler } },
  ];
}

