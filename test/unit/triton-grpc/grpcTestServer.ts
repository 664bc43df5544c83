// A tiny real @grpc/grpc-js server on 127.0.0.1 serving chosen Triton RPCs, for transport tests.
import * as grpc from '@grpc/grpc-js';
import type * as protobuf from 'protobufjs';
import { grpcProtos } from '../../../src/triton/grpc/grpcProtos';
import assert from 'node:assert/strict';
import { TritonError } from '../../../src/triton/errors';

export type Handler = grpc.UntypedHandleCall;

export interface TestServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  credentials?: grpc.ServerCredentials;
  /** RPCs whose requests reach the handler as the raw received bytes (Buffer). */
  rawRequests?: string[];
  /** RPCs whose handler answers with already-encoded bytes (Buffer). */
  rawResponses?: string[];
}

export function protoType(name: string): protobuf.Type {
  return grpcProtos().root.lookupType(name);
}

/** Serves `handlers` (by RPC name) of inference.GRPCInferenceService; unlisted RPCs answer UNIMPLEMENTED. */
export async function startTestServer(handlers: Record<string, Handler>, options: TestServerOptions = {}): Promise<TestServer> {
  const protos = grpcProtos();
  const server = new grpc.Server();
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(protos.methods)) {
    const m = { ...method } as unknown as grpc.MethodDefinition<unknown, unknown>;
    if (options.rawRequests?.includes(name)) m.requestDeserialize = (b: Buffer) => b;
    if (options.rawResponses?.includes(name)) m.responseSerialize = (b: unknown) => b as Buffer;
    definition[name] = m;
  }
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(definition)) {
    implementation[name] = handlers[name] ?? ((_call: unknown, callback: grpc.sendUnaryData<unknown>) => {
      callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not served here` });
    });
  }
  server.addService(definition as grpc.ServiceDefinition, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', options.credentials ?? grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    url: `127.0.0.1:${port}`,
    port,
    stop: () => new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      // Calls left hanging on purpose (deadline tests) must not hold the shutdown.
      setImmediate(() => server.forceShutdown());
    }),
  };
}

/** Failing answer with a gRPC status. */
export function status(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** The TritonError a call failed with; fails the test when it succeeds or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<TritonError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TritonError, `expected TritonError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}
