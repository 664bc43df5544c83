// Compressed HTTP answers: accepted only when the request asked for that encoding, and inflated while
// they arrive under a running cap, so a small hostile body cannot grow into gigabytes in memory.
import type { Transform } from 'node:stream';
import { createUnzip } from 'node:zlib';
import type { Zlib } from 'node:zlib';
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

/** Where the wire bytes come from: paused while the inflater is behind, so compressed bytes never pile up. */
export interface BodySource {
  pause(): void;
  resume(): void;
}

/**
 * Inflates a gzip or zlib-deflate body pushed to it chunk by chunk. Past `maxInflatedBytes` the
 * inflater is destroyed at once and the call fails. The wire-side limits (the response cap, a body
 * cut short) are the caller's: it counts the bytes it pushes.
 */
export class BodyInflater {
  private readonly inflater: Zlib & Transform;
  private readonly chunks: Buffer[] = [];
  private total = 0;
  private wire = 0;
  private done = false;
  private readonly where: { request: string; status: number };

  constructor(
    private readonly encoding: string,
    limits: InflateLimits,
    status: number,
    private readonly source: BodySource,
    private readonly callback: (error: TritonError | undefined, chunks?: Buffer[], total?: number) => void,
  ) {
    this.where = { request: limits.request, status };
    this.inflater = createUnzip({ chunkSize: CHUNK_BYTES });
    this.inflater.on('data', (chunk: Buffer) => {
      if (this.done) return;
      this.total += chunk.byteLength;
      if (this.total > limits.maxInflatedBytes) {
        this.fail(new TritonError('protocol', `the answer inflates past ${megabytes(limits.maxInflatedBytes)} MB (the limit for a ${encoding} answer)`, this.where));
        return;
      }
      this.chunks.push(chunk);
    });
    this.inflater.on('end', () => {
      if (this.done) return;
      this.done = true;
      this.callback(undefined, this.chunks, this.total);
    });
    this.inflater.on('error', (error) => {
      this.fail(new TritonError('protocol', `cannot decompress the ${this.encoding} answer: ${error.message}`, { ...this.where, cause: error }));
    });
    this.inflater.on('drain', () => this.source.resume());
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    this.wire += chunk.byteLength;
    if (!this.inflater.write(chunk)) this.source.pause();
  }

  /** Every wire byte arrived. */
  end(): void {
    if (this.done) return;
    if (this.wire === 0) {
      // An empty body carries nothing to inflate (Triton sends empty configs that way).
      this.done = true;
      this.inflater.destroy();
      this.callback(undefined, [], 0);
      return;
    }
    this.inflater.end();
  }

  /**
   * The call ended for another reason (deadline, abort, close(), a lost connection), possibly after
   * the last byte arrived while the inflater still works through it: stopping then is what keeps a
   * bomb from running on.
   */
  stop(): void {
    if (this.done) return;
    this.done = true;
    this.chunks.length = 0;
    this.inflater.destroy();
  }

  private fail(error: TritonError): void {
    this.stop();
    this.callback(error);
  }
}
