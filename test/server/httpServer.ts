// HTTP/REST front end: bounded body reading, compression, routing, Triton error bodies and fault injection.
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { Lease } from './bufferPool';
import { delay, FaultSpecError, parseFault } from './faults';
import type { Fault, FaultStore } from './faults';
import { adminRoutes } from './httpRoutes';
import { httpRestriction } from './restrictions';
import { inferRoutes } from './httpInfer';
import { stringifyJson } from './jsonCodec';
import { asServerError, httpStatusOf, ServerError } from './serverError';
import type { ServerState } from './serverState';

export interface HttpReply {
  status: number;
  /** A list of buffers is sent without concatenating (big binary outputs). */
  body?: Buffer | string | Buffer[];
  headers?: Record<string, string>;
  /** Compress per Accept-Encoding (infer responses). */
  compressible?: boolean;
  /** Streamed replies (SSE) write the response themselves. */
  streamed?: boolean;
}

export interface HttpContext {
  state: ServerState;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  body: Buffer;
  params: string[];
  fault?: Fault;
  signal: AbortSignal;
  /** Big buffers of this request (body, shm reads), released when the response is gone. */
  lease: Lease;
}

export type Handler = (ctx: HttpContext) => Promise<HttpReply> | HttpReply;

export interface Route {
  re: RegExp;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
}

export interface HttpControl {
  faults: FaultStore;
  restart(delayMs: number): void;
}

export function jsonReply(status: number, value: unknown): HttpReply {
  return { status, body: stringifyJson(value), headers: { 'Content-Type': 'application/json' } };
}

export function errorReply(err: unknown): HttpReply {
  const e = asServerError(err);
  const reply = jsonReply(httpStatusOf(e.code), { error: e.message });
  if (e.plainText) reply.headers = { 'Content-Type': 'text/plain' };
  return reply;
}

