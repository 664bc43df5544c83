// Loads the Triton .proto files once, on first use, for every gRPC client in the process.
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import * as protoLoader from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/grpc-js';
import { protoDir } from '../../util/protoDir';

/** proto-loader options used for every RPC except the hand-tuned inference ones. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export type AnyMethod = MethodDefinition<object, Record<string, unknown>>;

export interface GrpcProtos {
  root: protobuf.Root;
  /** Every RPC of inference.GRPCInferenceService by name (ServerLive, ModelInfer, ...). */
  methods: Record<string, AnyMethod>;
  healthCheck: AnyMethod;
  types: {
    ModelInferRequest: protobuf.Type;
    ModelInferResponse: protobuf.Type;
    ModelStreamInferResponse: protobuf.Type;
    ModelConfigResponse: protobuf.Type;
  };
}

let loaded: GrpcProtos | undefined;

/** protobufjs already hands out a Buffer under Node; wrap (never copy) anything else. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The .proto text is parsed once with protobufjs; proto-loader builds the service definition from
 * that same root (fromJSON) so nothing is parsed twice, and the inference path can use the
 * protobufjs types directly without the generic object conversion.
 */
export function grpcProtos(): GrpcProtos {
  if (loaded) return loaded;
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target.replace(/^.*[\\/]/, ''));
  root.loadSync(['grpc_service.proto', 'health.proto'], { keepCase: true });
  root.resolveAll();
  const pkg = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
  const service = pkg['inference.GRPCInferenceService'] as unknown as Record<string, AnyMethod>;
  const health = pkg['grpc.health.v1.Health'] as unknown as Record<string, AnyMethod>;
  if (!service || !health?.Check) throw new Error(`the .proto files in ${dir} do not define the Triton services`);
  loaded = {
    root,
    methods: service,
    healthCheck: health.Check,
    types: {
      ModelInferRequest: root.lookupType('inference.ModelInferRequest'),
      ModelInferResponse: root.lookupType('inference.ModelInferResponse'),
      ModelStreamInferResponse: root.lookupType('inference.ModelStreamInferResponse'),
      ModelConfigResponse: root.lookupType('inference.ModelConfigResponse'),
    },
  };
  return loaded;
}
