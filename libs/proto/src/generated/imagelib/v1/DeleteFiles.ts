// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { FileToDelete as _imagelib_v1_FileToDelete, FileToDelete__Output as _imagelib_v1_FileToDelete__Output } from '../../imagelib/v1/FileToDelete.js';

export interface DeleteFiles {
  'files'?: (_imagelib_v1_FileToDelete)[];
}

export interface DeleteFiles__Output {
  'files': (_imagelib_v1_FileToDelete__Output)[];
}
