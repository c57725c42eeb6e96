// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Role as _imagelib_v1_Role, Role__Output as _imagelib_v1_Role__Output } from '../../imagelib/v1/Role.js';
import type { ImageLibraryConfig as _imagelib_v1_ImageLibraryConfig, ImageLibraryConfig__Output as _imagelib_v1_ImageLibraryConfig__Output } from '../../imagelib/v1/ImageLibraryConfig.js';
import type { Long } from '@grpc/proto-loader';

export interface RoleAssignment {
  'role'?: (_imagelib_v1_Role);
  /**
   * Increases on every change of this assignment.
   */
  'generation'?: (number | string | Long);
  'imageLibrary'?: (_imagelib_v1_ImageLibraryConfig | null);
  'config'?: "imageLibrary";
}

export interface RoleAssignment__Output {
  'role': (_imagelib_v1_Role__Output);
  /**
   * Increases on every change of this assignment.
   */
  'generation': (number);
  'imageLibrary'?: (_imagelib_v1_ImageLibraryConfig__Output | null);
  'config'?: "imageLibrary";
}
