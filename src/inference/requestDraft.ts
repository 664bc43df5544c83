// What a user composes in the run-inference panel, as plain JSON: it is kept in history, saved to
// `.json` files in the workspace, exported (curl, Python, perf_analyzer) and resolved into tensors.
import type { TritonDatatype } from '../triton/types';
import { isDatatype } from '../triton/datatypes';

export const REQUEST_DRAFT_VERSION = 1;

export type ImageScaling = 'NONE' | 'INCEPTION' | 'VGG';
export type FillKind = 'zeros' | 'ones' | 'random' | 'range';

/** Where an input's values come from. File paths are absolute, or relative to the draft's base folder. */
export type InputSource =
  /** Numbers (nested or flat JSON array, or one scalar repeated is not allowed: give every element). */
  | { kind: 'json'; text: string }
  | { kind: 'fill'; fill: FillKind; seed?: number; start?: number; step?: number }
  | { kind: 'npy'; path: string }
  /** BYTES elements: one per line, or a JSON array of strings. */
  | { kind: 'bytes'; text: string; format: 'lines' | 'json' }
  /** BYTES elements: the raw bytes of one file each. */
  | { kind: 'files'; paths: string[] }
  /** Image files (a folder stands for its regular files sorted by name), preprocessed as image_client.py does. */
  | { kind: 'image'; paths: string[]; scaling: ImageScaling };

export interface InputDraft {
  name: string;
  datatype: TritonDatatype;
  /** Full shape sent, batch dimension included when the model batches; no -1 left. */
  shape: number[];
  source: InputSource;
}

export interface OutputDraft {
  name: string;
  /** Top-k classification (k > 0) instead of the raw tensor. */
  classCount?: number;
}

export type RunMode =
  | { kind: 'single' }
  /** `count` identical requests, at most `concurrency` in flight. */
  | { kind: 'concurrent'; count: number; concurrency: number }
  /** gRPC ModelStreamInfer, for decoupled models: responses shown as they arrive. */
  | { kind: 'stream' };

export interface SequenceDraft {
  id: number | string;
  start: boolean;
  end: boolean;
}

export interface RequestDraft {
  version: typeof REQUEST_DRAFT_VERSION;
  model: string;
  /** Empty or absent: the server's choice. */
  modelVersion?: string;
  protocol: 'http' | 'grpc';
  /** HTTP: tensors as binary chunks (true) or JSON. */
  binary: boolean;
  inputs: InputDraft[];
  /** Requested outputs; empty asks for all of them. */
  outputs: OutputDraft[];
  mode: RunMode;
  sequence?: SequenceDraft;
  priority?: number;
  /** Server-side timeout in microseconds (the `timeout` request parameter). */
  timeoutUs?: number;
  requestId?: string;
  parameters?: Record<string, string | number | boolean>;
  /** Move tensors through system shared memory instead of the socket (one request at a time). */
  sharedMemory?: { inputs: boolean; outputs: boolean };
  /** The server it was composed against, for the reader's information only. */
  server?: { name: string; httpUrl?: string; grpcUrl?: string };
}

const FILLS: readonly string[] = ['zeros', 'ones', 'random', 'range'];
const SCALINGS: readonly string[] = ['NONE', 'INCEPTION', 'VGG'];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function sourceProblem(s: unknown): string | undefined {
  if (!isRecord(s)) return 'is not an object';
  switch (s.kind) {
    case 'json':
      return typeof s.text === 'string' ? undefined : "has no string 'text'";
    case 'fill':
      if (typeof s.fill !== 'string' || !FILLS.includes(s.fill)) return `has fill ${JSON.stringify(s.fill)}; expected one of ${FILLS.join(', ')}`;
      for (const k of ['seed', 'start', 'step']) {
        if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isFinite(s[k]))) return `has a non-numeric '${k}'`;
      }
      return undefined;
    case 'npy':
      return typeof s.path === 'string' && s.path !== '' ? undefined : "has no 'path'";
    case 'bytes':
      if (typeof s.text !== 'string') return "has no string 'text'";
      return s.format === 'lines' || s.format === 'json' ? undefined : "has 'format' other than 'lines' or 'json'";
    case 'files':
      return isStringArray(s.paths) ? undefined : "has no string array 'paths'";
    case 'image':
      if (!isStringArray(s.paths)) return "has no string array 'paths'";
      return typeof s.scaling === 'string' && SCALINGS.includes(s.scaling) ? undefined : `has scaling ${JSON.stringify(s.scaling)}; expected one of ${SCALINGS.join(', ')}`;
    default:
      return `has unknown kind ${JSON.stringify(s.kind)}`;
  }
}