/** Reads the body, refusing more than `limit` bytes without buffering them; a known length is read into one leased buffer. */
function readBody(req: http.IncomingMessage, limit: number, lease: Lease): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const declared = Number(req.headers['content-length']);
    const whole = Number.isSafeInteger(declared) && declared > 0 && declared <= limit && !req.headers['transfer-encoding'] ? lease.acquire(declared) : undefined;
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      if (size + c.length > limit || (whole && size + c.length > whole.length)) {
        failed = true;
        chunks.length = 0;
        reject(new ServerError('INVALID_ARG', `HTTP request body size ${size + c.length} exceeds the maximum allowed value of ${limit} bytes. Use --http-max-input-size to increase the limit.`));
        return;
      }
      if (whole) c.copy(whole, size);
      else chunks.push(c);
      size += c.length;
    });
    req.on('end', () => {
      if (failed) return;
      resolve(whole ? whole.subarray(0, size) : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

function decompress(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  try {
    if (enc === 'gzip') return zlib.gunzipSync(body, { maxOutputLength: limit });
    if (enc === 'deflate') return zlib.unzipSync(body, { maxOutputLength: limit });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ServerError('INVALID_ARG', `decompressed request body exceeds the maximum allowed value of ${limit} bytes. Use --http-max-input-size to increase the limit.`);
    throw new ServerError('INVALID_ARG', `failed to decompress the request body: ${(err as Error).message}`);
  }
  throw new ServerError('UNSUPPORTED', 'Unsupported compression type');
}

/** Picks the highest-weighted of identity/gzip/deflate from Accept-Encoding (ties: first wins). */
function chooseEncoding(header: string | undefined): 'gzip' | 'deflate' | undefined {
  if (!header) return undefined;
  let best: { name: string; q: number } | undefined;
  for (const part of header.split(',')) {
    const [rawName, ...attrs] = part.trim().split(';');
    const name = (rawName ?? '').trim().toLowerCase();
    if (name !== 'identity' && name !== 'gzip' && name !== 'deflate') continue;
    const qAttr = attrs.map((a) => a.trim()).find((a) => a.startsWith('q='));
    const q = qAttr ? Number(qAttr.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { name, q };
  }
  return best?.name === 'gzip' || best?.name === 'deflate' ? best.name : undefined;
}

export function createHttpServer(state: ServerState, control: HttpControl): http.Server {
  const routes: Route[] = [...inferRoutes(), ...adminRoutes(control)];
  const server = http.createServer((req, res) => {
    void handle(state, control, routes, req, res);
  });
  server.keepAliveTimeout = 5000;
  return server;
}

async function handle(state: ServerState, control: HttpControl, routes: Route[], req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const abort = new AbortController();
  const lease = new Lease(state.buffers);
  // Buffers go back to the pool only when the response is gone and the handler is done with them.
  let holders = 2;
  const letGo = (): void => {
    if (--holders === 0) lease.release();
  };
  res.on('close', () => {
    abort.abort();
    letGo();
  });
  try {
    await handleRequest(state, control, routes, req, res, abort, lease);
  } finally {
    letGo();
  }
}

async function handleRequest(state: ServerState, control: HttpControl, routes: Route[], req: http.IncomingMessage, res: http.ServerResponse, abort: AbortController, lease: Lease): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (state.log.settings.log_verbose_level >= 1) state.log.verbose(1, 'http_server.cc:4663', `HTTP request: ${req.method === 'GET' ? 0 : req.method === 'POST' ? 2 : 1} ${path}`);
  let fault: Fault | undefined;
  let reply: HttpReply;
  try {
    const header = req.headers['x-fault'];
    const perRequest = typeof header === 'string' ? parseFault(header) : undefined;
    fault = path.startsWith('/__') ? perRequest : control.faults.take(path, perRequest);
    const body = await readBody(req, state.maxInputSize, lease);
    if (fault?.delayMs) await delay(fault.delayMs, abort.signal);
    if (abort.signal.aborted) return;
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    const restricted = httpRestriction(state.httpRestrictions, path, (name) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    });
    if (fault?.status) {
      reply = jsonReply(fault.status, { error: 'injected fault' });
    } else if (restricted) {
      reply = { status: 403, body: JSON.stringify({ error: restricted }), headers: { 'Content-Type': 'text/plain' } };
    } else {
      reply = await route(state, routes, req, res, path, body, fault, abort.signal, lease);
    }
  } catch (err) {
    if (err instanceof FaultSpecError) reply = jsonReply(400, { error: err.message });
    else reply = errorReply(err);
    if (err instanceof ServerError && /exceeds the maximum allowed/.test(err.message)) {
      reply.headers = { ...(reply.headers ?? {}), Connection: 'close' };
    }
  }
  if (reply.streamed || res.writableEnded || abort.signal.aborted) return;
  send(req, res, reply, fault);
}

async function route(state: ServerState, routes: Route[], req: http.IncomingMessage, res: http.ServerResponse, path: string, raw: Buffer, fault: Fault | undefined, signal: AbortSignal, lease: Lease): Promise<HttpReply> {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (!m) continue;
    const method = req.method === 'GET' || req.method === 'POST' ? req.method : undefined;
    const handler = method ? r.methods[method] : undefined;
    if (!handler) return { status: 405, body: '{"error":"Method Not Allowed"}', headers: { 'Content-Type': 'text/plain' } };
    const enc = req.headers['content-encoding'];
    let body: Buffer;
    try {
      body = decompress(raw, typeof enc === 'string' ? enc : undefined, state.maxInputSize);
    } catch (err) {
      const reply = errorReply(err);
      if (err instanceof ServerError && err.code === 'UNSUPPORTED') reply.headers = { ...reply.headers, 'Accept-Encoding': 'gzip, deflate' };
      return reply;
    }
    return await handler({ state, req, res, body, params: m.slice(1).map((x) => x ?? ''), fault, signal, lease });
  }
  return { status: 404, body: '{"error":"Not Found"}', headers: { 'Content-Type': 'text/plain' } };
}

function send(req: http.IncomingMessage, res: http.ServerResponse, reply: HttpReply, fault: Fault | undefined): void {
  let parts: Buffer[] = typeof reply.body === 'string' ? [Buffer.from(reply.body)] : Array.isArray(reply.body) ? reply.body : reply.body ? [reply.body] : [];
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  const enc = reply.compressible ? chooseEncoding(typeof req.headers['accept-encoding'] === 'string' ? req.headers['accept-encoding'] : undefined) : undefined;
  if (enc) {
    const whole = Buffer.concat(parts);
    parts = [enc === 'gzip' ? zlib.gzipSync(whole) : zlib.deflateSync(whole)];
    headers['Content-Encoding'] = enc;
  }
  const length = parts.reduce((n, p) => n + p.length, 0);
  if (fault?.badHeaderLength !== undefined && headers['Inference-Header-Content-Length'] !== undefined) {
    headers['Inference-Header-Content-Length'] = String(fault.badHeaderLength === -1 ? length + 1000 : fault.badHeaderLength);
  }
  headers['Content-Length'] = String(length);
  res.writeHead(reply.status, headers);
  if (fault?.truncate && length > 0) {
    res.write(Buffer.concat(parts).subarray(0, Math.floor(length / 2)), () => res.destroy());
    return;
  }
  if (parts.length === 1) {
    res.end(parts[0]);
    return;
  }
  res.cork();
  for (const p of parts) res.write(p);
  res.uncork();
  res.end();
}
