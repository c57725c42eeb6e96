// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Hello as _imagelib_v1_Hello, Hello__Output as _imagelib_v1_Hello__Output } from '../../imagelib/v1/Hello.js';
import type { Heartbeat as _imagelib_v1_Heartbeat, Heartbeat__Output as _imagelib_v1_Heartbeat__Output } from '../../imagelib/v1/Heartbeat.js';
import type { HostFacts as _imagelib_v1_HostFacts, HostFacts__Output as _imagelib_v1_HostFacts__Output } from '../../imagelib/v1/HostFacts.js';
import type { RoleStatus as _imagelib_v1_RoleStatus, RoleStatus__Output as _imagelib_v1_RoleStatus__Output } from '../../imagelib/v1/RoleStatus.js';
import type { ImageStatusReport as _imagelib_v1_ImageStatusReport, ImageStatusReport__Output as _imagelib_v1_ImageStatusReport__Output } from '../../imagelib/v1/ImageStatusReport.js';
import type { CatalogAck as _imagelib_v1_CatalogAck, CatalogAck__Output as _imagelib_v1_CatalogAck__Output } from '../../imagelib/v1/CatalogAck.js';
import type { FileDeletionResult as _imagelib_v1_FileDeletionResult, FileDeletionResult__Output as _imagelib_v1_FileDeletionResult__Output } from '../../imagelib/v1/FileDeletionResult.js';
import type { ReplicationResult as _imagelib_v1_ReplicationResult, ReplicationResult__Output as _imagelib_v1_ReplicationResult__Output } from '../../imagelib/v1/ReplicationResult.js';

export interface AgentMessage {
  /**
   * First message on every stream.
   */
  'hello'?: (_imagelib_v1_Hello | null);
  'heartbeat'?: (_imagelib_v1_Heartbeat | null);
  /**
   * Sent when the facts change.
   */
  'facts'?: (_imagelib_v1_HostFacts | null);
  /**
   * Sent whenever a role's state changes.
   */
  'roleStatus'?: (_imagelib_v1_RoleStatus | null);
  /**
   * The status of images on this host: all of them after connecting, then changes.
   */
  'imageStatus'?: (_imagelib_v1_ImageStatusReport | null);
  /**
   * The agent applied the catalog up to this revision (it serves nothing older).
   */
  'catalogAck'?: (_imagelib_v1_CatalogAck | null);
  /**
   * The outcome of a DeleteFiles command.
   */
  'fileDeletion'?: (_imagelib_v1_FileDeletionResult | null);
  /**
   * The outcome of one copy asked for by ReplicateImages.
   */
  'replication'?: (_imagelib_v1_ReplicationResult | null);
  'body'?: "hello"|"heartbeat"|"facts"|"roleStatus"|"imageStatus"|"catalogAck"|"fileDeletion"|"replication";
}

export interface AgentMessage__Output {
  /**
   * First message on every stream.
   */
  'hello'?: (_imagelib_v1_Hello__Output | null);
  'heartbeat'?: (_imagelib_v1_Heartbeat__Output | null);
  /**
   * Sent when the facts change.
   */
  'facts'?: (_imagelib_v1_HostFacts__Output | null);
  /**
   * Sent whenever a role's state changes.
   */
  'roleStatus'?: (_imagelib_v1_RoleStatus__Output | null);
  /**
   * The status of images on this host: all of them after connecting, then changes.
   */
  'imageStatus'?: (_imagelib_v1_ImageStatusReport__Output | null);
  /**
   * The agent applied the catalog up to this revision (it serves nothing older).
   */
  'catalogAck'?: (_imagelib_v1_CatalogAck__Output | null);
  /**
   * The outcome of a DeleteFiles command.
   */
  'fileDeletion'?: (_imagelib_v1_FileDeletionResult__Output | null);
  /**
   * The outcome of one copy asked for by ReplicateImages.
   */
  'replication'?: (_imagelib_v1_ReplicationResult__Output | null);
  'body'?: "hello"|"heartbeat"|"facts"|"roleStatus"|"imageStatus"|"catalogAck"|"fileDeletion"|"replication";
}
