// Compressed HTTP answers: accepted only when the request asked for that encoding, and inflated while
// they arrive under a running cap, so a small hostile body cannot grow into gigabytes in memory.
import type { IncomingMessage } from 'node:http';
import { createUnzip } from 'node:zlib';
import { TritonError } from '../errors';

/** What the inflating reader needs to know about the call. */
export interface InflateLimits {
  /** Largest compressed body accepted (the response cap, counted on the wire). */
  maxResponseBytes: number;
  /** Largest body after inflation. */
  maxInflatedBytes: number;
  request: string;
}

/** Output pieces of 64 KiB: fewer callbacks than zlib's 16 KiB default, still a fine-grained cap. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Whether an Accept-Encoding value admits `encoding` (a listed token or `*`, without `q=0`).
 * The client sends none unless the caller asks for compression, so usually this is false.
 */
export function acceptsEncoding(acceptEncoding: string | undefined, encoding: string): boolean {
  if (acceptEncoding === undefined) return false;
  for (const item of acceptEncoding.toLowerCase().split(',')) {
    const [token, ...params] = item.split(';').map((part) => part.trim());
    if (token !== encoding && token !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

function megabytes(bytes: number): string {
  return String(Number((bytes / (1024 * 1024)).toPrecision(3)));
}

/**
 * Reads a gzip or zlib-deflate body, inflating chunk by chunk. Past `maxInflatedBytes` the inflater
 * and the response are destroyed at once. Returns the function that stops the inflation when the
 * call ends for another reason (deadline, abort, close()).
 */
export function readInflatedBody(
  res: IncomingMessage,
  encoding: string,
  limits: InflateLimits,
  callback: (error: TritonError | undefined, chunks?: Buffer[], total?: number) => void,
): () => void {
  const status = res.statusCode;
  const where = { request: limits.request, status };
  const declared = res.headers['content-length'];
  const expected = declared === undefined ? undefined : Number(declared);
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
    res.destroy();
    callback(new TritonError('protocol', `invalid Content-Length '${declared}'`, where));
    return () => undefined;
  }
  if (expected !== undefined && expected > limits.maxResponseBytes) {
    res.destroy();
    callback(new TritonError('protocol', `response of ${expected} bytes exceeds the ${limits.maxResponseBytes}-byte limit`, where));
    return () => undefined;
  }
  const inflater = createUnzip({ chunkSize: CHUNK_BYTES });
  const chunks: Buffer[] = [];
  let wire = 0;
  let total = 0;
  let done = false;
  const stop = (error: TritonError): void => {
    if (done) return;
    done = true;
    chunks.length = 0;
    inflater.destroy();
    res.destroy();
    callback(error);
  };

  inflater.on('data', (chunk: Buffer) => {
    if (done) return;
    total += chunk.byteLength;
    if (total > limits.maxInflatedBytes) {
      stop(new TritonError('protocol', `the answer inflates past ${megabytes(limits.maxInflatedBytes)} MB (the limit for a ${encoding} answer)`, where));
      return;
    }
    chunks.push(chunk);
  });
  inflater.on('end', () => {
    if (done) return;
    done = true;
    callback(undefined, chunks, total);
  });
  inflater.on('error', (error) => {
    stop(new TritonError('protocol', `cannot decompress the ${encoding} answer: ${error.message}`, { ...where, cause: error }));
  });

  res.on('data', (chunk: Buffer) => {
    if (done) return;
    wire += chunk.byteLength;
    if (wire > limits.maxResponseBytes) {
      stop(new TritonError('protocol', `response exceeds the ${limits.maxResponseBytes}-byte limit`, where));
      return;
    }
    // Backpressure: the socket waits while the inflater is behind, so compressed bytes never pile up.
    if (!inflater.write(chunk)) {
      res.pause();
      inflater.once('drain', () => res.resume());
    }
  });
  res.on('end', () => {
    if (done) return;
    if (expected !== undefined && wire !== expected) {
      stop(new TritonError('protocol', `response cut off: ${wire} of ${expected} bytes arrived`, where));
      return;
    }
    if (wire === 0) {
      // An empty body carries nothing to inflate (Triton sends empty configs that way).
      done = true;
      inflater.destroy();
      callback(undefined, [], 0);
      return;
    }
    inflater.end();
  });
  const cutOff = (): void => {
    stop(new TritonError('protocol', expected !== undefined
      ? `response cut off: ${wire} of ${expected} bytes arrived before the connection closed`
      : `response cut off after ${wire} bytes`, where));
  };
  res.on('error', cutOff);
  res.on('close', () => {
    // 'close' follows 'end' on a complete answer; only an early close is a failure.
    if (!res.complete) cutOff();
  });
  // The caller ends the call (deadline, abort, close()) possibly after the last byte arrived, while
  // the inflater still works through it: stopping then is what keeps a bomb from running on.
  return () => {
    if (done) return;
    done = true;
    chunks.length = 0;
    inflater.destroy();
  };
}
