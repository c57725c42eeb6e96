// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Replication as _imagelib_v1_Replication, Replication__Output as _imagelib_v1_Replication__Output } from '../../imagelib/v1/Replication.js';

export interface ReplicateImages {
  'copies'?: (_imagelib_v1_Replication)[];
}

export interface ReplicateImages__Output {
  'copies': (_imagelib_v1_Replication__Output)[];
}
