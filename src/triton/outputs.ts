// Reading inference results: find an output, view its values as text or as plain numbers.
import { bytesToStrings } from './bytesCodec';
import { TritonError } from './errors';
import { bf16ArrayToFloat32, fp16ArrayToFloat32 } from './fp16';
import type { InferResult, OutputTensor, RequestedOutput } from './types';

/** The output called `name`; outputs come back in the model's order, so match by name. */
export function getOutput(result: InferResult, name: string): OutputTensor | undefined {
  return result.outputs.find((o) => o.name === name);
}

/**
 * Fails with 'protocol' when an output the request named is not in the answer: Triton answers every
 * requested output (shared-memory ones as placements), so a gap is a broken server, not an empty result.
 */
export function requireRequestedOutputs(result: InferResult, requested: readonly RequestedOutput[] | undefined, where?: string): void {
  if (requested === undefined) return;
  const outputs = result.outputs;
  for (const wanted of requested) {
    let found = false;
    for (const output of outputs) {
      if (output.name === wanted.name) { found = true; break; }
    }
    if (!found) {
      const got = outputs.length === 0 ? 'none' : outputs.map((o) => `'${o.name}'`).join(', ');
      throw new TritonError('protocol', `the answer has no output '${wanted.name}', which the request asked for (it has ${got})`, { request: where });
    }
  }
}

function valuesOf(tensor: OutputTensor): NonNullable<OutputTensor['data']> {
  if (tensor.data === undefined) {
    const where = tensor.sharedMemory ? ` (it was written to shared-memory region '${tensor.sharedMemory.region}')` : '';
    throw new TritonError('invalid-argument', `output '${tensor.name}' carries no values${where}`);
  }
  return tensor.data;
}

/** BYTES values decoded as UTF-8 (invalid sequences become U+FFFD). */
export function outputStrings(tensor: OutputTensor): string[] {
  if (tensor.datatype !== 'BYTES') throw new TritonError('invalid-argument', `output '${tensor.name}' is ${tensor.datatype}, not BYTES`);
  return bytesToStrings(valuesOf(tensor) as Uint8Array[]);
}

/**
 * Values as numbers: FP16/BF16 widened to float32, BOOL as 0/1, 64-bit integers as doubles
 * (exact up to 2^53 — keep `data` when every digit matters).
 */
export function outputNumbers(tensor: OutputTensor): ArrayLike<number> {
  const data = valuesOf(tensor);
  switch (tensor.datatype) {
    case 'BYTES': throw new TritonError('invalid-argument', `output '${tensor.name}' is BYTES; use outputStrings`);
    case 'FP16': return fp16ArrayToFloat32(data as Uint16Array);
    case 'BF16': return bf16ArrayToFloat32(data as Uint16Array);
    case 'BOOL': return Uint8Array.from(data as boolean[], (b) => (b ? 1 : 0));
    case 'INT64': case 'UINT64': return Float64Array.from(data as BigInt64Array, (v) => Number(v));
    default: return data as ArrayLike<number>;
  }
}
