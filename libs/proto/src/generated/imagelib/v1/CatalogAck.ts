// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface CatalogAck {
  'revision'?: (number | string | Long);
}

export interface CatalogAck__Output {
  'revision': (number);
}
