import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { loadImagelibV1 } from '@imagelib/proto';
import { networkInterfaces } from 'node:os';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { AgentGateway } from './agent-gateway.js';

const SHUTDOWN_GRACE_MS = 5000;

/**
 * Keepalive, matched with the agent's: the agent pings every 10 s (and waits 5 s for the answer),
 * the server every 20 s; grpc-js servers accept pings at any rate, so no side ever answers
 * too_many_pings. Heartbeats, not keepalive, drive liveness; keepalive finds dead TCP connections.
 */
export const SERVER_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 1024 * 1024,
};

/**
 * A certificate provider that hands out fixed PEMs: the server's identity, or the CA that client
 * certificates are checked against. grpc-js registers its watcher only after asking providers, so
 * updates are delivered on the next tick, not synchronously.
 */
class StaticCertificates implements grpc.experimental.CertificateProvider {
  constructor(
    private readonly identity: grpc.experimental.IdentityCertificateUpdate | null,
    private readonly ca: grpc.experimental.CaCertificateUpdate | null,
  ) {}
  addCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    setImmediate(() => listener(this.ca));
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(listener: grpc.experimental.IdentityCertificateUpdateListener): void {
    setImmediate(() => listener(this.identity));
  }
  removeIdentityCertificateListener(): void {}
}

/** The agents' gRPC endpoint over TLS. Client certificates are asked for but checked per call, so a bad one gets UNAUTHENTICATED rather than a failed handshake. */
@Injectable()
export class AgentGatewayServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AgentGatewayServer.name);
  private readonly server = new grpc.Server(SERVER_CHANNEL_OPTIONS);
  private port = 0;

  constructor(
    private readonly gateway: AgentGateway,
    private readonly ca: CertificateAuthority,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  get boundPort(): number {
    return this.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const names = [this.config.hostname, 'localhost', ...localAddresses(), ...this.config.tlsSans];
    const { certificateChainPem, privateKeyPem } = await this.ca.issueServerCertificate(names);
    const credentials = grpc.experimental.createCertificateProviderServerCredentials(
      new StaticCertificates({ certificate: Buffer.from(certificateChainPem), privateKey: Buffer.from(privateKeyPem) }, null),
      new StaticCertificates(null, { caCertificate: Buffer.from(this.ca.certificatePem) }),
      false,
    );
    this.server.addService(loadImagelibV1().AgentGateway.service, this.gateway.handlers());
    const address = `${this.config.grpc.host.includes(':') ? `[${this.config.grpc.host}]` : this.config.grpc.host}:${this.config.grpc.port}`;
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.logger.log(`agent gateway (gRPC over TLS) listening on ${address}`);
  }

  /** Stops accepting streams before the store closes (the store closes in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.gateway.endWriteStreams();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined)
    .map((entry) => entry.address.replace(/%.*$/, ''));
}
