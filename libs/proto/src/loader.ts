import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from './generated/agent_gateway.js';

/** Directory holding the .proto sources (`imagelib/v1/*.proto`). */
export const PROTO_DIR = fileURLToPath(new URL('../proto', import.meta.url));

/** Must match the flags in tools/gen-proto.mjs, which generated the types for these shapes. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

/** Loads the imagelib.v1 package: the service definition for servers and the client constructor. */
export function loadImagelibV1(): ProtoGrpcType['imagelib']['v1'] {
  const definition = protoLoader.loadSync('imagelib/v1/agent_gateway.proto', PROTO_LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return loaded.imagelib.v1;
}
