// The factory choosing a transport for the TritonClient interface (declared in clientTypes.ts).
import type { TritonClient, TritonClientOptions } from './clientTypes';
import { TritonError } from './errors';
import { createHttpClient } from './http/httpTransport';

// Callers that imported these from here keep working.
export type { TlsOptions, TritonClient, TritonClientOptions } from './clientTypes';

interface GrpcTransportModule {
  createGrpcClient(options: TritonClientOptions): TritonClient;
}

/** Creates a client; the gRPC transport (and protobuf loading) is only required on first use. */
export function createTritonClient(options: TritonClientOptions): TritonClient {
  if (options.protocol === 'http') return createHttpClient(options);
  if (options.protocol === 'grpc') {
    // A plain require keeps @grpc/grpc-js and the .proto loading out of the start-up path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const transport = require('./grpc/grpcTransport') as GrpcTransportModule;
    return transport.createGrpcClient(options);
  }
  throw new TritonError('invalid-argument', `unknown protocol '${String((options as { protocol?: unknown }).protocol)}' (expected 'http' or 'grpc')`);
}
