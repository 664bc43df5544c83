// A request exported as a Python script for the official `tritonclient` (HTTP or gRPC). Inputs are
// rebuilt as numpy arrays: small ones written inline, big ones saved as .npy files next to the script.
import { jsonDouble } from '../../triton/http/inferBody';
import type { TritonDatatype } from '../../triton/types';
import { writeNpy } from '../npy';
import type { RequestDraft } from '../requestDraft';
import { elementCountOf, fileNamePart, uniqueNames } from './resolvedRequest';
import type { ExportFile, ResolvedTensor } from './resolvedRequest';
import { elementReader, nativeArrayOf } from '../outputs/values';

export interface PythonExportOptions {
  /** `host:port` as tritonclient wants it (a scheme is dropped). */
  url: string;
  protocol: 'http' | 'grpc';
  /** Inputs with more elements than this go to .npy files (default 64). */
  inlineLimit?: number;
  /** Base of the .npy file names: `<base>.<input>.npy` (default: the model name). */
  fileBase?: string;
  /** TLS (https / secure gRPC channel). */
  ssl?: boolean;
}

export interface PythonExport {
  script: string;
  files: ExportFile[];
}

const NUMPY_TYPES: Record<TritonDatatype, string> = {
  BOOL: 'np.bool_', UINT8: 'np.uint8', UINT16: 'np.uint16', UINT32: 'np.uint32', UINT64: 'np.uint64',
  INT8: 'np.int8', INT16: 'np.int16', INT32: 'np.int32', INT64: 'np.int64',
  // tritonclient takes BF16 inputs as float32 arrays and truncates them itself.
  FP16: 'np.float16', BF16: 'np.float32', FP32: 'np.float32', FP64: 'np.float64', BYTES: 'np.object_',
};

/** A Python str literal (JSON's escapes are all valid Python escapes). */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** A Python bytes literal: printable ASCII as is, everything else as \xNN. */
export function pyBytes(bytes: Uint8Array): string {
  let s = "b'";
  for (const b of bytes) {
    if (b === 0x5c) s += '\\\\';
    else if (b === 0x27) s += "\\'";
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${s}'`;
}

function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "float('nan')";
  if (v === Infinity) return "float('inf')";
  if (v === -Infinity) return "float('-inf')";
  return jsonDouble(v);
}

