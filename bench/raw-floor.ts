// The floor the client is judged against: a bare keep-alive node:http POST of fixed bytes, reading
// the whole answer and nothing more (no JSON, no tensor decoding); for gRPC the same over node:http2.
import http from 'node:http';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';

export interface RawPost {
  /** Sends the body once and resolves with the answer's byte count once it has fully arrived. */
  post(): Promise<number>;
  close(): void;
}

/** A poster bound to one URL and body; `sockets` keep-alive connections at most. */
export function rawPoster(url: string, path: string, body: readonly Uint8Array[], headers: Record<string, string>, sockets: number): RawPost {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const length = body.reduce((n, b) => n + b.byteLength, 0);
  // Small bodies leave in one write with the headers, as any sensible client would send them.
  const parts = length < 64 * 1024 ? [Buffer.concat(body)] : body;
  const allHeaders = { ...headers, 'content-length': String(length) };
  return {
    post: () => new Promise<number>((resolve, reject) => {
      const req = http.request({ hostname: target.hostname, port: target.port, path, method: 'POST', agent, headers: allHeaders }, (res) => {
        let received = 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          received += chunk.byteLength;
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`raw POST ${path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8', 0, 300)}`));
          else resolve(received);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (parts.length === 1) req.end(parts[0]);
      else {
        for (const part of parts) req.write(part);
        req.end();
      }
    }),
    close: () => agent.destroy(),
  };
}

/** The gRPC floor: a bare grpc-js unary ModelInfer of pre-encoded request bytes, answer left undecoded. */
export function rawGrpcInfer(url: string, requestBytes: Buffer): RawPost {
  const client = new grpc.Client(url, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 2 ** 31 - 1, 'grpc.max_send_message_length': 2 ** 31 - 1,
  });
  const identity = (b: Buffer): Buffer => b;
  return {
    post: () => new Promise<number>((resolve, reject) => {
      client.makeUnaryRequest('/inference.GRPCInferenceService/ModelInfer', identity, identity, requestBytes, new grpc.Metadata(), {}, (error, answer) => {
        if (error) reject(error);
        else resolve(answer?.byteLength ?? 0);
      });
    }),
    close: () => client.close(),
  };
}

/**
 * The gRPC floor: ModelInfer as one node:http2 stream carrying the pre-encoded, length-prefixed
 * request; resolves once the trailers say grpc-status 0. No protobuf work, no grpc-js.
 */
export function rawHttp2Infer(url: string, requestBytes: Uint8Array): RawPost {
  // Windows big enough that flow control does not throttle large answers (4 MiB a stream, 16 MiB the session).
  const session = http2.connect(`http://${url}`, { settings: { enablePush: false, initialWindowSize: 4 * 1024 * 1024 } });
  session.on('connect', () => session.setLocalWindowSize(16 * 1024 * 1024));
  session.on('error', () => undefined);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(requestBytes.byteLength, 1);
  const framed = requestBytes.byteLength < 64 * 1024 ? [Buffer.concat([prefix, requestBytes])] : [prefix, Buffer.from(requestBytes.buffer, requestBytes.byteOffset, requestBytes.byteLength)];
  const headers = {
    ':method': 'POST', ':path': '/inference.GRPCInferenceService/ModelInfer', 'content-type': 'application/grpc', te: 'trailers',
  };
  return {
    post: () => new Promise<number>((resolve, reject) => {
      const stream = session.request(headers, { endStream: false });
      let received = 0;
      let status: string | undefined;
      stream.on('data', (chunk: Buffer) => { received += chunk.byteLength; });
      stream.on('trailers', (trailers) => { status = String(trailers['grpc-status']); });
      stream.on('error', reject);
      stream.on('close', () => {
        if (status === '0') resolve(received);
        else reject(new Error(`raw ModelInfer ended with grpc-status ${status ?? 'none'}`));
      });
      for (let i = 0; i < framed.length - 1; i++) stream.write(framed[i]);
      stream.end(framed[framed.length - 1]);
    }),
    close: () => session.close(),
  };
}
