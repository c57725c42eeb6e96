// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Role as _imagelib_v1_Role, Role__Output as _imagelib_v1_Role__Output } from '../../imagelib/v1/Role.js';
import type { RoleState as _imagelib_v1_RoleState, RoleState__Output as _imagelib_v1_RoleState__Output } from '../../imagelib/v1/RoleState.js';
import type { Long } from '@grpc/proto-loader';

export interface RoleStatus {
  'role'?: (_imagelib_v1_Role);
  'state'?: (_imagelib_v1_RoleState);
  'reason'?: (string);
  /**
   * The generation of the assignment this state answers.
   */
  'generation'?: (number | string | Long);
  /**
   * Where the role's service listens, when it is active.
   */
  'url'?: (string);
  /**
   * Identity of the storage behind the repository (a marker kept in it): hosts that report the
   * same id share one storage.
   */
  'storageId'?: (string);
}

export interface RoleStatus__Output {
  'role': (_imagelib_v1_Role__Output);
  'state': (_imagelib_v1_RoleState__Output);
  'reason': (string);
  /**
   * The generation of the assignment this state answers.
   */
  'generation': (number);
  /**
   * Where the role's service listens, when it is active.
   */
  'url': (string);
  /**
   * Identity of the storage behind the repository (a marker kept in it): hosts that report the
   * same id share one storage.
   */
  'storageId': (string);
}
