// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { CatalogImage as _imagelib_v1_CatalogImage, CatalogImage__Output as _imagelib_v1_CatalogImage__Output } from '../../imagelib/v1/CatalogImage.js';

export interface RegisteredFile {
  'fileName'?: (string);
  /**
   * The image the file is catalogued as.
   */
  'image'?: (_imagelib_v1_CatalogImage | null);
  /**
   * Why the controller refused the file (an invalid name, for one).
   */
  'refusal'?: (string);
  'outcome'?: "image"|"refusal";
}

export interface RegisteredFile__Output {
  'fileName': (string);
  /**
   * The image the file is catalogued as.
   */
  'image'?: (_imagelib_v1_CatalogImage__Output | null);
  /**
   * Why the controller refused the file (an invalid name, for one).
   */
  'refusal'?: (string);
  'outcome'?: "image"|"refusal";
}
