// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _imagelib_v1_AgentMessage, AgentMessage__Output as _imagelib_v1_AgentMessage__Output } from '../../imagelib/v1/AgentMessage.js';
import type { ControllerMessage as _imagelib_v1_ControllerMessage, ControllerMessage__Output as _imagelib_v1_ControllerMessage__Output } from '../../imagelib/v1/ControllerMessage.js';
import type { EnrollRequest as _imagelib_v1_EnrollRequest, EnrollRequest__Output as _imagelib_v1_EnrollRequest__Output } from '../../imagelib/v1/EnrollRequest.js';
import type { EnrollResponse as _imagelib_v1_EnrollResponse, EnrollResponse__Output as _imagelib_v1_EnrollResponse__Output } from '../../imagelib/v1/EnrollResponse.js';

/**
 * Served by the controller over TLS. Enroll is the only call accepted without a host
 * credential (a client certificate issued by Enroll); every other call needs one.
 */
export interface AgentGatewayClient extends grpc.Client {
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
  
}

/**
 * Served by the controller over TLS. Enroll is the only call accepted without a host
 * credential (a client certificate issued by Enroll); every other call needs one.
 */
export interface AgentGatewayHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One long-lived stream per agent: hello, heartbeats, facts and role states up;
   * welcome (host id, heartbeat interval) and desired state down.
   */
  Connect: grpc.handleBidiStreamingCall<_imagelib_v1_AgentMessage__Output, _imagelib_v1_ControllerMessage>;
  
  /**
   * Exchanges a join token for a host identity and a client certificate for the agent's key.
   */
  Enroll: grpc.handleUnaryCall<_imagelib_v1_EnrollRequest__Output, _imagelib_v1_EnrollResponse>;
  
}

export interface AgentGatewayDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_imagelib_v1_AgentMessage, _imagelib_v1_ControllerMessage, _imagelib_v1_AgentMessage__Output, _imagelib_v1_ControllerMessage__Output>
  Enroll: MethodDefinition<_imagelib_v1_EnrollRequest, _imagelib_v1_EnrollResponse, _imagelib_v1_EnrollRequest__Output, _imagelib_v1_EnrollResponse__Output>
}
