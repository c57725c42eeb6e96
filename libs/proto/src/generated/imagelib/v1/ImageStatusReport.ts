// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { ImageHostStatus as _imagelib_v1_ImageHostStatus, ImageHostStatus__Output as _imagelib_v1_ImageHostStatus__Output } from '../../imagelib/v1/ImageHostStatus.js';

export interface ImageStatusReport {
  /**
   * True when these are the statuses of every image the host knows; others are then unknown.
   */
  'complete'?: (boolean);
  'statuses'?: (_imagelib_v1_ImageHostStatus)[];
  /**
   * A complete report too large for one message comes in several, each with complete set, and
   * this set on every one but the last; the statuses of them all are the complete picture.
   */
  'more'?: (boolean);
}

export interface ImageStatusReport__Output {
  /**
   * True when these are the statuses of every image the host knows; others are then unknown.
   */
  'complete': (boolean);
  'statuses': (_imagelib_v1_ImageHostStatus__Output)[];
  /**
   * A complete report too large for one message comes in several, each with complete set, and
   * this set on every one but the last; the statuses of them all are the complete picture.
   */
  'more': (boolean);
}
