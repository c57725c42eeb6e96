// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface Heartbeat {
  'seq'?: (number | string | Long);
  /**
   * Agent's wall clock, for lag figures only; liveness uses the controller's clock.
   */
  'sentAtMs'?: (number | string | Long);
}

export interface Heartbeat__Output {
  'seq': (number);
  /**
   * Agent's wall clock, for lag figures only; liveness uses the controller's clock.
   */
  'sentAtMs': (number);
}
