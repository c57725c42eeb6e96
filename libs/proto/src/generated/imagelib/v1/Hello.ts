// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { HostFacts as _imagelib_v1_HostFacts, HostFacts__Output as _imagelib_v1_HostFacts__Output } from '../../imagelib/v1/HostFacts.js';
import type { RoleStatus as _imagelib_v1_RoleStatus, RoleStatus__Output as _imagelib_v1_RoleStatus__Output } from '../../imagelib/v1/RoleStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface Hello {
  'agentVersion'?: (string);
  'facts'?: (_imagelib_v1_HostFacts | null);
  /**
   * The state of every role the agent runs now.
   */
  'roles'?: (_imagelib_v1_RoleStatus)[];
  /**
   * The catalog revision of the agent's local copy (0: none); the controller sends what is newer.
   */
  'catalogRevision'?: (number | string | Long);
}

export interface Hello__Output {
  'agentVersion': (string);
  'facts': (_imagelib_v1_HostFacts__Output | null);
  /**
   * The state of every role the agent runs now.
   */
  'roles': (_imagelib_v1_RoleStatus__Output)[];
  /**
   * The catalog revision of the agent's local copy (0: none); the controller sends what is newer.
   */
  'catalogRevision': (number);
}
