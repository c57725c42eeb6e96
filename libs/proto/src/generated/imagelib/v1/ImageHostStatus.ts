// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { ImageHostState as _imagelib_v1_ImageHostState, ImageHostState__Output as _imagelib_v1_ImageHostState__Output } from '../../imagelib/v1/ImageHostState.js';

export interface ImageHostStatus {
  'imageId'?: (string);
  'state'?: (_imagelib_v1_ImageHostState);
  /**
   * e.g. "ENOENT", "EACCES on /srv/images/x.qcow2", "size 10 differs from the catalog's 12".
   */
  'reason'?: (string);
}

export interface ImageHostStatus__Output {
  'imageId': (string);
  'state': (_imagelib_v1_ImageHostState__Output);
  /**
   * e.g. "ENOENT", "EACCES on /srv/images/x.qcow2", "size 10 differs from the catalog's 12".
   */
  'reason': (string);
}
