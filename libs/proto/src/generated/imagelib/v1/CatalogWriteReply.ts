// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { CatalogImage as _imagelib_v1_CatalogImage, CatalogImage__Output as _imagelib_v1_CatalogImage__Output } from '../../imagelib/v1/CatalogImage.js';
import type { RegisteredFiles as _imagelib_v1_RegisteredFiles, RegisteredFiles__Output as _imagelib_v1_RegisteredFiles__Output } from '../../imagelib/v1/RegisteredFiles.js';
import type { CatalogWriteError as _imagelib_v1_CatalogWriteError, CatalogWriteError__Output as _imagelib_v1_CatalogWriteError__Output } from '../../imagelib/v1/CatalogWriteError.js';
import type { Long } from '@grpc/proto-loader';

export interface CatalogWriteReply {
  /**
   * The id of the request answered.
   */
  'id'?: (number | string | Long);
  /**
   * The image the write made or changed.
   */
  'image'?: (_imagelib_v1_CatalogImage | null);
  /**
   * The answer to register_discovered_files.
   */
  'registeredFiles'?: (_imagelib_v1_RegisteredFiles | null);
  'error'?: (_imagelib_v1_CatalogWriteError | null);
  'outcome'?: "image"|"registeredFiles"|"error";
}

export interface CatalogWriteReply__Output {
  /**
   * The id of the request answered.
   */
  'id': (number);
  /**
   * The image the write made or changed.
   */
  'image'?: (_imagelib_v1_CatalogImage__Output | null);
  /**
   * The answer to register_discovered_files.
   */
  'registeredFiles'?: (_imagelib_v1_RegisteredFiles__Output | null);
  'error'?: (_imagelib_v1_CatalogWriteError__Output | null);
  'outcome'?: "image"|"registeredFiles"|"error";
}
