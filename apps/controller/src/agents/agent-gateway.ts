import { Injectable, Logger } from '@nestjs/common';
import { type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, status } from '@grpc/grpc-js';
import type { AgentGatewayHandlers, AgentMessage__Output, CatalogWriteReply, CatalogWriteRequest__Output, Hello__Output, RegisteredFiles, ImageStatusReport__Output, RoleStatus__Output } from '@imagelib/proto';
import { GlanceError } from '@imagelib/glance';
import { CatalogRepository, type HostImageStatus, HostsRepository, type ImageHostStateName, type RoleName } from '@imagelib/store';
import { CatalogSync } from '../catalog/catalog-sync.service.js';
import { CatalogService } from '../catalog/catalog.service.js';
import { FileReaper } from '../catalog/file-reaper.service.js';
import { ReplicationPlanner } from '../catalog/replication-planner.service.js';
import { ImageTokenSigner } from '../image-tokens/image-token-signer.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { toGrpcError } from '../errors/grpc-status.js';
import { HostMessenger } from '../cluster/host-messenger.js';
import { ControllerEvents } from '../events/controller-events.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { type AgentCall, AgentSessions, endWithStatus } from './agent-sessions.service.js';
import { type CatalogWrite, CatalogWrites, refusal, refusalStatus } from './catalog-writes.js';
import { EnrolmentService } from './enrolment.service.js';
import { TrustedHosts } from './trusted-hosts.js';
import { VerifiedCertificates } from './verified-certificates.js';
import { factsFromProto } from './facts-codec.js';
import { outcomeFromProto, roleFromProto } from './role-codec.js';

type WritesCall = ServerDuplexStream<CatalogWriteRequest__Output, CatalogWriteReply>;

const IMAGE_HOST_STATES: Partial<Record<string, ImageHostStateName>> = {
  IMAGE_HOST_STATE_OK: 'ok',
  IMAGE_HOST_STATE_MISSING: 'missing',
  IMAGE_HOST_STATE_NO_ACCESS: 'no-access',
  IMAGE_HOST_STATE_CANNOT_DELETE: 'cannot-delete',
  IMAGE_HOST_STATE_CORRUPT: 'corrupt',
};

