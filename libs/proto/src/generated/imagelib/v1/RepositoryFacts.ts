// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface RepositoryFacts {
  'path'?: (string);
  'exists'?: (boolean);
  'writable'?: (boolean);
  'fsType'?: (string);
  'mountPoint'?: (string);
  'mountSource'?: (string);
  'sizeBytes'?: (number | string | Long);
  'freeBytes'?: (number | string | Long);
}

export interface RepositoryFacts__Output {
  'path': (string);
  'exists': (boolean);
  'writable': (boolean);
  'fsType': (string);
  'mountPoint': (string);
  'mountSource': (string);
  'sizeBytes': (number);
  'freeBytes': (number);
}
