// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { CatalogImage as _imagelib_v1_CatalogImage, CatalogImage__Output as _imagelib_v1_CatalogImage__Output } from '../../imagelib/v1/CatalogImage.js';
import type { Long } from '@grpc/proto-loader';

export interface CatalogUpdate {
  /**
   * The catalog revision this update brings the agent to.
   */
  'revision'?: (number | string | Long);
  /**
   * True: images is the whole catalog, drop everything else.
   */
  'full'?: (boolean);
  'images'?: (_imagelib_v1_CatalogImage)[];
  /**
   * Images deleted since the agent's revision.
   */
  'removedIds'?: (string)[];
}

export interface CatalogUpdate__Output {
  /**
   * The catalog revision this update brings the agent to.
   */
  'revision': (number);
  /**
   * True: images is the whole catalog, drop everything else.
   */
  'full': (boolean);
  'images': (_imagelib_v1_CatalogImage__Output)[];
  /**
   * Images deleted since the agent's revision.
   */
  'removedIds': (string)[];
}
