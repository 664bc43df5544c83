// A tiny real HTTP server on 127.0.0.1 whose answers each test scripts, recording what it received.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: Received, res: ServerResponse, raw: IncomingMessage) => void;

export interface StubServer {
  /** "127.0.0.1:<port>" */
  hostPort: string;
  received: Received[];
  /** Number of TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startStubServer(handler: Handler): Promise<StubServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      handler(entry, res, req);
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    received,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Sends a JSON body with a status (Content-Type deliberately settable, Triton mislabels errors). */
export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a Triton binary infer answer: JSON header followed by the chunks. */
export function sendBinary(res: ServerResponse, header: unknown, chunks: Buffer[], headerLengthOverride?: string): void {
  const json = Buffer.from(JSON.stringify(header));
  const body = Buffer.concat([json, ...chunks]);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'inference-header-content-length': headerLengthOverride ?? String(json.length),
    'content-length': body.length,
  });
  res.end(body);
}
