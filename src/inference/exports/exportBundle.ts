// The files one export writes, named after the file the user picked: a curl script and its body,
// a Python script and its .npy inputs, or perf_analyzer data and a script running it. Scripts
// change to their own folder first, so the files beside them are found wherever they are run from.
import type { RequestDraft } from '../requestDraft';
import { buildCurlExport } from './curlExport';
import type { CurlExportOptions } from './curlExport';
import { buildPerfAnalyzerExport } from './perfAnalyzerExport';
import { buildPythonExport } from './pythonExport';
import { fileNamePart } from './resolvedRequest';
import type { ExportFile, ResolvedTensor } from './resolvedRequest';

export type ExportKind = 'curl' | 'python' | 'perf_analyzer';

export interface ExportTarget {
  /** Base HTTP URL, e.g. http://localhost:8000. */
  httpUrl: string;
  /** gRPC `host:port`. */
  grpcUrl?: string;
  /** Non-secret headers and the names of secret ones (curl only). */
  headers?: CurlExportOptions['headers'];
  secretHeaderNames?: CurlExportOptions['secretHeaderNames'];
  /** The model batches (max_batch_size > 0); perf_analyzer only. */
  batched?: boolean;
  /** The model has FP16/BF16 outputs, which Triton returns only as binary (curl writes them to a file). */
  binaryOutputs?: boolean;
}

export interface ExportBundle {
  /** The file the user picked (the script, or the data for perf_analyzer, then named `<base>.json`); the others sit beside it. */
  main: ExportFile;
  files: ExportFile[];
  /** A command worth showing or copying (curl / perf_analyzer), when there is one. */
  command?: string;
}

export const EXPORT_EXTENSIONS: Readonly<Record<ExportKind, string>> = { curl: '.sh', python: '.py', perf_analyzer: '.json' };

const encoder = new TextEncoder();

function script(command: string): Uint8Array {
  return encoder.encode(`#!/bin/sh\n# Run from anywhere: the files this request needs sit next to this script.\ncd "$(dirname "$0")" || exit 1\n${command}\n`);
}

/** The file name without its extension, made safe for the sibling files' names. */
export function exportBaseName(fileName: string): string {
  return fileNamePart(fileName.replace(/\.[^.]*$/, ''));
}

function hostPort(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

/** Everything an export writes, for a main file called `fileName` (its folder is the caller's). */
export function buildExportBundle(kind: ExportKind, draft: RequestDraft, inputs: readonly ResolvedTensor[], target: ExportTarget, fileName: string): ExportBundle {
  const base = exportBaseName(fileName);
  const url = draft.protocol === 'grpc' && target.grpcUrl ? target.grpcUrl : hostPort(target.httpUrl);
  switch (kind) {
    case 'curl': {
      const curl = buildCurlExport(draft, inputs, {
        httpUrl: target.httpUrl,
        bodyFileName: `${base}.bin`,
        responseFileName: `${base}.response.bin`,
        binaryOutputs: target.binaryOutputs ?? false,
        ...(target.headers ? { headers: target.headers } : {}),
        ...(target.secretHeaderNames ? { secretHeaderNames: target.secretHeaderNames } : {}),
      });
      return { main: { name: fileName, bytes: script(curl.command) }, files: curl.files, command: curl.command };
    }
    case 'python': {
      const py = buildPythonExport(draft, inputs, { url, protocol: draft.protocol, fileBase: base, ssl: /^https:/i.test(target.httpUrl) && draft.protocol === 'http' });
      return { main: { name: fileName, bytes: encoder.encode(py.script) }, files: py.files };
    }
    case 'perf_analyzer': {
      const perf = buildPerfAnalyzerExport(draft, inputs, { url, protocol: draft.protocol, batched: target.batched ?? false, dataFileName: `${base}.json` });
      return { main: perf.files[0]!, files: [{ name: `${base}.sh`, bytes: script(perf.command) }], command: perf.command };
    }
  }
}
