import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AbortUploadRequest as _imagelib_v1_AbortUploadRequest, AbortUploadRequest__Output as _imagelib_v1_AbortUploadRequest__Output } from './imagelib/v1/AbortUploadRequest.js';
import type { AgentGatewayClient as _imagelib_v1_AgentGatewayClient, AgentGatewayDefinition as _imagelib_v1_AgentGatewayDefinition } from './imagelib/v1/AgentGateway.js';
import type { AgentMessage as _imagelib_v1_AgentMessage, AgentMessage__Output as _imagelib_v1_AgentMessage__Output } from './imagelib/v1/AgentMessage.js';
import type { CatalogAck as _imagelib_v1_CatalogAck, CatalogAck__Output as _imagelib_v1_CatalogAck__Output } from './imagelib/v1/CatalogAck.js';
import type { CatalogImage as _imagelib_v1_CatalogImage, CatalogImage__Output as _imagelib_v1_CatalogImage__Output } from './imagelib/v1/CatalogImage.js';
import type { CatalogUpdate as _imagelib_v1_CatalogUpdate, CatalogUpdate__Output as _imagelib_v1_CatalogUpdate__Output } from './imagelib/v1/CatalogUpdate.js';
import type { CatalogWriteError as _imagelib_v1_CatalogWriteError, CatalogWriteError__Output as _imagelib_v1_CatalogWriteError__Output } from './imagelib/v1/CatalogWriteError.js';
import type { CatalogWriteReply as _imagelib_v1_CatalogWriteReply, CatalogWriteReply__Output as _imagelib_v1_CatalogWriteReply__Output } from './imagelib/v1/CatalogWriteReply.js';
import type { CatalogWriteRequest as _imagelib_v1_CatalogWriteRequest, CatalogWriteRequest__Output as _imagelib_v1_CatalogWriteRequest__Output } from './imagelib/v1/CatalogWriteRequest.js';
import type { ChangeImageStatusRequest as _imagelib_v1_ChangeImageStatusRequest, ChangeImageStatusRequest__Output as _imagelib_v1_ChangeImageStatusRequest__Output } from './imagelib/v1/ChangeImageStatusRequest.js';
import type { CompleteUploadRequest as _imagelib_v1_CompleteUploadRequest, CompleteUploadRequest__Output as _imagelib_v1_CompleteUploadRequest__Output } from './imagelib/v1/CompleteUploadRequest.js';
import type { ControllerMessage as _imagelib_v1_ControllerMessage, ControllerMessage__Output as _imagelib_v1_ControllerMessage__Output } from './imagelib/v1/ControllerMessage.js';
import type { CpuFacts as _imagelib_v1_CpuFacts, CpuFacts__Output as _imagelib_v1_CpuFacts__Output } from './imagelib/v1/CpuFacts.js';
import type { CreateImageRequest as _imagelib_v1_CreateImageRequest, CreateImageRequest__Output as _imagelib_v1_CreateImageRequest__Output } from './imagelib/v1/CreateImageRequest.js';
import type { DeleteFiles as _imagelib_v1_DeleteFiles, DeleteFiles__Output as _imagelib_v1_DeleteFiles__Output } from './imagelib/v1/DeleteFiles.js';
import type { DesiredState as _imagelib_v1_DesiredState, DesiredState__Output as _imagelib_v1_DesiredState__Output } from './imagelib/v1/DesiredState.js';
import type { DiscoveredFile as _imagelib_v1_DiscoveredFile, DiscoveredFile__Output as _imagelib_v1_DiscoveredFile__Output } from './imagelib/v1/DiscoveredFile.js';
import type { DiscoveredFiles as _imagelib_v1_DiscoveredFiles, DiscoveredFiles__Output as _imagelib_v1_DiscoveredFiles__Output } from './imagelib/v1/DiscoveredFiles.js';
import type { EnrollRequest as _imagelib_v1_EnrollRequest, EnrollRequest__Output as _imagelib_v1_EnrollRequest__Output } from './imagelib/v1/EnrollRequest.js';
import type { EnrollResponse as _imagelib_v1_EnrollResponse, EnrollResponse__Output as _imagelib_v1_EnrollResponse__Output } from './imagelib/v1/EnrollResponse.js';
import type { FileDeletionResult as _imagelib_v1_FileDeletionResult, FileDeletionResult__Output as _imagelib_v1_FileDeletionResult__Output } from './imagelib/v1/FileDeletionResult.js';
import type { FileToDelete as _imagelib_v1_FileToDelete, FileToDelete__Output as _imagelib_v1_FileToDelete__Output } from './imagelib/v1/FileToDelete.js';
import type { Heartbeat as _imagelib_v1_Heartbeat, Heartbeat__Output as _imagelib_v1_Heartbeat__Output } from './imagelib/v1/Heartbeat.js';
import type { HeartbeatAck as _imagelib_v1_HeartbeatAck, HeartbeatAck__Output as _imagelib_v1_HeartbeatAck__Output } from './imagelib/v1/HeartbeatAck.js';
import type { Hello as _imagelib_v1_Hello, Hello__Output as _imagelib_v1_Hello__Output } from './imagelib/v1/Hello.js';
import type { HostFacts as _imagelib_v1_HostFacts, HostFacts__Output as _imagelib_v1_HostFacts__Output } from './imagelib/v1/HostFacts.js';
import type { ImageHostStatus as _imagelib_v1_ImageHostStatus, ImageHostStatus__Output as _imagelib_v1_ImageHostStatus__Output } from './imagelib/v1/ImageHostStatus.js';
import type { ImageLibraryConfig as _imagelib_v1_ImageLibraryConfig, ImageLibraryConfig__Output as _imagelib_v1_ImageLibraryConfig__Output } from './imagelib/v1/ImageLibraryConfig.js';
import type { ImageRef as _imagelib_v1_ImageRef, ImageRef__Output as _imagelib_v1_ImageRef__Output } from './imagelib/v1/ImageRef.js';
import type { ImageStatusReport as _imagelib_v1_ImageStatusReport, ImageStatusReport__Output as _imagelib_v1_ImageStatusReport__Output } from './imagelib/v1/ImageStatusReport.js';
import type { MemoryFacts as _imagelib_v1_MemoryFacts, MemoryFacts__Output as _imagelib_v1_MemoryFacts__Output } from './imagelib/v1/MemoryFacts.js';
import type { OsFacts as _imagelib_v1_OsFacts, OsFacts__Output as _imagelib_v1_OsFacts__Output } from './imagelib/v1/OsFacts.js';
import type { PatchImageRequest as _imagelib_v1_PatchImageRequest, PatchImageRequest__Output as _imagelib_v1_PatchImageRequest__Output } from './imagelib/v1/PatchImageRequest.js';
import type { RegisteredFile as _imagelib_v1_RegisteredFile, RegisteredFile__Output as _imagelib_v1_RegisteredFile__Output } from './imagelib/v1/RegisteredFile.js';
import type { RegisteredFiles as _imagelib_v1_RegisteredFiles, RegisteredFiles__Output as _imagelib_v1_RegisteredFiles__Output } from './imagelib/v1/RegisteredFiles.js';
import type { ReplicateImages as _imagelib_v1_ReplicateImages, ReplicateImages__Output as _imagelib_v1_ReplicateImages__Output } from './imagelib/v1/ReplicateImages.js';
import type { Replication as _imagelib_v1_Replication, Replication__Output as _imagelib_v1_Replication__Output } from './imagelib/v1/Replication.js';
import type { ReplicationResult as _imagelib_v1_ReplicationResult, ReplicationResult__Output as _imagelib_v1_ReplicationResult__Output } from './imagelib/v1/ReplicationResult.js';
import type { RepositoryFacts as _imagelib_v1_RepositoryFacts, RepositoryFacts__Output as _imagelib_v1_RepositoryFacts__Output } from './imagelib/v1/RepositoryFacts.js';
import type { RoleAssignment as _imagelib_v1_RoleAssignment, RoleAssignment__Output as _imagelib_v1_RoleAssignment__Output } from './imagelib/v1/RoleAssignment.js';
import type { RoleStatus as _imagelib_v1_RoleStatus, RoleStatus__Output as _imagelib_v1_RoleStatus__Output } from './imagelib/v1/RoleStatus.js';
import type { Welcome as _imagelib_v1_Welcome, Welcome__Output as _imagelib_v1_Welcome__Output } from './imagelib/v1/Welcome.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  imagelib: {
    v1: {
      AbortUploadRequest: MessageTypeDefinition<_imagelib_v1_AbortUploadRequest, _imagelib_v1_AbortUploadRequest__Output>
      /**
       * Served by the controller over TLS. Enroll is the only call accepted without a host
       * credential (a client certificate issued by Enroll); every other call needs one.
       */
      AgentGateway: SubtypeConstructor<typeof grpc.Client, _imagelib_v1_AgentGatewayClient> & { service: _imagelib_v1_AgentGatewayDefinition }
      AgentMessage: MessageTypeDefinition<_imagelib_v1_AgentMessage, _imagelib_v1_AgentMessage__Output>
      CatalogAck: MessageTypeDefinition<_imagelib_v1_CatalogAck, _imagelib_v1_CatalogAck__Output>
      CatalogImage: MessageTypeDefinition<_imagelib_v1_CatalogImage, _imagelib_v1_CatalogImage__Output>
      CatalogUpdate: MessageTypeDefinition<_imagelib_v1_CatalogUpdate, _imagelib_v1_CatalogUpdate__Output>
      CatalogWriteError: MessageTypeDefinition<_imagelib_v1_CatalogWriteError, _imagelib_v1_CatalogWriteError__Output>
      CatalogWriteReply: MessageTypeDefinition<_imagelib_v1_CatalogWriteReply, _imagelib_v1_CatalogWriteReply__Output>
      CatalogWriteRequest: MessageTypeDefinition<_imagelib_v1_CatalogWriteRequest, _imagelib_v1_CatalogWriteRequest__Output>
      ChangeImageStatusRequest: MessageTypeDefinition<_imagelib_v1_ChangeImageStatusRequest, _imagelib_v1_ChangeImageStatusRequest__Output>
      CompleteUploadRequest: MessageTypeDefinition<_imagelib_v1_CompleteUploadRequest, _imagelib_v1_CompleteUploadRequest__Output>
      ControllerMessage: MessageTypeDefinition<_imagelib_v1_ControllerMessage, _imagelib_v1_ControllerMessage__Output>
      CpuFacts: MessageTypeDefinition<_imagelib_v1_CpuFacts, _imagelib_v1_CpuFacts__Output>
      CreateImageRequest: MessageTypeDefinition<_imagelib_v1_CreateImageRequest, _imagelib_v1_CreateImageRequest__Output>
      DeleteFiles: MessageTypeDefinition<_imagelib_v1_DeleteFiles, _imagelib_v1_DeleteFiles__Output>
      DesiredState: MessageTypeDefinition<_imagelib_v1_DesiredState, _imagelib_v1_DesiredState__Output>
      DiscoveredFile: MessageTypeDefinition<_imagelib_v1_DiscoveredFile, _imagelib_v1_DiscoveredFile__Output>
      DiscoveredFiles: MessageTypeDefinition<_imagelib_v1_DiscoveredFiles, _imagelib_v1_DiscoveredFiles__Output>
      EnrollRequest: MessageTypeDefinition<_imagelib_v1_EnrollRequest, _imagelib_v1_EnrollRequest__Output>
      EnrollResponse: MessageTypeDefinition<_imagelib_v1_EnrollResponse, _imagelib_v1_EnrollResponse__Output>
      FileDeletionResult: MessageTypeDefinition<_imagelib_v1_FileDeletionResult, _imagelib_v1_FileDeletionResult__Output>
      FileToDelete: MessageTypeDefinition<_imagelib_v1_FileToDelete, _imagelib_v1_FileToDelete__Output>
      Heartbeat: MessageTypeDefinition<_imagelib_v1_Heartbeat, _imagelib_v1_Heartbeat__Output>
      HeartbeatAck: MessageTypeDefinition<_imagelib_v1_HeartbeatAck, _imagelib_v1_HeartbeatAck__Output>
      Hello: MessageTypeDefinition<_imagelib_v1_Hello, _imagelib_v1_Hello__Output>
      HostFacts: MessageTypeDefinition<_imagelib_v1_HostFacts, _imagelib_v1_HostFacts__Output>
      ImageHostState: EnumTypeDefinition
      ImageHostStatus: MessageTypeDefinition<_imagelib_v1_ImageHostStatus, _imagelib_v1_ImageHostStatus__Output>
      ImageLibraryConfig: MessageTypeDefinition<_imagelib_v1_ImageLibraryConfig, _imagelib_v1_ImageLibraryConfig__Output>
      ImageRef: MessageTypeDefinition<_imagelib_v1_ImageRef, _imagelib_v1_ImageRef__Output>
      ImageStatusReport: MessageTypeDefinition<_imagelib_v1_ImageStatusReport, _imagelib_v1_ImageStatusReport__Output>
      MemoryFacts: MessageTypeDefinition<_imagelib_v1_MemoryFacts, _imagelib_v1_MemoryFacts__Output>
      OsFacts: MessageTypeDefinition<_imagelib_v1_OsFacts, _imagelib_v1_OsFacts__Output>
      PatchImageRequest: MessageTypeDefinition<_imagelib_v1_PatchImageRequest, _imagelib_v1_PatchImageRequest__Output>
      RegisteredFile: MessageTypeDefinition<_imagelib_v1_RegisteredFile, _imagelib_v1_RegisteredFile__Output>
      RegisteredFiles: MessageTypeDefinition<_imagelib_v1_RegisteredFiles, _imagelib_v1_RegisteredFiles__Output>
      ReplicateImages: MessageTypeDefinition<_imagelib_v1_ReplicateImages, _imagelib_v1_ReplicateImages__Output>
      Replication: MessageTypeDefinition<_imagelib_v1_Replication, _imagelib_v1_Replication__Output>
      ReplicationResult: MessageTypeDefinition<_imagelib_v1_ReplicationResult, _imagelib_v1_ReplicationResult__Output>
      RepositoryFacts: MessageTypeDefinition<_imagelib_v1_RepositoryFacts, _imagelib_v1_RepositoryFacts__Output>
      Role: EnumTypeDefinition
      RoleAssignment: MessageTypeDefinition<_imagelib_v1_RoleAssignment, _imagelib_v1_RoleAssignment__Output>
      RoleState: EnumTypeDefinition
      RoleStatus: MessageTypeDefinition<_imagelib_v1_RoleStatus, _imagelib_v1_RoleStatus__Output>
      Welcome: MessageTypeDefinition<_imagelib_v1_Welcome, _imagelib_v1_Welcome__Output>
    }
  }
}

