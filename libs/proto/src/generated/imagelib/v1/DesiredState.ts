// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { RoleAssignment as _imagelib_v1_RoleAssignment, RoleAssignment__Output as _imagelib_v1_RoleAssignment__Output } from '../../imagelib/v1/RoleAssignment.js';

export interface DesiredState {
  'roles'?: (_imagelib_v1_RoleAssignment)[];
}

export interface DesiredState__Output {
  'roles': (_imagelib_v1_RoleAssignment__Output)[];
}
