// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { CreateImageRequest as _imagelib_v1_CreateImageRequest, CreateImageRequest__Output as _imagelib_v1_CreateImageRequest__Output } from '../../imagelib/v1/CreateImageRequest.js';
import type { PatchImageRequest as _imagelib_v1_PatchImageRequest, PatchImageRequest__Output as _imagelib_v1_PatchImageRequest__Output } from '../../imagelib/v1/PatchImageRequest.js';
import type { ChangeImageStatusRequest as _imagelib_v1_ChangeImageStatusRequest, ChangeImageStatusRequest__Output as _imagelib_v1_ChangeImageStatusRequest__Output } from '../../imagelib/v1/ChangeImageStatusRequest.js';
import type { ImageRef as _imagelib_v1_ImageRef, ImageRef__Output as _imagelib_v1_ImageRef__Output } from '../../imagelib/v1/ImageRef.js';
import type { CompleteUploadRequest as _imagelib_v1_CompleteUploadRequest, CompleteUploadRequest__Output as _imagelib_v1_CompleteUploadRequest__Output } from '../../imagelib/v1/CompleteUploadRequest.js';
import type { AbortUploadRequest as _imagelib_v1_AbortUploadRequest, AbortUploadRequest__Output as _imagelib_v1_AbortUploadRequest__Output } from '../../imagelib/v1/AbortUploadRequest.js';
import type { DiscoveredFiles as _imagelib_v1_DiscoveredFiles, DiscoveredFiles__Output as _imagelib_v1_DiscoveredFiles__Output } from '../../imagelib/v1/DiscoveredFiles.js';
import type { Long } from '@grpc/proto-loader';

export interface CatalogWriteRequest {
  /**
   * Chosen by the agent, unique among its requests awaiting a reply on the stream.
   */
  'id'?: (number | string | Long);
  'createImage'?: (_imagelib_v1_CreateImageRequest | null);
  'patchImage'?: (_imagelib_v1_PatchImageRequest | null);
  'changeImageStatus'?: (_imagelib_v1_ChangeImageStatusRequest | null);
  'deleteImage'?: (_imagelib_v1_ImageRef | null);
  'beginUpload'?: (_imagelib_v1_ImageRef | null);
  'completeUpload'?: (_imagelib_v1_CompleteUploadRequest | null);
  'abortUpload'?: (_imagelib_v1_AbortUploadRequest | null);
  'registerDiscoveredFiles'?: (_imagelib_v1_DiscoveredFiles | null);
  'write'?: "createImage"|"patchImage"|"changeImageStatus"|"deleteImage"|"beginUpload"|"completeUpload"|"abortUpload"|"registerDiscoveredFiles";
}

export interface CatalogWriteRequest__Output {
  /**
   * Chosen by the agent, unique among its requests awaiting a reply on the stream.
   */
  'id': (number);
  'createImage'?: (_imagelib_v1_CreateImageRequest__Output | null);
  'patchImage'?: (_imagelib_v1_PatchImageRequest__Output | null);
  'changeImageStatus'?: (_imagelib_v1_ChangeImageStatusRequest__Output | null);
  'deleteImage'?: (_imagelib_v1_ImageRef__Output | null);
  'beginUpload'?: (_imagelib_v1_ImageRef__Output | null);
  'completeUpload'?: (_imagelib_v1_CompleteUploadRequest__Output | null);
  'abortUpload'?: (_imagelib_v1_AbortUploadRequest__Output | null);
  'registerDiscoveredFiles'?: (_imagelib_v1_DiscoveredFiles__Output | null);
  'write'?: "createImage"|"patchImage"|"changeImageStatus"|"deleteImage"|"beginUpload"|"completeUpload"|"abortUpload"|"registerDiscoveredFiles";
}
