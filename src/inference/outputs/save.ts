// Saving one output on request: as .npy (numpy's own format, exact values) or as .json (name,
// datatype, shape and flat data; exact digits for 64-bit integers).
import type { OutputTensor } from '../../triton/types';
import { writeNpy } from '../npy';
import { elementReader, nativeArrayOf } from './values';

/** Beyond this many elements JSON text gets unwieldy (hundreds of MB): .npy is the way. */
export const MAX_JSON_ELEMENTS = 4 * 1024 * 1024;

function valuesOf(tensor: OutputTensor): NonNullable<OutputTensor['data']> {
  if (tensor.data === undefined) {
    const where = tensor.sharedMemory ? ` (it was written to shared-memory region '${tensor.sharedMemory.region}')` : '';
    throw new Error(`output '${tensor.name}' carries no values to save${where}`);
  }
  return tensor.data;
}

/** The output as a .npy file (BYTES as a fixed-width '|S' array; BF16 widened to float32). */
export function outputToNpy(tensor: OutputTensor): Uint8Array {
  const data = valuesOf(tensor);
  if (tensor.datatype === 'BYTES') return writeNpy('BYTES', tensor.shape, data as (Uint8Array | string)[]);
  return writeNpy(tensor.datatype, tensor.shape, nativeArrayOf(tensor.datatype, data, tensor.shape, `output '${tensor.name}'`));
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A JSON string literal, or null for non-finite numbers that JSON cannot spell. */
function jsonNumber(text: string): string {
  return text === 'NaN' || text === 'Infinity' || text === '-Infinity' ? JSON.stringify(text) : text;
}

/**
 * The output as JSON text: `{"name","datatype","shape","data":[...]}`. Numbers are written with
 * every digit (64-bit integers too); NaN and ±Infinity, which JSON lacks, as the strings "NaN",
 * "Infinity", "-Infinity"; BYTES as strings when valid UTF-8, else `{"b64": "..."}`.
 */
export function outputToJson(tensor: OutputTensor): string {
  const data = valuesOf(tensor);
  const count = (data as { length: number }).length;
  if (count > MAX_JSON_ELEMENTS) throw new Error(`output '${tensor.name}' has ${count} elements; save it as .npy (JSON is limited to ${MAX_JSON_ELEMENTS})`);
  const head = `{"name":${JSON.stringify(tensor.name)},"datatype":${JSON.stringify(tensor.datatype)},"shape":${JSON.stringify(tensor.shape)},"data":[`;
  const parts: string[] = [];
  if (tensor.datatype === 'BYTES') {
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const e of data as (Uint8Array | string)[]) {
      if (typeof e === 'string') parts.push(JSON.stringify(e));
      else {
        try {
          parts.push(JSON.stringify(strict.decode(e)));
        } catch {
          parts.push(`{"b64":"${base64(e)}"}`);
        }
      }
    }
  } else {
    const reader = elementReader(tensor)!;
    if (tensor.datatype === 'BOOL') for (let i = 0; i < count; i++) parts.push(reader.exact(i));
    else for (let i = 0; i < count; i++) parts.push(jsonNumber(reader.exact(i)));
  }
  return `${head}${parts.join(',')}]}`;
}
