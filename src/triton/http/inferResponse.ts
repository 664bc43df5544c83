// Parses HTTP infer responses (JSON header + binary chunks), checking every size against the body.
import { isDatatype } from '../datatypes';
import { TritonError } from '../errors';
import { decodeTensor, tensorFromJson } from '../tensor';
import type { ClassificationEntry, InferResult, OutputTensor, ParameterValue, RequestedOutput } from '../types';
import { bytesToStrings } from '../bytesCodec';
import { requireRequestedOutputs } from '../outputs';
import { parseJsonAnswer } from './jsonText';

/**
 * `headerLength` is the Inference-Header-Content-Length value (undefined: the whole body is JSON).
 * `requested` tells which outputs went to shared memory and which asked for classification.
 */
export function parseInferResponse(
  body: Buffer,
  headerLength: string | undefined,
  requested: readonly RequestedOutput[] | undefined,
  where?: string,
): InferResult {
  const fail = (what: string): TritonError => new TritonError('protocol', what, { request: where });
  let jsonEnd = body.byteLength;
  if (headerLength !== undefined) {
    if (!/^\d+$/.test(headerLength.trim())) throw fail(`invalid Inference-Header-Content-Length '${headerLength}'`);
    jsonEnd = Number(headerLength.trim());
    if (jsonEnd > body.byteLength) throw fail(`Inference-Header-Content-Length ${jsonEnd} is beyond the ${body.byteLength}-byte body`);
  }
  if (jsonEnd === 0) throw fail('empty response body');
  const doc = parseJsonAnswer(body.toString('utf8', 0, jsonEnd), where);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw fail('response JSON is not an object');
  const root = doc as Record<string, unknown>;
  const modelName = root.model_name;
  if (typeof modelName !== 'string') throw fail("response has no string 'model_name'");
  // Optional in the v2 protocol (the official clients never read it): missing or null reads as ''.
  const modelVersion = root.model_version ?? '';
  if (typeof modelVersion !== 'string') throw fail("response 'model_version' is not a string");
  const rawOutputs = root.outputs ?? [];
  if (!Array.isArray(rawOutputs)) throw fail("response 'outputs' is not an array");

  const byName = new Map<string, RequestedOutput>();
  for (const r of requested ?? []) byName.set(r.name, r);

  const outputs: OutputTensor[] = [];
  let offset = jsonEnd;
  for (let i = 0; i < rawOutputs.length; i++) {
    const raw = rawOutputs[i] as Record<string, unknown> | null;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail(`response output ${i} is not an object`);
    const name = raw.name;
    if (typeof name !== 'string') throw fail(`response output ${i} has no string 'name'`);
    const datatype = raw.datatype;
    const outWhere = where ? `${where} output '${name}'` : `output '${name}'`;
    if (!isDatatype(datatype)) throw new TritonError('protocol', `unknown datatype '${String(datatype)}'`, { request: outWhere });
    const shape = raw.shape;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      throw new TritonError('protocol', `shape ${JSON.stringify(shape)} is not a list of non-negative integers`, { request: outWhere });
    }
    const params = raw.parameters === undefined ? undefined : checkParameters(raw.parameters, outWhere);
    const out: OutputTensor = { name, datatype, shape: shape as number[] };
    const size = params?.binary_data_size;
    const asked = byName.get(name);
    if (size !== undefined) {
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
        throw new TritonError('protocol', `binary_data_size ${String(size)} is not a non-negative integer`, { request: outWhere });
      }
      if (size > body.byteLength - offset) {
        throw new TritonError('protocol', `binary_data_size ${size} runs past the end of the body (${body.byteLength - offset} bytes left)`, { request: outWhere });
      }
      out.data = decodeTensor(datatype, body.subarray(offset, offset + size), shape as number[], outWhere);
      offset += size;
    } else if (raw.data !== undefined) {
      out.data = tensorFromJson(datatype, raw.data, shape as number[], outWhere);
    } else if (asked?.sharedMemory !== undefined) {
      out.sharedMemory = { ...asked.sharedMemory };
    } else {
      throw new TritonError('protocol', 'output has neither data, binary_data_size nor a shared-memory placement', { request: outWhere });
    }
    if (params !== undefined) {
      let rest: Record<string, ParameterValue> | undefined;
      for (const key in params) {
        if (key !== 'binary_data_size') (rest ??= {})[key] = params[key]!;
      }
      if (rest !== undefined) out.parameters = rest;
    }
    if (asked?.classCount !== undefined && asked.classCount > 0 && out.data !== undefined) {
      out.classification = parseClassification(out.data, datatype, outWhere);
    }
    outputs.push(out);
  }
  if (offset !== body.byteLength) throw fail(`${body.byteLength - offset} byte(s) after the last binary output`);

  const result: InferResult = { modelName, modelVersion, outputs };
  if (root.id !== undefined) {
    if (typeof root.id !== 'string') throw fail("response 'id' is not a string");
    result.id = root.id;
  }
  if (root.parameters !== undefined) result.parameters = checkParameters(root.parameters, where);
  requireRequestedOutputs(result, requested, where);
  return result;
}

function checkParameters(value: unknown, where?: string): Record<string, ParameterValue> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TritonError('protocol', "'parameters' is not an object", { request: where });
  }
  const out: Record<string, ParameterValue> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') out[key] = v;
    else throw new TritonError('protocol', `parameter '${key}' has a non-scalar value`, { request: where });
  }
  return out;
}

/** Parses "score:index[:label]" classification strings. */
export function parseClassification(data: unknown, datatype: string, where?: string): ClassificationEntry[] {
  if (datatype !== 'BYTES' || !Array.isArray(data)) {
    throw new TritonError('protocol', `classification output came back as ${datatype}, expected BYTES`, { request: where });
  }
  return bytesToStrings(data as Uint8Array[]).map((text) => {
    const first = text.indexOf(':');
    const second = first < 0 ? -1 : text.indexOf(':', first + 1);
    const scoreText = first < 0 ? '' : text.slice(0, first);
    const indexText = first < 0 ? '' : text.slice(first + 1, second < 0 ? undefined : second);
    const score = Number(scoreText);
    if (scoreText.trim() === '' || Number.isNaN(score) && !/^-?nan$/i.test(scoreText)) {
      throw new TritonError('protocol', `classification entry '${text}' is not "score:index[:label]"`, { request: where });
    }
    if (!/^\d+$/.test(indexText)) {
      throw new TritonError('protocol', `classification entry '${text}' has no integer index`, { request: where });
    }
    const entry: ClassificationEntry = { score, index: Number(indexText) };
    if (second >= 0) entry.label = text.slice(second + 1);
    return entry;
  });
}
