import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentGatewayClient as _imagelib_v1_AgentGatewayClient, AgentGatewayDefinition as _imagelib_v1_AgentGatewayDefinition } from './imagelib/v1/AgentGateway.js';
import type { AgentMessage as _imagelib_v1_AgentMessage, AgentMessage__Output as _imagelib_v1_AgentMessage__Output } from './imagelib/v1/AgentMessage.js';
import type { ControllerMessage as _imagelib_v1_ControllerMessage, ControllerMessage__Output as _imagelib_v1_ControllerMessage__Output } from './imagelib/v1/ControllerMessage.js';
import type { CpuFacts as _imagelib_v1_CpuFacts, CpuFacts__Output as _imagelib_v1_CpuFacts__Output } from './imagelib/v1/CpuFacts.js';
import type { DesiredState as _imagelib_v1_DesiredState, DesiredState__Output as _imagelib_v1_DesiredState__Output } from './imagelib/v1/DesiredState.js';
import type { EnrollRequest as _imagelib_v1_EnrollRequest, EnrollRequest__Output as _imagelib_v1_EnrollRequest__Output } from './imagelib/v1/EnrollRequest.js';
import type { EnrollResponse as _imagelib_v1_EnrollResponse, EnrollResponse__Output as _imagelib_v1_EnrollResponse__Output } from './imagelib/v1/EnrollResponse.js';
import type { Heartbeat as _imagelib_v1_Heartbeat, Heartbeat__Output as _imagelib_v1_Heartbeat__Output } from './imagelib/v1/Heartbeat.js';
import type { HeartbeatAck as _imagelib_v1_HeartbeatAck, HeartbeatAck__Output as _imagelib_v1_HeartbeatAck__Output } from './imagelib/v1/HeartbeatAck.js';
import type { Hello as _imagelib_v1_Hello, Hello__Output as _imagelib_v1_Hello__Output } from './imagelib/v1/Hello.js';
import type { HostFacts as _imagelib_v1_HostFacts, HostFacts__Output as _imagelib_v1_HostFacts__Output } from './imagelib/v1/HostFacts.js';
import type { ImageLibraryConfig as _imagelib_v1_ImageLibraryConfig, ImageLibraryConfig__Output as _imagelib_v1_ImageLibraryConfig__Output } from './imagelib/v1/ImageLibraryConfig.js';
import type { MemoryFacts as _imagelib_v1_MemoryFacts, MemoryFacts__Output as _imagelib_v1_MemoryFacts__Output } from './imagelib/v1/MemoryFacts.js';
import type { OsFacts as _imagelib_v1_OsFacts, OsFacts__Output as _imagelib_v1_OsFacts__Output } from './imagelib/v1/OsFacts.js';
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
      /**
       * Served by the controller over TLS. Enroll is the only call accepted without a host
       * credential (a client certificate issued by Enroll); every other call needs one.
       */
      AgentGateway: SubtypeConstructor<typeof grpc.Client, _imagelib_v1_AgentGatewayClient> & { service: _imagelib_v1_AgentGatewayDefinition }
      AgentMessage: MessageTypeDefinition<_imagelib_v1_AgentMessage, _imagelib_v1_AgentMessage__Output>
      ControllerMessage: MessageTypeDefinition<_imagelib_v1_ControllerMessage, _imagelib_v1_ControllerMessage__Output>
      CpuFacts: MessageTypeDefinition<_imagelib_v1_CpuFacts, _imagelib_v1_CpuFacts__Output>
      DesiredState: MessageTypeDefinition<_imagelib_v1_DesiredState, _imagelib_v1_DesiredState__Output>
      EnrollRequest: MessageTypeDefinition<_imagelib_v1_EnrollRequest, _imagelib_v1_EnrollRequest__Output>
      EnrollResponse: MessageTypeDefinition<_imagelib_v1_EnrollResponse, _imagelib_v1_EnrollResponse__Output>
      Heartbeat: MessageTypeDefinition<_imagelib_v1_Heartbeat, _imagelib_v1_Heartbeat__Output>
      HeartbeatAck: MessageTypeDefinition<_imagelib_v1_HeartbeatAck, _imagelib_v1_HeartbeatAck__Output>
      Hello: MessageTypeDefinition<_imagelib_v1_Hello, _imagelib_v1_Hello__Output>
      HostFacts: MessageTypeDefinition<_imagelib_v1_HostFacts, _imagelib_v1_HostFacts__Output>
      ImageLibraryConfig: MessageTypeDefinition<_imagelib_v1_ImageLibraryConfig, _imagelib_v1_ImageLibraryConfig__Output>
      MemoryFacts: MessageTypeDefinition<_imagelib_v1_MemoryFacts, _imagelib_v1_MemoryFacts__Output>
      OsFacts: MessageTypeDefinition<_imagelib_v1_OsFacts, _imagelib_v1_OsFacts__Output>
      RepositoryFacts: MessageTypeDefinition<_imagelib_v1_RepositoryFacts, _imagelib_v1_RepositoryFacts__Output>
      Role: EnumTypeDefinition
      RoleAssignment: MessageTypeDefinition<_imagelib_v1_RoleAssignment, _imagelib_v1_RoleAssignment__Output>
      RoleState: EnumTypeDefinition
      RoleStatus: MessageTypeDefinition<_imagelib_v1_RoleStatus, _imagelib_v1_RoleStatus__Output>
      Welcome: MessageTypeDefinition<_imagelib_v1_Welcome, _imagelib_v1_Welcome__Output>
    }
  }
}

