// A ready-to-run curl command for a model: a JSON infer request with zero/placeholder data of the
// right shapes and datatypes, built from the model's metadata.
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

/** Cap on generated elements so a model with huge fixed dims does not produce a megabyte command. */
export const maxPlaceholderElements = 4096;

export interface InferRequestJson {
  inputs: { name: string; shape: number[]; datatype: string; data: (number | boolean | string)[] }[];
  outputs: { name: string }[];
}

export function placeholderShape(tensor: TensorMetadata, variableDim = 1): number[] {
  return tensor.shape.map((d) => (d < 0 ? variableDim : d));
}

function placeholderValue(datatype: string): number | boolean | string {
  if (datatype === 'BOOL') return false;
  if (datatype === 'BYTES') return '';
  return 0;
}

export function buildInferRequest(meta: ModelMetadata, variableDim = 1): InferRequestJson {
  return {
    inputs: meta.inputs.map((t) => {
      const shape = placeholderShape(t, variableDim);
      const count = shape.reduce((a, b) => a * b, 1);
      if (count > maxPlaceholderElements) {
        throw new Error(`input '${t.name}' has ${count} elements (shape [${shape.join(', ')}]); a JSON request with placeholder data is limited to ${maxPlaceholderElements}`);
      }
      return { name: t.name, shape, datatype: t.datatype, data: new Array<number | boolean | string>(count).fill(placeholderValue(t.datatype)) };
    }),
    outputs: meta.outputs.map((t) => ({ name: t.name })),
  };
}

/** Quotes for a POSIX shell: single quotes, with embedded ones closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function buildCurlCommand(meta: ModelMetadata, options: CurlOptions): string {
  const base = options.httpUrl.replace(/\/+$/, '');
  const path = `/v2/models/${encodeURIComponent(meta.name)}${options.version !== undefined && options.version !== '' ? `/versions/${encodeURIComponent(options.version)}` : ''}/infer`;
  const body = JSON.stringify(buildInferRequest(meta, options.variableDim ?? 1));
  const lines = [`curl -sS -X POST ${shellQuote(base + path)}`, `  -H 'Content-Type: application/json'`];
  for (const [k, v] of Object.entries(options.headers ?? {})) lines.push(`  -H ${shellQuote(`${k}: ${v}`)}`);
  for (const name of options.secretHeaderNames ?? []) {
    const envName = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    // Double quotes so the shell expands the variable the user exports; the value never appears here.
    lines.push(`  -H "${name}: $${envName}"`);
  }
  lines.push(`  -d ${shellQuote(body)}`);
  return lines.join(' \\\n');
}