function pyValue(v: unknown): string {
  if (typeof v === 'string') return pyString(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  return String(v);
}

/** Inline values of one input as a Python list literal (flat). */
function inlineValues(t: ResolvedTensor): string {
  if (t.datatype === 'BYTES') {
    const encoder = new TextEncoder();
    return `[${(t.data as (string | Uint8Array)[]).map((e) => pyBytes(typeof e === 'string' ? encoder.encode(e) : e)).join(', ')}]`;
  }
  // Through the client's typed array so every datatype (FP16 bits, bigint, booleans) is decoded alike.
  const reader = elementReader({ name: t.name, datatype: t.datatype, shape: [...t.shape], data: nativeArrayOf(t.datatype, t.data, t.shape, `input '${t.name}'`) })!;
  const parts: string[] = [];
  for (let i = 0; i < reader.count; i++) {
    if (t.datatype === 'BOOL') parts.push(reader.number(i) ? 'True' : 'False');
    else if (reader.bigint) parts.push(reader.exact(i));
    else if (t.datatype.startsWith('FP') || t.datatype === 'BF16') parts.push(pyFloat(reader.number(i)));
    else parts.push(String(reader.number(i)));
  }
  return `[${parts.join(', ')}]`;
}

function npyOf(t: ResolvedTensor): Uint8Array {
  if (t.datatype === 'BYTES') return writeNpy('BYTES', t.shape, t.data as (string | Uint8Array)[]);
  return writeNpy(t.datatype, t.shape, nativeArrayOf(t.datatype, t.data, t.shape, `input '${t.name}'`));
}

/** The script and the .npy files it loads (to be written in the script's folder). */
export function buildPythonExport(draft: RequestDraft, inputs: readonly ResolvedTensor[], options: PythonExportOptions): PythonExport {
  const module = options.protocol === 'grpc' ? 'tritonclient.grpc' : 'tritonclient.http';
  const url = options.url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  const limit = options.inlineLimit ?? 64;
  const base = fileNamePart(options.fileBase ?? draft.model);
  const files: ExportFile[] = [];
  const fileNames = uniqueNames(inputs.map((t) => `${base}.${fileNamePart(t.name)}.npy`));
  const http = options.protocol === 'http';
  const lines: string[] = [
    '#!/usr/bin/env python3',
    `"""Inference request for model ${pyString(draft.model).slice(1, -1)} over ${options.protocol.toUpperCase()}; needs numpy and tritonclient[${options.protocol}]."""`,
    'import os',
    '',
    'import numpy as np',
    `import ${module} as triton`,
    '',
    'HERE = os.path.dirname(os.path.abspath(__file__))',
    '',
    `client = triton.InferenceServerClient(url=${pyString(url)}${options.ssl ? ', ssl=True' : ''})`,
    '',
    'inputs = []',
  ];
  inputs.forEach((t, i) => {
    const dtype = NUMPY_TYPES[t.datatype];
    const shape = `[${t.shape.join(', ')}]`;
    const count = elementCountOf(t.shape);
    if (count > limit) {
      files.push({ name: fileNames[i]!, bytes: npyOf(t) });
      const load = `np.load(os.path.join(HERE, ${pyString(fileNames[i]!)}))`;
      // Fixed-width bytes from the .npy become the object array of bytes tritonclient expects.
      lines.push(`value = ${load}${t.datatype === 'BYTES' ? '.astype(np.object_)' : ''}`);
    } else {
      lines.push(`value = np.array(${inlineValues(t)}, dtype=${dtype}).reshape(${shape})`);
    }
    lines.push(`tensor = triton.InferInput(${pyString(t.name)}, ${shape}, ${pyString(t.datatype)})`);
    lines.push(http ? `tensor.set_data_from_numpy(value, binary_data=${draft.binary || t.datatype === 'FP16' || t.datatype === 'BF16' ? 'True' : 'False'})` : 'tensor.set_data_from_numpy(value)');
    lines.push('inputs.append(tensor)', '');
  });
  const outputArgs = (o: { name: string; classCount?: number }): string => {
    const args = [pyString(o.name)];
    if (http) args.push(`binary_data=${draft.binary ? 'True' : 'False'}`);
    if (o.classCount) args.push(`class_count=${o.classCount}`);
    return `triton.InferRequestedOutput(${args.join(', ')})`;
  };
  lines.push(draft.outputs.length > 0 ? `outputs = [${draft.outputs.map(outputArgs).join(', ')}]` : 'outputs = None  # every output');
  const call = [pyString(draft.model), 'inputs', 'outputs=outputs'];
  if (draft.modelVersion) call.push(`model_version=${pyString(draft.modelVersion)}`);
  if (draft.requestId) call.push(`request_id=${pyString(draft.requestId)}`);
  if (draft.sequence) {
    call.push(`sequence_id=${pyValue(draft.sequence.id)}`, `sequence_start=${pyValue(draft.sequence.start)}`, `sequence_end=${pyValue(draft.sequence.end)}`);
  }
  if (draft.priority) call.push(`priority=${draft.priority}`);
  if (draft.timeoutUs !== undefined) call.push(`timeout=${draft.timeoutUs}`);
  if (draft.parameters && Object.keys(draft.parameters).length > 0) {
    call.push(`parameters={${Object.entries(draft.parameters).map(([k, v]) => `${pyString(k)}: ${pyValue(v)}`).join(', ')}}`);
  }
  if (!http && draft.mode.kind === 'stream') {
    // Decoupled models answer over a stream, any number of times: print each response until the final one.
    lines.push(
      'responses = queue.Queue()',
      'client.start_stream(callback=lambda result, error: responses.put((result, error)))',
      `client.async_stream_infer(${[...call, 'enable_empty_final_response=True'].join(', ')})`,
      'while True:',
      '    result, error = responses.get(timeout=60)',
      '    if error is not None:',
      '        raise error',
      '    response = result.get_response()',
      '    for output in response.outputs:',
      '        print(output.name, result.as_numpy(output.name))',
      '    final = response.parameters.get("triton_final_response")',
      '    if final is not None and final.bool_param:',
      '        break',
      'client.stop_stream()',
      '',
    );
    lines.splice(lines.indexOf('import os'), 1, 'import os', 'import queue');
    return { script: lines.join('\n'), files };
  }
  lines.push(`result = client.infer(${call.join(', ')})`, '');
  lines.push(http
    ? 'names = [o["name"] for o in result.get_response()["outputs"]]'
    : 'names = [o.name for o in result.get_response().outputs]');
  lines.push('for name in names:', '    print(name, result.as_numpy(name))', '');
  return { script: lines.join('\n'), files };
}
