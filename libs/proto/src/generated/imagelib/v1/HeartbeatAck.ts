// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatAck {
  'seq'?: (number | string | Long);
}

export interface HeartbeatAck__Output {
  'seq': (number);
}
