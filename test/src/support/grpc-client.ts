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
  return newKeyPair().publicKeyPem;
}

function newKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export function enrol(client: AgentGatewayClient, joinToken: string, hostname: string, publicKeyPem = newPublicKeyPem()): Promise<EnrollResponse__Output> {
  return new Promise((resolve, reject) =>
    client.Enroll({ joinToken, hostname, region: 'default', publicKeyPem, agentVersion: 'test' }, (error, response) => (error || !response ? reject(error) : resolve(response))),
  );
}

/** Enrols a host without an agent and returns its credential, for calls made with it by hand. */
export async function enrolledIdentity(client: AgentGatewayClient, joinToken: string, hostname: string): Promise<{ hostId: string; keyPem: string; certPem: string }> {
  const keys = newKeyPair();
  const enrolled = await enrol(client, joinToken, hostname, keys.publicKeyPem);
  return { hostId: enrolled.hostId, keyPem: keys.privateKeyPem, certPem: enrolled.certificatePem };
}

/** Every method of the AgentGateway service, with what a raw call needs. */
export function gatewayMethods(): { name: string; path: string; requestType: string; streaming: boolean; serialize: (value: object) => Buffer; deserialize: (bytes: Buffer) => unknown }[] {
  return Object.entries(loadImagelibV1().AgentGateway.service).map(([name, method]) => ({
    name,
    path: method.path,
    requestType: (method as unknown as { requestType: { type: { name: string } } }).requestType.type.name,
    streaming: method.requestStream || method.responseStream,
    serialize: method.requestSerialize as (value: object) => Buffer,
    deserialize: method.responseDeserialize as (bytes: Buffer) => unknown,
  }));
}

/** Opens a stream of any streaming method, sends one empty message, and resolves with the first answer or error, within 10 s. */
export function streamCall(client: grpc.Client, method: ReturnType<typeof gatewayMethods>[number]): Promise<{ answer?: unknown; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(method.path, method.serialize, method.deserialize, new grpc.Metadata(), { deadline: Date.now() + 10_000 });
    call.on('data', (answer: unknown) => {
      resolve({ answer });
      call.cancel();
    });
    call.on('error', (error: grpc.ServiceError) => resolve({ error }));
    call.write({});
  });
}

/** A unary call of any method with a request object; resolves with the answer or the error, within 10 s. */
export function unaryCall(client: grpc.Client, method: ReturnType<typeof gatewayMethods>[number], request: object): Promise<{ answer?: unknown; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(method.path, method.serialize, method.deserialize, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (error, answer) =>
      resolve(error ? { error } : { answer }),
    );
  });
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
