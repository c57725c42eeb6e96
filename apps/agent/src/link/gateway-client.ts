import * as grpc from '@grpc/grpc-js';
import { type AgentGatewayClient, loadImagelibV1 } from '@imagelib/proto';

/** The name the controller's certificate is issued for, whatever address the agent dials. */
const CONTROLLER_TLS_NAME = 'imagelib-controller';

/**
 * Keepalive, matched with the controller: ping every 10 s, give up after 5 s without an answer.
 * The controller accepts pings at any rate, so it never answers too_many_pings.
 */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.ssl_target_name_override': CONTROLLER_TLS_NAME,
  'grpc.default_authority': CONTROLLER_TLS_NAME,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Reconnection pacing is the agent's own (jittered backoff), not the channel's.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
  // Several controllers: each agent takes them in an order of its own, so a fleet spreads over them.
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ pick_first: { shuffleAddressList: true } }] }),
};

export interface ClientIdentity {
  caCertificatePem: string;
  /** Absent for enrolment, which is the one call made without a host credential. */
  privateKeyPem?: string;
  certificatePem?: string;
}

/** A client for the controllers at `target` (see controllerTarget). */
export function createGatewayClient(target: string, identity: ClientIdentity): AgentGatewayClient {
  const credentials = grpc.credentials.createSsl(
    Buffer.from(identity.caCertificatePem),
    identity.privateKeyPem ? Buffer.from(identity.privateKeyPem) : null,
    identity.certificatePem ? Buffer.from(identity.certificatePem) : null,
  );
  const { AgentGateway } = loadImagelibV1();
  return new AgentGateway(target, credentials, CHANNEL_OPTIONS);
}

/** Splits "host:port" or "[v6]:port". */
export function splitAddress(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(':');
  return { host: address.slice(0, index).replace(/^\[|\]$/g, ''), port: Number(address.slice(index + 1)) };
}
