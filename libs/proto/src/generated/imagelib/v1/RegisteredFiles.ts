// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { RegisteredFile as _imagelib_v1_RegisteredFile, RegisteredFile__Output as _imagelib_v1_RegisteredFile__Output } from '../../imagelib/v1/RegisteredFile.js';

export interface RegisteredFiles {
  /**
   * One per file of the request, in the same order.
   */
  'files'?: (_imagelib_v1_RegisteredFile)[];
}

export interface RegisteredFiles__Output {
  /**
   * One per file of the request, in the same order.
   */
  'files': (_imagelib_v1_RegisteredFile__Output)[];
}
