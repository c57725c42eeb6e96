// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Welcome as _imagelib_v1_Welcome, Welcome__Output as _imagelib_v1_Welcome__Output } from '../../imagelib/v1/Welcome.js';
import type { DesiredState as _imagelib_v1_DesiredState, DesiredState__Output as _imagelib_v1_DesiredState__Output } from '../../imagelib/v1/DesiredState.js';
import type { HeartbeatAck as _imagelib_v1_HeartbeatAck, HeartbeatAck__Output as _imagelib_v1_HeartbeatAck__Output } from '../../imagelib/v1/HeartbeatAck.js';
import type { CatalogUpdate as _imagelib_v1_CatalogUpdate, CatalogUpdate__Output as _imagelib_v1_CatalogUpdate__Output } from '../../imagelib/v1/CatalogUpdate.js';
import type { DeleteFiles as _imagelib_v1_DeleteFiles, DeleteFiles__Output as _imagelib_v1_DeleteFiles__Output } from '../../imagelib/v1/DeleteFiles.js';
import type { ReplicateImages as _imagelib_v1_ReplicateImages, ReplicateImages__Output as _imagelib_v1_ReplicateImages__Output } from '../../imagelib/v1/ReplicateImages.js';

export interface ControllerMessage {
  /**
   * First message on every stream.
   */
  'welcome'?: (_imagelib_v1_Welcome | null);
  /**
   * The complete set of roles this host must run; sent after Welcome and on every change.
   */
  'desiredState'?: (_imagelib_v1_DesiredState | null);
  /**
   * Answers every heartbeat, so the agent notices a controller that stopped answering.
   */
  'heartbeatAck'?: (_imagelib_v1_HeartbeatAck | null);
  /**
   * Catalog changes since the agent's revision, or the whole catalog.
   */
  'catalog'?: (_imagelib_v1_CatalogUpdate | null);
  /**
   * Delete the data files of deleted images from this host's repository.
   */
  'deleteFiles'?: (_imagelib_v1_DeleteFiles | null);
  /**
   * Copy images this host's storage lacks from hosts that hold them.
   */
  'replicate'?: (_imagelib_v1_ReplicateImages | null);
  'body'?: "welcome"|"desiredState"|"heartbeatAck"|"catalog"|"deleteFiles"|"replicate";
}

export interface ControllerMessage__Output {
  /**
   * First message on every stream.
   */
  'welcome'?: (_imagelib_v1_Welcome__Output | null);
  /**
   * The complete set of roles this host must run; sent after Welcome and on every change.
   */
  'desiredState'?: (_imagelib_v1_DesiredState__Output | null);
  /**
   * Answers every heartbeat, so the agent notices a controller that stopped answering.
   */
  'heartbeatAck'?: (_imagelib_v1_HeartbeatAck__Output | null);
  /**
   * Catalog changes since the agent's revision, or the whole catalog.
   */
  'catalog'?: (_imagelib_v1_CatalogUpdate__Output | null);
  /**
   * Delete the data files of deleted images from this host's repository.
   */
  'deleteFiles'?: (_imagelib_v1_DeleteFiles__Output | null);
  /**
   * Copy images this host's storage lacks from hosts that hold them.
   */
  'replicate'?: (_imagelib_v1_ReplicateImages__Output | null);
  'body'?: "welcome"|"desiredState"|"heartbeatAck"|"catalog"|"deleteFiles"|"replicate";
}
