// Gathers a unary gRPC answer from its HTTP/2 chunks: small answers as they came, big ones copied
// once, as they arrive, into one buffer laid out so that their main payload starts 8-byte aligned
// and can be read in place as a typed array.
import type { PayloadOffset } from './inferFraming';

export const GRPC_HEADER_BYTES = 5;
/** Answers up to this size are joined at the end; alignment does not matter for them. */
const GATHER_FROM = 64 * 1024;
/** The payload's position must show within this many bytes, else the answer is laid out unaligned. */
const HEAD_LIMIT = 256 * 1024;
const ALIGN = 8;
/** Chunks below this size are small: a run of them is joined into one buffer… */
const SMALL_CHUNK = 1024;
/** …once this many have come in a row, so that tiny DATA frames do not cost a buffer object each. */
const SMALL_RUN = 64;

export type AnswerLayout = (head: Uint8Array, messageLength: number) => PayloadOffset;

export class AnswerBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  /** How many of the last chunks held are small, and their bytes. */
  private smallRun = 0;
  private smallBytes = 0;
  private received = 0;
  /** The whole frame (prefix and message) once its size and layout are known. */
  private target: Buffer | undefined;
  private written = 0;

  constructor(private readonly maxMessageBytes: number, private layout: AnswerLayout | undefined) {}

  /** Takes one chunk; returns why the answer is refused when it grows past the limit. */
  push(chunk: Buffer): string | undefined {
    this.received += chunk.length;
    if (this.received > this.maxMessageBytes + GRPC_HEADER_BYTES) return this.tooLarge();
    if (this.target !== undefined) {
      this.copyIn(chunk);
      return undefined;
    }
    this.hold(chunk);
    if (this.layout === undefined || this.held < GRPC_HEADER_BYTES) return undefined;
    const head = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held);
    this.chunks = [head];
    this.smallRun = 0;
    this.smallBytes = 0;
    const length = head.readUInt32BE(1);
    if (length > this.maxMessageBytes) return this.tooLarge();
    if (head[0] !== 0 || length < GATHER_FROM) {
      this.layout = undefined;
      return undefined;
    }
    const found = this.layout(head.subarray(GRPC_HEADER_BYTES), length);
    if (found === 'more' && this.held < HEAD_LIMIT) return undefined;
    const offset = typeof found === 'number' ? GRPC_HEADER_BYTES + found : 0;
    const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
    // Not zeroed: every byte is written before the answer is used (finish checks the count).
    this.target = Buffer.allocUnsafeSlow(pad + GRPC_HEADER_BYTES + length).subarray(pad);
    this.chunks = [];
    this.copyIn(head);
    return undefined;
  }

  private hold(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.held += chunk.length;
    if (chunk.length >= SMALL_CHUNK) {
      this.smallRun = 0;
      this.smallBytes = 0;
      return;
    }
    this.smallRun++;
    this.smallBytes += chunk.length;
    if (this.smallRun < SMALL_RUN) return;
    // Only the run of small chunks is copied; big chunks are never copied twice.
    const run = this.chunks.splice(this.chunks.length - this.smallRun);
    this.chunks.push(Buffer.concat(run, this.smallBytes));
    this.smallRun = 0;
    this.smallBytes = 0;
  }

  private copyIn(chunk: Buffer): void {
    const target = this.target!;
    // Bytes past the stated length are counted (and refused in finish), never written out of bounds.
    if (this.written + chunk.length <= target.length) chunk.copy(target, this.written);
    this.written += chunk.length;
  }

  /** The whole frame, or why it cannot be one (a body shorter or longer than its prefix says). */
  finish(): { data: Buffer } | { error: string } {
    if (this.target === undefined) {
      return { data: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held) };
    }
    const length = this.target.length - GRPC_HEADER_BYTES;
    if (this.written !== this.target.length) {
      return { error: `answer message states ${length} byte(s) but ${this.received - GRPC_HEADER_BYTES} arrived` };
    }
    return { data: this.target };
  }

  private tooLarge(): string {
    return `response larger than the ${this.maxMessageBytes}-byte limit`;
  }
}
