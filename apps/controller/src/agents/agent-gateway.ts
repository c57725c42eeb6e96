import { Injectable, Logger } from '@nestjs/common';
import type { AgentGatewayHandlers, AgentMessage__Output, Hello__Output, RoleStatus__Output } from '@imagelib/proto';
import { HostsRepository, type RoleName } from '@imagelib/store';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { toGrpcError } from '../errors/grpc-status.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { type AgentCall, AgentSessions } from './agent-sessions.service.js';
import { EnrolmentService } from './enrolment.service.js';
import { factsFromProto } from './facts-codec.js';
import { desiredRoles, outcomeFromProto, roleFromProto } from './role-codec.js';

/** The AgentGateway service's handlers: enrolment, and the one long-lived stream per agent. */
@Injectable()
export class AgentGateway {
  private readonly logger = new Logger(AgentGateway.name);

  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly sessions: AgentSessions,
    private readonly hosts: HostsRepository,
    private readonly ca: CertificateAuthority,
  ) {}

  /** The handlers, typed by the contract: a change to the .proto that breaks them fails the build. */
  handlers(): AgentGatewayHandlers {
    return {
      Enroll: (call, callback) => {
        this.enrolment.enrol(call.request).then(
          (response) => callback(null, response),
          (error: unknown) => callback(toGrpcError(error)),
        );
      },
      Connect: (call) => {
        this.accept(call).catch((error: unknown) => {
          const grpcError = toGrpcError(error);
          this.logger.warn(`refused a stream from ${call.getPeer()}: ${grpcError.details}`);
          call.emit('error', grpcError);
        });
      },
    };
  }

  /** Sends the host its complete desired state, if it is connected. */
  async pushDesiredState(hostId: string): Promise<void> {
    const host = await this.hosts.findById(hostId);
    if (host) this.sessions.send(hostId, { desiredState: { roles: desiredRoles(host.roles) } });
  }

  private async accept(call: AgentCall): Promise<void> {
    const hostId = await this.authenticate(call);
    this.sessions.open(hostId, call);
    // Messages are applied one at a time, in order, so role reports never overtake each other.
    let applying = Promise.resolve();
    call.on('data', (message: AgentMessage__Output) => {
      this.sessions.touch(hostId, call);
      if (message.heartbeat) {
        call.write({ heartbeatAck: { seq: message.heartbeat.seq } });
        return;
      }
      applying = applying.then(() => this.apply(hostId, message)).catch((error: unknown) => {
        this.logger.warn(`host ${hostId}: could not apply ${message.body ?? 'an empty message'}: ${String(error)}`);
      });
    });
    call.on('end', () => {
      this.sessions.closed(hostId, call, 'the agent closed its stream');
      call.end();
    });
    call.on('error', (error: Error) => this.sessions.closed(hostId, call, `stream error: ${error.message}`));
    call.on('cancelled', () => this.sessions.closed(hostId, call, 'the stream was cancelled'));
    call.write({ welcome: { hostId, heartbeatIntervalMs: this.sessions.heartbeatIntervalMs } });
  }

  private async authenticate(call: AgentCall): Promise<string> {
    const fingerprint = this.ca.verifyHostCertificate(call.getAuthContext().sslPeerCertificate?.raw, new Date());
    const credential = await this.hosts.findCredential(fingerprint);
    if (!credential || credential.revokedAt) throw new DomainError(ErrorCode.Unauthenticated, 'the host credential has been revoked or is unknown');
    return credential.hostId;
  }

  private async apply(hostId: string, message: AgentMessage__Output): Promise<void> {
    switch (message.body) {
      case 'hello':
        return this.applyHello(hostId, message.hello as Hello__Output);
      case 'facts':
        return this.hosts.saveFacts(hostId, (await this.hosts.findById(hostId))?.agentVersion ?? '', factsFromProto(message.facts!));
      case 'roleStatus':
        return this.applyRoleStatus(hostId, message.roleStatus as RoleStatus__Output);
      default:
        return;
    }
  }

  private async applyHello(hostId: string, hello: Hello__Output): Promise<void> {
    if (hello.facts) await this.hosts.saveFacts(hostId, hello.agentVersion.slice(0, 64), factsFromProto(hello.facts));
    const running = new Set<RoleName | null>();
    for (const report of hello.roles) {
      running.add(roleFromProto(report.role));
      await this.applyRoleStatus(hostId, report);
    }
    // A role being removed that the agent no longer runs is gone.
    const host = await this.hosts.findById(hostId);
    for (const role of host?.roles ?? []) {
      if (role.state === 'removing' && !running.has(role.role)) {
        await this.hosts.applyRoleStatus({ hostId, role: role.role, generation: role.generation, outcome: 'stopped', reason: '', url: '' });
      }
    }
    await this.pushDesiredState(hostId);
  }

  private async applyRoleStatus(hostId: string, report: RoleStatus__Output): Promise<void> {
    const role = roleFromProto(report.role);
    const outcome = outcomeFromProto(report.state);
    if (!role || !outcome) return;
    const applied = await this.hosts.applyRoleStatus({
      hostId,
      role,
      generation: report.generation,
      outcome,
      reason: report.reason.slice(0, 1024),
      url: report.url.slice(0, 512),
    });
    this.logger.log(`host ${hostId} role ${role} generation ${report.generation}: ${outcome}${report.reason ? ` (${report.reason})` : ''} → ${applied?.state ?? 'removed'}`);
  }
}
