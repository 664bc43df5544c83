// Minimal node:http client for tests: one request with a hard deadline, whole body as a Buffer.
import * as http from 'node:http';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Body parsed as JSON when it is valid JSON, else undefined. */
  json: unknown;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: Buffer | string | object;
  timeoutMs?: number;
}

export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResult> {
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? (body ? 'POST' : 'GET'), headers: { ...(body ? { 'Content-Length': String(body.length) } : {}), ...(options.headers ?? {}) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.on('end', () => {
        clearTimeout(timer);
        if (!res.complete) {
          reject(new Error('response ended before it was complete'));
          return;
        }
        const buf = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
      });
      res.on('aborted', () => {
        clearTimeout(timer);
        reject(new Error('response aborted'));
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`request to ${url} timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
