// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AbortUploadRequest as _imagelib_v1_AbortUploadRequest, AbortUploadRequest__Output as _imagelib_v1_AbortUploadRequest__Output } from '../../imagelib/v1/AbortUploadRequest.js';
import type { AgentMessage as _imagelib_v1_AgentMessage, AgentMessage__Output as _imagelib_v1_AgentMessage__Output } from '../../imagelib/v1/AgentMessage.js';
import type { CatalogImage as _imagelib_v1_CatalogImage, CatalogImage__Output as _imagelib_v1_CatalogImage__Output } from '../../imagelib/v1/CatalogImage.js';
import type { CatalogWriteReply as _imagelib_v1_CatalogWriteReply, CatalogWriteReply__Output as _imagelib_v1_CatalogWriteReply__Output } from '../../imagelib/v1/CatalogWriteReply.js';
import type { CatalogWriteRequest as _imagelib_v1_CatalogWriteRequest, CatalogWriteRequest__Output as _imagelib_v1_CatalogWriteRequest__Output } from '../../imagelib/v1/CatalogWriteRequest.js';
import type { ChangeImageStatusRequest as _imagelib_v1_ChangeImageStatusRequest, ChangeImageStatusRequest__Output as _imagelib_v1_ChangeImageStatusRequest__Output } from '../../imagelib/v1/ChangeImageStatusRequest.js';
import type { CompleteUploadRequest as _imagelib_v1_CompleteUploadRequest, CompleteUploadRequest__Output as _imagelib_v1_CompleteUploadRequest__Output } from '../../imagelib/v1/CompleteUploadRequest.js';
import type { ControllerMessage as _imagelib_v1_ControllerMessage, ControllerMessage__Output as _imagelib_v1_ControllerMessage__Output } from '../../imagelib/v1/ControllerMessage.js';
import type { CreateImageRequest as _imagelib_v1_CreateImageRequest, CreateImageRequest__Output as _imagelib_v1_CreateImageRequest__Output } from '../../imagelib/v1/CreateImageRequest.js';
import type { DiscoveredFile as _imagelib_v1_DiscoveredFile, DiscoveredFile__Output as _imagelib_v1_DiscoveredFile__Output } from '../../imagelib/v1/DiscoveredFile.js';
import type { DiscoveredFiles as _imagelib_v1_DiscoveredFiles, DiscoveredFiles__Output as _imagelib_v1_DiscoveredFiles__Output } from '../../imagelib/v1/DiscoveredFiles.js';
import type { EnrollRequest as _imagelib_v1_EnrollRequest, EnrollRequest__Output as _imagelib_v1_EnrollRequest__Output } from '../../imagelib/v1/EnrollRequest.js';
import type { EnrollResponse as _imagelib_v1_EnrollResponse, EnrollResponse__Output as _imagelib_v1_EnrollResponse__Output } from '../../imagelib/v1/EnrollResponse.js';
import type { ImageRef as _imagelib_v1_ImageRef, ImageRef__Output as _imagelib_v1_ImageRef__Output } from '../../imagelib/v1/ImageRef.js';
import type { PatchImageRequest as _imagelib_v1_PatchImageRequest, PatchImageRequest__Output as _imagelib_v1_PatchImageRequest__Output } from '../../imagelib/v1/PatchImageRequest.js';
import type { RegisteredFiles as _imagelib_v1_RegisteredFiles, RegisteredFiles__Output as _imagelib_v1_RegisteredFiles__Output } from '../../imagelib/v1/RegisteredFiles.js';

/**
 * Served by the controller over TLS. Enroll is the only call accepted without a host
 * credential (a client certificate issued by Enroll); every other call needs one.
 */