function modeProblem(m: unknown): string | undefined {
  if (!isRecord(m)) return "'mode' is not an object";
  if (m.kind === 'single' || m.kind === 'stream') return undefined;
  if (m.kind === 'concurrent') {
    if (!isCount(m.count) || m.count < 1) return "'mode.count' must be a whole number ≥ 1";
    if (!isCount(m.concurrency) || m.concurrency < 1) return "'mode.concurrency' must be a whole number ≥ 1";
    return undefined;
  }
  return `'mode.kind' is ${JSON.stringify(m.kind)}; expected single, concurrent or stream`;
}

/**
 * Everything wrong with a value read as a draft (from a file, history or a webview), each naming
 * the field; an empty list means it is a RequestDraft.
 */
export function requestDraftProblems(x: unknown): string[] {
  if (!isRecord(x)) return ['the request is not a JSON object'];
  const problems: string[] = [];
  if (x.version !== REQUEST_DRAFT_VERSION) problems.push(`'version' is ${JSON.stringify(x.version)}; this version of the extension reads ${REQUEST_DRAFT_VERSION}`);
  if (typeof x.model !== 'string' || x.model === '') problems.push("'model' is missing or not a string");
  if (x.modelVersion !== undefined && typeof x.modelVersion !== 'string') problems.push("'modelVersion' is not a string");
  if (x.protocol !== 'http' && x.protocol !== 'grpc') problems.push("'protocol' must be \"http\" or \"grpc\"");
  if (typeof x.binary !== 'boolean') problems.push("'binary' must be true or false");
  if (!Array.isArray(x.inputs)) problems.push("'inputs' is not an array");
  else {
    x.inputs.forEach((input: unknown, i) => {
      const where = `inputs[${i}]`;
      if (!isRecord(input)) return void problems.push(`${where} is not an object`);
      if (typeof input.name !== 'string' || input.name === '') problems.push(`${where} has no 'name'`);
      if (!isDatatype(input.datatype)) problems.push(`${where} has datatype ${JSON.stringify(input.datatype)}, not a Triton datatype`);
      if (!Array.isArray(input.shape) || !input.shape.every(isCount)) problems.push(`${where}.shape must be an array of whole numbers ≥ 0`);
      const p = sourceProblem(input.source);
      if (p) problems.push(`${where}.source ${p}`);
    });
  }
  if (!Array.isArray(x.outputs)) problems.push("'outputs' is not an array");
  else {
    x.outputs.forEach((output: unknown, i) => {
      if (!isRecord(output) || typeof output.name !== 'string' || output.name === '') problems.push(`outputs[${i}] has no 'name'`);
      else if (output.classCount !== undefined && (!isCount(output.classCount) || output.classCount < 1)) problems.push(`outputs[${i}].classCount must be a whole number ≥ 1`);
    });
  }
  const mp = modeProblem(x.mode);
  if (mp) problems.push(mp);
  if (x.sequence !== undefined) {
    const s = x.sequence;
    if (!isRecord(s)) problems.push("'sequence' is not an object");
    else {
      const idOk = (typeof s.id === 'number' && Number.isSafeInteger(s.id) && s.id >= 0) || (typeof s.id === 'string' && s.id !== '');
      if (!idOk) problems.push("'sequence.id' must be a whole number ≥ 0 or a non-empty string");
      if (typeof s.start !== 'boolean' || typeof s.end !== 'boolean') problems.push("'sequence.start' and 'sequence.end' must be true or false");
    }
  }
  if (x.sharedMemory !== undefined) {
    const m = x.sharedMemory;
    if (!isRecord(m) || typeof m.inputs !== 'boolean' || typeof m.outputs !== 'boolean') problems.push("'sharedMemory' must be { \"inputs\": true|false, \"outputs\": true|false }");
    else if ((m.inputs || m.outputs) && isRecord(x.mode) && x.mode.kind !== 'single') problems.push("'sharedMemory' runs one request at a time: 'mode.kind' must be \"single\"");
  }
  if (x.priority !== undefined && !isCount(x.priority)) problems.push("'priority' must be a whole number ≥ 0");
  if (x.timeoutUs !== undefined && !isCount(x.timeoutUs)) problems.push("'timeoutUs' must be a whole number ≥ 0");
  if (x.requestId !== undefined && typeof x.requestId !== 'string') problems.push("'requestId' is not a string");
  if (x.parameters !== undefined) {
    if (!isRecord(x.parameters)) problems.push("'parameters' is not an object");
    else {
      for (const [k, v] of Object.entries(x.parameters)) {
        if (!['string', 'number', 'boolean'].includes(typeof v)) problems.push(`parameters.${k} must be a string, number or boolean`);
      }
    }
  }
  return problems;
}

export function isRequestDraft(x: unknown): x is RequestDraft {
  return requestDraftProblems(x).length === 0;
}
