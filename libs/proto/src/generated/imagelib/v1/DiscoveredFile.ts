// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface DiscoveredFile {
  'fileName'?: (string);
  'size'?: (number | string | Long);
  'checksum'?: (string);
  'osHashValue'?: (string);
  'diskFormat'?: (string);
  'virtualSize'?: (number | string | Long);
}

export interface DiscoveredFile__Output {
  'fileName': (string);
  'size': (number);
  'checksum': (string);
  'osHashValue': (string);
  'diskFormat': (string);
  'virtualSize': (number);
}
