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
  private data: string[] = [];
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly maxEventBytes: number, private readonly where?: string) {}

  push(chunk: Uint8Array): string[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const events: string[] = [];
    let newline: number;
    while ((newline = this.pending.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.pending.slice(0, newline);
      const width = this.pending.startsWith('\r\n', newline) ? 2 : 1;
      this.pending = this.pending.slice(newline + width);
      if (line === '') {
        if (this.data.length > 0) events.push(this.data.join('\n'));
        this.data = [];
      } else if (line.startsWith('data:')) {
        this.data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      // Other fields (event:, id:, retry:, comments) carry nothing Triton uses.
    }
    if (this.pending.length + this.data.reduce((n, d) => n + d.length, 0) > this.maxEventBytes) {
      throw new TritonError('protocol', `server-sent event exceeds the ${this.maxEventBytes}-byte limit`, { request: this.where });
    }
    return events;
  }

  /** Payload of a final event the server did not terminate with a blank line. */
  end(): string[] {
    this.pending += this.decoder.decode();
    const events = this.pending === '' ? [] : this.push(new Uint8Array([0x0a]));
    if (this.data.length > 0) events.push(this.data.join('\n'));
    this.data = [];
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
