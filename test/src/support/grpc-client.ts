import * as grpc from '@grpc/grpc-js';
import { type AgentGatewayClient, type ControllerMessage__Output, type EnrollResponse__Output, loadImagelibV1 } from '@imagelib/proto';
import { generateKeyPairSync } from 'node:crypto';

const OPTIONS = { 'grpc.ssl_target_name_override': 'imagelib-controller', 'grpc.default_authority': 'imagelib-controller' };

/** A raw gRPC client of the agent gateway, for calls a well-behaved agent would never make. */
export function gatewayClient(address: string, caPem: string, identity?: { keyPem: string; certPem: string }): AgentGatewayClient {
  const credentials = grpc.credentials.createSsl(Buffer.from(caPem), identity ? Buffer.from(identity.keyPem) : null, identity ? Buffer.from(identity.certPem) : null);
  return new (loadImagelibV1().AgentGateway)(address, credentials, OPTIONS);
}

export function newPublicKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function enrol(client: AgentGatewayClient, joinToken: string, hostname: string): Promise<EnrollResponse__Output> {
  return new Promise((resolve, reject) =>
    client.Enroll({ joinToken, hostname, region: 'default', publicKeyPem: newPublicKeyPem(), agentVersion: 'test' }, (error, response) => (error || !response ? reject(error) : resolve(response))),
  );
}

/** Opens a stream, says hello, and resolves with the first thing that happens: a message or an error. */
export function firstAnswer(client: AgentGatewayClient): Promise<{ message?: ControllerMessage__Output; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const call = client.Connect();
    call.on('data', (message: ControllerMessage__Output) => {
      resolve({ message });
      call.cancel();
    });
    call.on('error', (error: grpc.ServiceError) => resolve({ error }));
    call.write({ hello: { agentVersion: 'test', roles: [] } });
  });
}
