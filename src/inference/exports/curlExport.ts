// A request exported as a curl command. Small JSON requests are inlined; anything with binary
// tensors (or too big to paste) is written as a body file next to the command and sent with
// `--data-binary @file` plus the Inference-Header-Content-Length header, so image-sized inputs work.
import { buildInferBody } from '../../triton/http/inferBody';
import { secretEnvNames, shellQuote } from '../../services/curlRequest';
import type { RequestDraft } from '../requestDraft';
import { inferInputsOf, inferOptionsOf, requestedOutputsOf } from './resolvedRequest';
import type { ExportFile, ResolvedTensor } from './resolvedRequest';

export interface CurlExportOptions {
  /** Base HTTP URL, e.g. http://localhost:8000 (a trailing slash is dropped). */
  httpUrl: string;
  /** Name of the body file written next to the command (default request.bin). */
  bodyFileName?: string;
  /** Ask for outputs as binary chunks (needed for FP16/BF16 outputs); the answer then goes to `responseFileName`. */
  binaryOutputs?: boolean;
  /** Where curl writes a binary answer (default response.bin). */
  responseFileName?: string;
  /** Largest JSON body inlined in the command (default 16 KiB). */
  inlineLimit?: number;
  /** Non-secret headers to include. */
  headers?: Readonly<Record<string, string>>;
  /** Header names whose value is secret: written as "$NAME" environment references. */
  secretHeaderNames?: readonly string[];
}

export interface CurlExport {
  /** The shell command (POSIX sh), to be run from the folder holding `files`. */
  command: string;
  /** The body file, when the request is not inlined. */
  files: ExportFile[];
  /** The JSON part of the body (what Inference-Header-Content-Length counts when binary follows). */
  json: string;
}

export const DEFAULT_INLINE_LIMIT = 16 * 1024;

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function checkFileName(name: string, what: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) throw new Error(`${what} '${name}' must be a plain file name (letters, digits, '-', '_', '.')`);
  return name;
}

/** The curl command for a draft and its resolved inputs; errors name the input whose values are wrong. */
export function buildCurlExport(draft: RequestDraft, inputs: readonly ResolvedTensor[], options: CurlExportOptions): CurlExport {
  const bodyFile = checkFileName(options.bodyFileName ?? 'request.bin', 'body file name');
  const responseFile = checkFileName(options.responseFileName ?? 'response.bin', 'response file name');
  const binaryOutputs = options.binaryOutputs ?? false;
  const body = buildInferBody(
    inferInputsOf(inputs, draft.binary),
    requestedOutputsOf(draft, binaryOutputs),
    { ...inferOptionsOf(draft), binaryData: binaryOutputs },
    `model '${draft.model}'`,
  );
  const base = options.httpUrl.replace(/\/+$/, '');
  const version = draft.modelVersion ? `/versions/${encodeURIComponent(draft.modelVersion)}` : '';
  const url = `${base}/v2/models/${encodeURIComponent(draft.model)}${version}/infer`;
  const headers: string[] = [];
  for (const [k, v] of Object.entries(options.headers ?? {})) headers.push(`  -H ${shellQuote(`${k}: ${v}`)}`);
  for (const [name, env] of secretEnvNames(options.secretHeaderNames ?? [])) headers.push(`  -H ${shellQuote(`${name}: `)}"$${env}"`);
  const output = binaryOutputs ? [`  --output ${responseFile}`] : [];
  const inline = body.headerLength === undefined && body.json.length <= (options.inlineLimit ?? DEFAULT_INLINE_LIMIT);
  if (inline) {
    const command = [`curl -sS -X POST ${shellQuote(url)}`, `  -H 'Content-Type: application/json'`, ...headers, ...output, `  -d ${shellQuote(body.json)}`].join(' \\\n');
    return { command, files: [], json: body.json };
  }
  const lines = [`curl -sS -X POST ${shellQuote(url)}`];
  if (body.headerLength !== undefined) {
    lines.push(`  -H 'Content-Type: application/octet-stream'`, `  -H 'Inference-Header-Content-Length: ${body.headerLength}'`);
  } else {
    lines.push(`  -H 'Content-Type: application/json'`);
  }
  lines.push(...headers, ...output, `  --data-binary @${bodyFile}`);
  return { command: lines.join(' \\\n'), files: [{ name: bodyFile, bytes: concat(body.chunks, body.byteLength) }], json: body.json };
}