/** The AgentGateway service's handlers: enrolment, and the one long-lived stream per agent. */
@Injectable()
export class AgentGateway {
  private readonly logger = new Logger(AgentGateway.name);
  private readonly certificates: VerifiedCertificates;
  private readonly writes: CatalogWrites;
  private readonly writeStreams = new Set<WritesCall>();
  /** Host id → the statuses of the parts of a complete report received so far (a stream starts anew with its hello). */
  private readonly completeReportParts = new Map<string, HostImageStatus[]>();

  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly sessions: AgentSessions,
    private readonly hosts: HostsRepository,
    ca: CertificateAuthority,
    catalogService: CatalogService,
    private readonly catalog: CatalogRepository,
    private readonly catalogSync: CatalogSync,
    private readonly reaper: FileReaper,
    private readonly replication: ReplicationPlanner,
    private readonly imageTokens: ImageTokenSigner,
    private readonly events: ControllerEvents,
    private readonly messenger: HostMessenger,
    private readonly trustedHosts: TrustedHosts,
  ) {
    this.certificates = new VerifiedCertificates((der, now) => ca.verifyHostCertificate(der, now));
    this.writes = new CatalogWrites(catalogService);
    sessions.onDisconnect((hostId) => this.completeReportParts.delete(hostId));
  }

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
      CreateImage: (call, callback) => this.unaryWrite(call, callback, { write: 'createImage', createImage: call.request }),
      PatchImage: (call, callback) => this.unaryWrite(call, callback, { write: 'patchImage', patchImage: call.request }),
      ChangeImageStatus: (call, callback) => this.unaryWrite(call, callback, { write: 'changeImageStatus', changeImageStatus: call.request }),
      DeleteImage: (call, callback) => this.unaryWrite(call, callback, { write: 'deleteImage', deleteImage: call.request }),
      BeginUpload: (call, callback) => this.unaryWrite(call, callback, { write: 'beginUpload', beginUpload: call.request }),
      CompleteUpload: (call, callback) => this.unaryWrite(call, callback, { write: 'completeUpload', completeUpload: call.request }),
      AbortUpload: (call, callback) => this.unaryWrite(call, callback, { write: 'abortUpload', abortUpload: call.request }),
      RegisterDiscoveredFile: (call, callback) =>
        this.unaryWrite<RegisteredFiles>(call, (error, registered) => {
          const [file] = registered?.files ?? [];
          if (error || file?.image) return callback(error, file?.image ?? undefined);
          callback(toGrpcError(GlanceError.badRequest(file?.refusal || 'invalid file name')));
        }, { write: 'registerDiscoveredFiles', registerDiscoveredFiles: { files: [call.request] } }),
      RegisterDiscoveredFiles: (call, callback) => this.unaryWrite(call, callback, { write: 'registerDiscoveredFiles', registerDiscoveredFiles: call.request }),
      CatalogWrites: (call) => {
        this.acceptWrites(call).catch((error: unknown) => {
          const grpcError = toGrpcError(error);
          this.logger.warn(`refused a writes stream from ${call.getPeer()}: ${grpcError.details}`);
          call.emit('error', grpcError);
        });
      },
    };
  }

  /** Ends the writes streams (the controller is stopping): the agents' writes in flight answer 503. */
  endWriteStreams(): void {
    for (const call of this.writeStreams) endWithStatus(call, status.UNAVAILABLE, 'controller shutting down');
    this.writeStreams.clear();
  }

  /** A catalog write from a host as a unary call: authenticated by its credential like the stream, answered with its outcome. */
  private unaryWrite<Response>(call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>, callback: sendUnaryData<Response>, write: CatalogWrite): void {
    this.authenticate(call)
      .then((hostId) => this.writes.apply(hostId, write))
      .then(
        (outcome) => ('error' in outcome ? callback(refusalStatus(outcome.error!)) : callback(null, ('image' in outcome ? outcome.image : outcome.registeredFiles) as Response)),
        (error: unknown) => callback(toGrpcError(error)),
      );
  }

  /**
   * The writes stream of a host: each request is applied as it comes (concurrently, like unary
   * calls) and answered with its id. The credential is checked when the stream opens and again for
   * every request, so a revoked host's writes are refused at once.
   */
  private async acceptWrites(call: WritesCall): Promise<void> {
    const fingerprint = this.certificates.fingerprint(call.getAuthContext().sslPeerCertificate?.raw, new Date());
    await this.trustedHost(fingerprint);
    this.writeStreams.add(call);
    const forget = () => this.writeStreams.delete(call);
    call.on('data', (request: CatalogWriteRequest__Output) => {
      void this.trustedHost(fingerprint)
        .then((hostId) => this.writes.apply(hostId, request), refusal)
        .then((outcome) => {
          if (!call.cancelled && !call.destroyed) call.write({ id: request.id, ...outcome });
        });
    });
    call.on('end', () => {
      forget();
      call.end();
    });
    call.on('error', forget);
    call.on('cancelled', forget);
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
      applying = applying.then(() => this.apply(hostId, message)).then(() => this.events.agentMessageApplied(message.body)).catch((error: unknown) => {
        this.logger.warn(`host ${hostId}: could not apply ${message.body ?? 'an empty message'}: ${String(error)}`);
      });
    });
    call.on('end', () => {
      this.sessions.closed(hostId, call, 'the stream ended (closed by the agent or its connection dropped)');
      call.end();
    });
    call.on('error', (error: Error) => this.sessions.closed(hostId, call, `stream error: ${error.message}`));
    call.on('cancelled', () => this.sessions.closed(hostId, call, 'the stream was cancelled'));
    call.write({ welcome: { hostId, heartbeatIntervalMs: this.sessions.heartbeatIntervalMs, imageTokenPublicKeyPem: this.imageTokens.publicKeyPem } });
  }

  /** Async, so that a missing or bad certificate rejects (→ UNAUTHENTICATED) rather than throwing out of a handler (→ UNKNOWN). */
  private async authenticate(call: Pick<AgentCall, 'getAuthContext'>): Promise<string> {
    return this.trustedHost(this.certificates.fingerprint(call.getAuthContext().sslPeerCertificate?.raw, new Date()));
  }

  private async trustedHost(fingerprint: string): Promise<string> {
    const hostId = await this.trustedHosts.hostOf(fingerprint);
    if (!hostId) throw new DomainError(ErrorCode.Unauthenticated, 'the host credential has been revoked or is unknown');
    return hostId;
  }

  private async apply(hostId: string, message: AgentMessage__Output): Promise<void> {
    switch (message.body) {
      case 'hello':
        return this.applyHello(hostId, message.hello as Hello__Output);
      case 'facts':
        return this.hosts.saveFacts(hostId, factsFromProto(message.facts!));
      case 'roleStatus':
        await this.applyRoleStatus(hostId, message.roleStatus as RoleStatus__Output);
        return this.reaper.poke();
      case 'imageStatus':
        await this.applyImageStatus(hostId, message.imageStatus as ImageStatusReport__Output);
        return this.replication.poke();
      case 'replication':
        return this.replication.result(hostId, message.replication!);
      case 'catalogAck':
        this.sessions.recordCatalogAck(hostId, message.catalogAck!.revision);
        return this.reaper.poke();
      case 'fileDeletion':
        return this.reaper.result(hostId, message.fileDeletion!);
      default:
        return;
    }
  }

  private async applyHello(hostId: string, hello: Hello__Output): Promise<void> {
    this.completeReportParts.delete(hostId);
    if (hello.facts) await this.hosts.saveFacts(hostId, factsFromProto(hello.facts), hello.agentVersion.slice(0, 64));
    const running = new Set<RoleName | null>();
    for (const report of hello.roles) {
      running.add(roleFromProto(report.role));
      await this.applyRoleStatus(hostId, report);
    }
    // A role being removed that the agent no longer runs is gone.
    const host = await this.hosts.findById(hostId);
    for (const role of host?.roles ?? []) {
      if (role.state === 'removing' && !running.has(role.role)) {
        await this.hosts.applyRoleStatus({ hostId, role: role.role, generation: role.generation, outcome: 'stopped', reason: '', url: '', storageId: '' });
      }
    }
    await this.messenger.pushDesiredState(hostId);
    await this.catalogSync.helloFrom(hostId, hello.catalogRevision);
  }

  /** Records a host's image statuses; the parts of a complete report are gathered and recorded together with its last. */
  private async applyImageStatus(hostId: string, report: ImageStatusReport__Output): Promise<void> {
    const statuses = report.statuses.flatMap((status) => {
      const state = IMAGE_HOST_STATES[status.state];
      return state ? [{ imageId: status.imageId, state, reason: status.reason.slice(0, 1024) }] : [];
    });
    if (!report.complete) return this.catalog.recordHostStatuses(hostId, statuses, false, new Date().toISOString());
    const gathered = [...(this.completeReportParts.get(hostId) ?? []), ...statuses];
    if (report.more) {
      this.completeReportParts.set(hostId, gathered);
      return;
    }
    this.completeReportParts.delete(hostId);
    await this.catalog.recordHostStatuses(hostId, gathered, true, new Date().toISOString());
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
      storageId: report.storageId.slice(0, 64),
    });
    this.logger.log(`host ${hostId} role ${role} generation ${report.generation}: ${outcome}${report.reason ? ` (${report.reason})` : ''} → ${applied?.state ?? 'removed'}`);
  }
}