export interface AgentGatewayClient extends grpc.Client {
  AbortUpload(argument: _imagelib_v1_AbortUploadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  AbortUpload(argument: _imagelib_v1_AbortUploadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  AbortUpload(argument: _imagelib_v1_AbortUploadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  AbortUpload(argument: _imagelib_v1_AbortUploadRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  abortUpload(argument: _imagelib_v1_AbortUploadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  abortUpload(argument: _imagelib_v1_AbortUploadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  abortUpload(argument: _imagelib_v1_AbortUploadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  abortUpload(argument: _imagelib_v1_AbortUploadRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  /**
   * An upload starts (queued → saving), completes (saving → active with size and hashes) or fails.
   */
  BeginUpload(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  BeginUpload(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  BeginUpload(argument: _imagelib_v1_ImageRef, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  BeginUpload(argument: _imagelib_v1_ImageRef, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  /**
   * An upload starts (queued → saving), completes (saving → active with size and hashes) or fails.
   */
  beginUpload(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  beginUpload(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  beginUpload(argument: _imagelib_v1_ImageRef, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  beginUpload(argument: _imagelib_v1_ImageRef, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  /**
   * The same writes over one long-lived stream per agent, without a call's setup for each: every
   * request carries an id that its reply repeats; replies come in any order. The host's credential
   * is checked for every request.
   */
  CatalogWrites(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_CatalogWriteRequest, _imagelib_v1_CatalogWriteReply__Output>;
  CatalogWrites(options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_CatalogWriteRequest, _imagelib_v1_CatalogWriteReply__Output>;
  /**
   * The same writes over one long-lived stream per agent, without a call's setup for each: every
   * request carries an id that its reply repeats; replies come in any order. The host's credential
   * is checked for every request.
   */
  catalogWrites(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_CatalogWriteRequest, _imagelib_v1_CatalogWriteReply__Output>;
  catalogWrites(options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_CatalogWriteRequest, _imagelib_v1_CatalogWriteReply__Output>;
  
  ChangeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  ChangeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  ChangeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  ChangeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  changeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  changeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  changeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  changeImageStatus(argument: _imagelib_v1_ChangeImageStatusRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  CompleteUpload(argument: _imagelib_v1_CompleteUploadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  CompleteUpload(argument: _imagelib_v1_CompleteUploadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  CompleteUpload(argument: _imagelib_v1_CompleteUploadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  CompleteUpload(argument: _imagelib_v1_CompleteUploadRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  completeUpload(argument: _imagelib_v1_CompleteUploadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  completeUpload(argument: _imagelib_v1_CompleteUploadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  completeUpload(argument: _imagelib_v1_CompleteUploadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  completeUpload(argument: _imagelib_v1_CompleteUploadRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  /**
   * One long-lived stream per agent: hello, heartbeats, facts and role states up;
   * welcome (host id, heartbeat interval) and desired state down.
   */
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_AgentMessage, _imagelib_v1_ControllerMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_AgentMessage, _imagelib_v1_ControllerMessage__Output>;
  /**
   * One long-lived stream per agent: hello, heartbeats, facts and role states up;
   * welcome (host id, heartbeat interval) and desired state down.
   */
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_AgentMessage, _imagelib_v1_ControllerMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_imagelib_v1_AgentMessage, _imagelib_v1_ControllerMessage__Output>;
  
  /**
   * Catalog writes made through a host's image service. The controller applies them (it is the
   * catalog's single writer) and streams the result to every host. Glance-level refusals come back
   * as FAILED_PRECONDITION with the HTTP status in the "glance-status" trailer.
   */
  CreateImage(argument: _imagelib_v1_CreateImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  CreateImage(argument: _imagelib_v1_CreateImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  CreateImage(argument: _imagelib_v1_CreateImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  CreateImage(argument: _imagelib_v1_CreateImageRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  /**
   * Catalog writes made through a host's image service. The controller applies them (it is the
   * catalog's single writer) and streams the result to every host. Glance-level refusals come back
   * as FAILED_PRECONDITION with the HTTP status in the "glance-status" trailer.
   */
  createImage(argument: _imagelib_v1_CreateImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  createImage(argument: _imagelib_v1_CreateImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  createImage(argument: _imagelib_v1_CreateImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  createImage(argument: _imagelib_v1_CreateImageRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  DeleteImage(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  DeleteImage(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  DeleteImage(argument: _imagelib_v1_ImageRef, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  DeleteImage(argument: _imagelib_v1_ImageRef, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _imagelib_v1_ImageRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _imagelib_v1_ImageRef, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  deleteImage(argument: _imagelib_v1_ImageRef, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  /**
   * Exchanges a join token for a host identity and a client certificate for the agent's key.
   */
  Enroll(argument: _imagelib_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _imagelib_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _imagelib_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _imagelib_v1_EnrollRequest, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Exchanges a join token for a host identity and a client certificate for the agent's key.
   */
  enroll(argument: _imagelib_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _imagelib_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _imagelib_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _imagelib_v1_EnrollRequest, callback: grpc.requestCallback<_imagelib_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  
  PatchImage(argument: _imagelib_v1_PatchImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  PatchImage(argument: _imagelib_v1_PatchImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  PatchImage(argument: _imagelib_v1_PatchImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  PatchImage(argument: _imagelib_v1_PatchImageRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  patchImage(argument: _imagelib_v1_PatchImageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  patchImage(argument: _imagelib_v1_PatchImageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  patchImage(argument: _imagelib_v1_PatchImageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  patchImage(argument: _imagelib_v1_PatchImageRequest, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  /**
   * A complete file found in the repository directory; returns the image it is catalogued as.
   */
  RegisterDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  RegisterDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  RegisterDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  RegisterDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  /**
   * A complete file found in the repository directory; returns the image it is catalogued as.
   */
  registerDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  registerDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  registerDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  registerDiscoveredFile(argument: _imagelib_v1_DiscoveredFile, callback: grpc.requestCallback<_imagelib_v1_CatalogImage__Output>): grpc.ClientUnaryCall;
  
  /**
   * Many complete files found in the repository directory, catalogued in one transaction; answers,
   * for each file in the request's order, the image it is catalogued as or why it was refused.
   */
  RegisterDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  RegisterDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  RegisterDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  RegisterDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  /**
   * Many complete files found in the repository directory, catalogued in one transaction; answers,
   * for each file in the request's order, the image it is catalogued as or why it was refused.
   */
  registerDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  registerDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, metadata: grpc.Metadata, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  registerDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, options: grpc.CallOptions, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  registerDiscoveredFiles(argument: _imagelib_v1_DiscoveredFiles, callback: grpc.requestCallback<_imagelib_v1_RegisteredFiles__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Served by the controller over TLS. Enroll is the only call accepted without a host
 * credential (a client certificate issued by Enroll); every other call needs one.
 */
export interface AgentGatewayHandlers extends grpc.UntypedServiceImplementation {
  AbortUpload: grpc.handleUnaryCall<_imagelib_v1_AbortUploadRequest__Output, _imagelib_v1_CatalogImage>;
  
  /**
   * An upload starts (queued → saving), completes (saving → active with size and hashes) or fails.
   */
  BeginUpload: grpc.handleUnaryCall<_imagelib_v1_ImageRef__Output, _imagelib_v1_CatalogImage>;
  
  /**
   * The same writes over one long-lived stream per agent, without a call's setup for each: every
   * request carries an id that its reply repeats; replies come in any order. The host's credential
   * is checked for every request.
   */
  CatalogWrites: grpc.handleBidiStreamingCall<_imagelib_v1_CatalogWriteRequest__Output, _imagelib_v1_CatalogWriteReply>;
  
  ChangeImageStatus: grpc.handleUnaryCall<_imagelib_v1_ChangeImageStatusRequest__Output, _imagelib_v1_CatalogImage>;
  
  CompleteUpload: grpc.handleUnaryCall<_imagelib_v1_CompleteUploadRequest__Output, _imagelib_v1_CatalogImage>;
  
  /**
   * One long-lived stream per agent: hello, heartbeats, facts and role states up;
   * welcome (host id, heartbeat interval) and desired state down.
   */
  Connect: grpc.handleBidiStreamingCall<_imagelib_v1_AgentMessage__Output, _imagelib_v1_ControllerMessage>;
  
  /**
   * Catalog writes made through a host's image service. The controller applies them (it is the
   * catalog's single writer) and streams the result to every host. Glance-level refusals come back
   * as FAILED_PRECONDITION with the HTTP status in the "glance-status" trailer.
   */
  CreateImage: grpc.handleUnaryCall<_imagelib_v1_CreateImageRequest__Output, _imagelib_v1_CatalogImage>;
  
  DeleteImage: grpc.handleUnaryCall<_imagelib_v1_ImageRef__Output, _imagelib_v1_CatalogImage>;
  
  /**
   * Exchanges a join token for a host identity and a client certificate for the agent's key.
   */
  Enroll: grpc.handleUnaryCall<_imagelib_v1_EnrollRequest__Output, _imagelib_v1_EnrollResponse>;
  
  PatchImage: grpc.handleUnaryCall<_imagelib_v1_PatchImageRequest__Output, _imagelib_v1_CatalogImage>;
  
  /**
   * A complete file found in the repository directory; returns the image it is catalogued as.
   */
  RegisterDiscoveredFile: grpc.handleUnaryCall<_imagelib_v1_DiscoveredFile__Output, _imagelib_v1_CatalogImage>;
  
  /**
   * Many complete files found in the repository directory, catalogued in one transaction; answers,
   * for each file in the request's order, the image it is catalogued as or why it was refused.
   */
  RegisterDiscoveredFiles: grpc.handleUnaryCall<_imagelib_v1_DiscoveredFiles__Output, _imagelib_v1_RegisteredFiles>;
  
}

export interface AgentGatewayDefinition extends grpc.ServiceDefinition {
  AbortUpload: MethodDefinition<_imagelib_v1_AbortUploadRequest, _imagelib_v1_CatalogImage, _imagelib_v1_AbortUploadRequest__Output, _imagelib_v1_CatalogImage__Output>
  BeginUpload: MethodDefinition<_imagelib_v1_ImageRef, _imagelib_v1_CatalogImage, _imagelib_v1_ImageRef__Output, _imagelib_v1_CatalogImage__Output>
  CatalogWrites: MethodDefinition<_imagelib_v1_CatalogWriteRequest, _imagelib_v1_CatalogWriteReply, _imagelib_v1_CatalogWriteRequest__Output, _imagelib_v1_CatalogWriteReply__Output>
  ChangeImageStatus: MethodDefinition<_imagelib_v1_ChangeImageStatusRequest, _imagelib_v1_CatalogImage, _imagelib_v1_ChangeImageStatusRequest__Output, _imagelib_v1_CatalogImage__Output>
  CompleteUpload: MethodDefinition<_imagelib_v1_CompleteUploadRequest, _imagelib_v1_CatalogImage, _imagelib_v1_CompleteUploadRequest__Output, _imagelib_v1_CatalogImage__Output>
  Connect: MethodDefinition<_imagelib_v1_AgentMessage, _imagelib_v1_ControllerMessage, _imagelib_v1_AgentMessage__Output, _imagelib_v1_ControllerMessage__Output>
  CreateImage: MethodDefinition<_imagelib_v1_CreateImageRequest, _imagelib_v1_CatalogImage, _imagelib_v1_CreateImageRequest__Output, _imagelib_v1_CatalogImage__Output>
  DeleteImage: MethodDefinition<_imagelib_v1_ImageRef, _imagelib_v1_CatalogImage, _imagelib_v1_ImageRef__Output, _imagelib_v1_CatalogImage__Output>
  Enroll: MethodDefinition<_imagelib_v1_EnrollRequest, _imagelib_v1_EnrollResponse, _imagelib_v1_EnrollRequest__Output, _imagelib_v1_EnrollResponse__Output>
  PatchImage: MethodDefinition<_imagelib_v1_PatchImageRequest, _imagelib_v1_CatalogImage, _imagelib_v1_PatchImageRequest__Output, _imagelib_v1_CatalogImage__Output>
  RegisterDiscoveredFile: MethodDefinition<_imagelib_v1_DiscoveredFile, _imagelib_v1_CatalogImage, _imagelib_v1_DiscoveredFile__Output, _imagelib_v1_CatalogImage__Output>
  RegisterDiscoveredFiles: MethodDefinition<_imagelib_v1_DiscoveredFiles, _imagelib_v1_RegisteredFiles, _imagelib_v1_DiscoveredFiles__Output, _imagelib_v1_RegisteredFiles__Output>
}
