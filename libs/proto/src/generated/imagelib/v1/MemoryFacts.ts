// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface MemoryFacts {
  'totalBytes'?: (number | string | Long);
  'availableBytes'?: (number | string | Long);
}

export interface MemoryFacts__Output {
  'totalBytes': (number);
  'availableBytes': (number);
}
