// Turns HTTP answers into values or TritonErrors: error bodies, JSON shapes of the metadata endpoints.
import { TritonError, kindFromHttpStatus } from '../errors';
import type { HttpAnswer } from './httpRequest';
import { parseJsonAnswer } from './jsonText';
import type { ModelMetadata, RepositoryIndexEntry, ServerMetadata, TensorMetadata } from '../types';

/**
 * Triton matches the model segment of a URL path as it arrives, without percent-decoding it
 * (seen on 2.59.1): a name the client had to escape comes back unknown under its escaped form.
 */
function undecodedNameHint(serverMessage: string): string {
  return /^Request for unknown model: '[^']*%[0-9A-F]{2}/.test(serverMessage)
    ? ' (Triton does not percent-decode model names in URL paths: a model whose name has characters other than A-Z a-z 0-9 _ . - ~ can be reached over gRPC only)'
    : '';
}

/** The TritonError for a non-200 answer; the body is read as JSON whatever its Content-Type says. */
export function errorFromAnswer(answer: HttpAnswer, request: string): TritonError {
  const status = answer.status;
  const kind = kindFromHttpStatus(status);
  const text = answer.body.toString('utf8');
  if (text.trim() === '') {
    return new TritonError(kind, `server answered HTTP ${status} with an empty body`, { status, request });
  }
  let serverMessage: string | undefined;
  try {
    const doc = parseJsonAnswer(text, request);
    if (doc !== null && typeof doc === 'object' && typeof (doc as { error?: unknown }).error === 'string') {
      serverMessage = (doc as { error: string }).error;
    }
  } catch {
    // Not JSON: a proxy page or a crashed server; quote the start of it below.
  }
  if (serverMessage !== undefined) return new TritonError(kind, serverMessage + undecodedNameHint(serverMessage), { status, request, serverMessage });
  const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return new TritonError(kind, `server answered HTTP ${status} without a Triton error message: ${excerpt.replace(/\s+/g, ' ')}`, { status, request });
}

/** Parses a 200 answer's JSON body. */
export function answerJson(answer: HttpAnswer, request: string): unknown {
  const text = answer.body.toString('utf8');
  if (text.trim() === '') throw new TritonError('protocol', 'expected a JSON body, got an empty one', { status: answer.status, request });
  return parseJsonAnswer(text, request);
}

export function expectObject(value: unknown, what: string, request: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TritonError('protocol', `${what} is not a JSON object`, { request });
  }
  return value as Record<string, unknown>;
}

export function expectArray(value: unknown, what: string, request: string): unknown[] {
  if (!Array.isArray(value)) throw new TritonError('protocol', `${what} is not a JSON array`, { request });
  return value;
}

function expectString(obj: Record<string, unknown>, key: string, what: string, request: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new TritonError('protocol', `${what} has no string '${key}'`, { request });
  return v;
}

function stringList(obj: Record<string, unknown>, key: string, what: string, request: string): string[] {
  const v = obj[key] ?? [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new TritonError('protocol', `${what} '${key}' is not a list of strings`, { request });
  }
  return v as string[];
}

export function toServerMetadata(doc: unknown, request: string): ServerMetadata {
  const obj = expectObject(doc, 'server metadata', request);
  return {
    name: expectString(obj, 'name', 'server metadata', request),
    version: expectString(obj, 'version', 'server metadata', request),
    extensions: stringList(obj, 'extensions', 'server metadata', request),
  };
}

function toTensorMetadata(value: unknown, what: string, request: string): TensorMetadata {
  const obj = expectObject(value, what, request);
  const shape = obj.shape ?? [];
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= -1)) {
    throw new TritonError('protocol', `${what} shape ${JSON.stringify(shape)} is not a list of integers ≥ -1`, { request });
  }
  return { name: expectString(obj, 'name', what, request), datatype: expectString(obj, 'datatype', what, request), shape: shape as number[] };
}

export function toModelMetadata(doc: unknown, request: string): ModelMetadata {
  const obj = expectObject(doc, 'model metadata', request);
  const tensors = (key: 'inputs' | 'outputs'): TensorMetadata[] =>
    expectArray(obj[key] ?? [], `model metadata '${key}'`, request).map((t, i) => toTensorMetadata(t, `model metadata ${key}[${i}]`, request));
  return {
    name: expectString(obj, 'name', 'model metadata', request),
    versions: stringList(obj, 'versions', 'model metadata', request),
    platform: typeof obj.platform === 'string' ? obj.platform : '',
    inputs: tensors('inputs'),
    outputs: tensors('outputs'),
  };
}

export function toRepositoryIndex(doc: unknown, request: string): RepositoryIndexEntry[] {
  return expectArray(doc, 'repository index', request).map((value, i) => {
    const obj = expectObject(value, `repository index entry ${i}`, request);
    const entry: RepositoryIndexEntry = { name: expectString(obj, 'name', `repository index entry ${i}`, request) };
    for (const key of ['version', 'state', 'reason'] as const) {
      const v = obj[key];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw new TritonError('protocol', `repository index entry ${i} '${key}' is not a string`, { request });
      entry[key] = v;
    }
    return entry;
  });
}

/** Checks that each array element is an object with a string `name` (statistics, shm status). */
export function namedObjects<T>(doc: unknown, what: string, request: string): T[] {
  return expectArray(doc, what, request).map((value, i) => {
    const obj = expectObject(value, `${what}[${i}]`, request);
    expectString(obj, 'name', `${what}[${i}]`, request);
    return obj as T;
  });
}
