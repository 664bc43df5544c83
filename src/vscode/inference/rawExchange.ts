// The raw exchange of a run, as text for the panel's collapsible pane: for HTTP the request line,
// headers and JSON header exactly as the client builds them, binary chunks by size; for gRPC the
// ModelInferRequest fields. Long text is cut, so a big JSON tensor cannot flood the page.
import { buildInferBody } from '../../triton/http/inferBody';
import { versionSegment } from '../../triton/http/httpPaths';
import type { InferResult } from '../../triton/types';
import type { ResolvedRequest } from '../../inference/inputs/resolveDraft';

const MAX_TEXT = 16 * 1024;

function cut(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}\n… (${text.length - MAX_TEXT} more characters not shown)`;
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export function describeRequest(protocol: 'http' | 'grpc', request: ResolvedRequest): string {
  try {
    if (protocol === 'http') {
      const body = buildInferBody(request.inputs, request.outputs, request.options);
      const version = request.options.modelVersion;
      const path = `/v2/models/${encodeURIComponent(request.model)}${version !== undefined ? versionSegment(version) : ''}/infer`;
      const binaryBytes = body.byteLength - body.json.length;
      const lines = [`POST ${path}`, 'Content-Type: application/octet-stream', `Content-Length: ${body.byteLength}`];
      if (body.headerLength !== undefined) lines.push(`Inference-Header-Content-Length: ${body.headerLength}`);
      lines.push('', pretty(body.json));
      if (binaryBytes > 0) lines.push('', `+ ${binaryBytes} bytes of binary tensor data (${request.inputs.filter((i) => i.binary !== false).map((i) => i.name).join(', ')})`);
      return cut(lines.join('\n'));
    }
    const lines = [`ModelInfer ${request.model}${request.options.modelVersion !== undefined ? ` version ${String(request.options.modelVersion)}` : ''}`];
    for (const i of request.inputs) lines.push(`  input ${i.name} ${i.datatype} [${i.shape.join(', ')}] (raw_input_contents)`);
    for (const o of request.outputs ?? []) lines.push(`  output ${o.name}${o.classCount ? ` classification ${o.classCount}` : ''}`);
    const { signal: _signal, ...options } = request.options;
    lines.push(`  options ${JSON.stringify(options, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    return cut(lines.join('\n'));
  } catch (error) {
    return `(the request could not be described: ${error instanceof Error ? error.message : String(error)})`;
  }
}

function byteLengthOf(data: unknown): number | undefined {
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) return (data as Uint8Array[]).reduce((a, d) => a + 4 + d.byteLength, 0);
  return undefined;
}

export function describeResponse(result: InferResult): string {
  const header = {
    model_name: result.modelName,
    model_version: result.modelVersion,
    ...(result.id ? { id: result.id } : {}),
    ...(result.parameters ? { parameters: result.parameters } : {}),
    outputs: result.outputs.map((o) => ({
      name: o.name, datatype: o.datatype, shape: o.shape,
      ...(o.classification ? { classification: o.classification.length } : {}),
      ...(byteLengthOf(o.data) !== undefined ? { bytes: byteLengthOf(o.data) } : {}),
    })),
  };
  return cut(JSON.stringify(header, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
}
