import { describe, expect, it } from '@jest/globals';
import * as protoLoader from '@grpc/proto-loader';
import { loadImagelibV1, PROTO_LOADER_OPTIONS } from './loader.js';

describe('the imagelib.v1 contract', () => {
  const definition = protoLoader.loadSync('imagelib/v1/agent_gateway.proto', PROTO_LOADER_OPTIONS);

  it('is a versioned package with the AgentGateway service', () => {
    const service = loadImagelibV1().AgentGateway.service;
    expect(Object.keys(service).sort()).toEqual([
      'AbortUpload',
      'BeginUpload',
      'CatalogWrites',
      'ChangeImageStatus',
      'CompleteUpload',
      'Connect',
      'CreateImage',
      'DeleteImage',
      'Enroll',
      'PatchImage',
      'RegisterDiscoveredFile',
      'RegisterDiscoveredFiles',
    ]);
    expect(service.Connect.path).toBe('/imagelib.v1.AgentGateway/Connect');
    expect(service.Connect.requestStream && service.Connect.responseStream).toBe(true);
  });

  it('gives every enum a *_UNSPECIFIED zero value', () => {
    const enums = Object.entries(definition).filter(([, type]) => (type as { format?: string }).format === 'Protocol Buffer 3 EnumDescriptorProto');
    expect(enums.length).toBeGreaterThan(0);
    for (const [name, type] of enums) {
      const values = (type as { type: { value: { name: string; number: number }[] } }).type.value;
      const zero = values.find((value) => value.number === 0);
      expect({ name, zero: zero?.name }).toEqual({ name, zero: expect.stringMatching(/_UNSPECIFIED$/) });
    }
  });
});
