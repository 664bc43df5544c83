// A ready-to-run curl command for a model: an infer request with zero/placeholder data of the right
// shapes and datatypes, built from the model's metadata (JSON, or JSON + raw zero bytes for FP16/BF16
// and for inputs too big to write out, such as a 3×224×224 image).
import { datatypeInfo, isDatatype } from '../triton/datatypes';
import type { ModelMetadata, TensorMetadata } from '../triton/types';

export interface CurlOptions {
  /** Base HTTP URL of the server, e.g. http://localhost:8000 (a trailing slash is dropped). */
  readonly httpUrl: string;
  readonly version?: string;
  /** Size used for variable (-1) dimensions, batch included. Default 1. */
  readonly variableDim?: number;
  /** Non-secret headers to include. Secret values must not be passed here. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Header names whose value is a secret: written as "$NAME" placeholders to fill in. */
  readonly secretHeaderNames?: readonly string[];
}

/** Inputs with more elements than this are sent as zero bytes after the JSON, so the command stays short. */
export const maxPlaceholderElements = 4096;

/** Triton refuses these datatypes as JSON both ways; they travel as raw bytes (binary tensor extension). */
const binaryOnly = new Set(['FP16', 'BF16']);

export interface InferRequestJson {
  inputs: { name: string; shape: number[]; datatype: string; data?: (number | boolean | string)[]; parameters?: { binary_data_size: number } }[];
  outputs: { name: string; parameters?: { binary_data: boolean } }[];
}

export function placeholderShape(tensor: TensorMetadata, variableDim = 1): number[] {
  return tensor.shape.map((d) => (d < 0 ? variableDim : d));
}

function placeholderValue(datatype: string): number | boolean | string {
  if (datatype === 'BOOL') return false;
  if (datatype === 'BYTES') return '';
  return 0;
}

/**
 * Bytes of `count` zero-valued elements on the wire. Zero bytes are a valid zero tensor of every
 * datatype: 0 / false / +0.0, and for BYTES a 4-byte length of 0, i.e. an empty string each.
 */
function zeroBytes(t: TensorMetadata, count: number): number {
  if (!isDatatype(t.datatype)) throw new Error(`input '${t.name}' has datatype '${t.datatype}', which Triton does not define`);
  return count * (t.datatype === 'BYTES' ? 4 : datatypeInfo(t.datatype).size);
}

/**
 * The JSON part of an infer request. FP16/BF16 inputs, and inputs with more than
 * `maxPlaceholderElements` elements, carry no `data` but a `binary_data_size` (zero bytes follow
 * the JSON); FP16/BF16 outputs are asked for as binary.
 */
export function buildInferRequest(meta: ModelMetadata, variableDim = 1): InferRequestJson {
  return {
    inputs: meta.inputs.map((t) => {
      const shape = placeholderShape(t, variableDim);
      const count = shape.reduce((a, b) => a * b, 1);
      if (binaryOnly.has(t.datatype) || count > maxPlaceholderElements) return { name: t.name, shape, datatype: t.datatype, parameters: { binary_data_size: zeroBytes(t, count) } };
      return { name: t.name, shape, datatype: t.datatype, data: new Array<number | boolean | string>(count).fill(placeholderValue(t.datatype)) };
    }),
    outputs: meta.outputs.map((t) => (binaryOnly.has(t.datatype) ? { name: t.name, parameters: { binary_data: true } } : { name: t.name })),
  };
}

/** Quotes for a POSIX shell: single quotes, with embedded ones closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Environment variable names for secret headers: distinct even when two names map to the same one. */
export function secretEnvNames(headerNames: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const name of headerNames) {
    let base = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    if (!/^[A-Z_]/.test(base)) base = `_${base}`;
    let env = base;
    for (let i = 2; used.has(env); i++) env = `${base}_${i}`;
    used.add(env);
    out.set(name, env);
  }
  return out;
}

export function buildCurlCommand(meta: ModelMetadata, options: CurlOptions): string {
  const base = options.httpUrl.replace(/\/+$/, '');
  const path = `/v2/models/${encodeURIComponent(meta.name)}${options.version !== undefined && options.version !== '' ? `/versions/${encodeURIComponent(options.version)}` : ''}/infer`;
  const request = buildInferRequest(meta, options.variableDim ?? 1);
  const json = JSON.stringify(request);
  const binaryBytes = request.inputs.reduce((sum, i) => sum + (i.parameters?.binary_data_size ?? 0), 0);
  const binaryOut = request.outputs.some((o) => o.parameters?.binary_data === true);
  const headers: string[] = [];
  for (const [k, v] of Object.entries(options.headers ?? {})) headers.push(`  -H ${shellQuote(`${k}: ${v}`)}`);
  for (const [name, env] of secretEnvNames(options.secretHeaderNames ?? [])) {
    // The name is single-quoted (no expansion at all); only the variable the user exports is expanded.
    headers.push(`  -H ${shellQuote(`${name}: `)}"$${env}"`);
  }
  // Binary answers (FP16/BF16 outputs) are a JSON header followed by raw bytes; curl prints them only when told to.
  const output = binaryOut ? ['  --output -'] : [];
  if (binaryBytes === 0) {
    return [`curl -sS -X POST ${shellQuote(base + path)}`, `  -H 'Content-Type: application/json'`, ...headers, ...output, `  -d ${shellQuote(json)}`].join(' \\\n');
  }
  // Binary inputs: the JSON header, then the tensors' bytes (zeros), as Triton's binary tensor extension wants.
  const feed = `{ printf '%s' ${shellQuote(json)}; head -c ${binaryBytes} /dev/zero; }`;
  return [
    `${feed} |`,
    `curl -sS -X POST ${shellQuote(base + path)}`,
    `  -H 'Content-Type: application/octet-stream'`,
    `  -H 'Inference-Header-Content-Length: ${Buffer.byteLength(json, 'utf8')}'`,
    ...headers,
    ...output,
    '  --data-binary @-',
  ].join(' \\\n');
}
