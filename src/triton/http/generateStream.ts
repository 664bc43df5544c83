// The generate_stream endpoint: server-sent events read incrementally, one JSON object per event.
import type { IncomingMessage } from 'node:http';
import { TritonError } from '../errors';
import type { GenerateBody } from '../types';
import { errorFromAnswer } from './answers';
import { openRequest } from './httpRequest';
import type { HttpExchange, HttpTarget } from './httpRequest';
import { parseJsonAnswer } from './jsonText';

/** Splits an SSE byte stream into the `data` payloads of its events. */
export class SseDecoder {
  private pending = '';
  /** Where the search for the next line break resumes, so long lines are not rescanned per chunk. */
  private scanned = 0;
  private data: string[] = [];
  private dataLength = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly maxEventBytes: number, private readonly where?: string) {}

  push(chunk: Uint8Array): string[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const events: string[] = [];
    let start = 0;
    for (let i = this.scanned; i < this.pending.length; i++) {
      const c = this.pending.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (c === 0x0d && i + 1 === this.pending.length) break;
      this.line(this.pending.slice(start, i), events);
      if (c === 0x0d && this.pending.charCodeAt(i + 1) === 0x0a) i++;
      start = i + 1;
    }
    this.pending = this.pending.slice(start);
    this.scanned = Math.max(0, this.pending.length - (this.pending.endsWith('\r') ? 1 : 0));
    if (this.pending.length + this.dataLength > this.maxEventBytes) {
      throw new TritonError('protocol', `server-sent event exceeds the ${this.maxEventBytes}-byte limit`, { request: this.where });
    }
    return events;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push(this.data.join('\n'));
      this.data = [];
      this.dataLength = 0;
    } else if (line.startsWith('data:')) {
      const payload = line.slice(line.startsWith('data: ') ? 6 : 5);
      this.data.push(payload);
      this.dataLength += payload.length;
    }
    // Other fields (event:, id:, retry:, comments) carry nothing Triton uses.
  }

  /** Payload of a final event the server did not terminate with a blank line. */
  end(): string[] {
    const events: string[] = [];
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    this.scanned = 0;
    if (rest !== '') events.push(...this.push(new TextEncoder().encode(`${rest}\n`)));
    if (this.data.length > 0) events.push(this.data.join('\n'));
    this.data = [];
    this.dataLength = 0;
    return events;
  }
}

function eventObject(payload: string, where: string): GenerateBody {
  const doc = parseJsonAnswer(payload, where);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new TritonError('protocol', 'server-sent event data is not a JSON object', { request: where });
  }
  const obj = doc as GenerateBody;
  if (typeof obj.error === 'string') {
    throw new TritonError('server', obj.error, { request: where, serverMessage: obj.error, status: 200 });
  }
  return obj;
}

/** Streams the responses of one generate_stream request; leaving the loop early aborts the request. */
export async function* generateEvents(target: HttpTarget, call: HttpExchange): AsyncGenerator<GenerateBody> {
  const stop = new AbortController();
  const signal = call.signal ? AbortSignal.any([call.signal, stop.signal]) : stop.signal;
  const queue: GenerateBody[] = [];
  let failure: TritonError | undefined;
  let finished = false;
  let wake: (() => void) | undefined;
  let response: IncomingMessage | undefined;
  const notify = (): void => { wake?.(); wake = undefined; };

  const request = openRequest(target, { ...call, signal }, (res, fail, done) => {
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { size += c.byteLength; if (size <= 1 << 20) chunks.push(c); });
      res.on('end', () => fail(errorFromAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }, call.request)));
      return;
    }
    const encoding = res.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      // The request accepts no compression; an event stream must arrive as plain text.
      fail(new TritonError('protocol', `the event stream came ${encoding}-compressed although the request did not accept compression`, { request: call.request }));
      return;
    }
    response = res;
    const sse = new SseDecoder(call.maxResponseBytes, call.request);
    const take = (payloads: string[]): void => {
      for (const payload of payloads) queue.push(eventObject(payload, call.request));
      if (queue.length >= 64) res.pause();
      notify();
    };
    res.on('data', (chunk: Buffer) => {
      try { take(sse.push(chunk)); } catch (error) { fail(TritonError.from(error, call.request)); }
    });
    res.on('end', () => {
      try { take(sse.end()); done(); } catch (error) { fail(TritonError.from(error, call.request)); }
    });
    res.on('close', () => {
      if (!res.complete) fail(new TritonError('protocol', 'event stream cut off before the server ended it', { request: call.request }));
    });
  });
  request.then(() => { finished = true; notify(); }, (error: unknown) => { failure = TritonError.from(error, call.request); finished = true; notify(); });

  try {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift()!;
        if (queue.length < 16) response?.resume();
        continue;
      }
      if (failure !== undefined) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => { wake = resolve; });
    }
  } finally {
    if (!finished) stop.abort();
  }
}
