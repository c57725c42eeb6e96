import { Inject, Injectable, Logger } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { CatalogRepository, type HostEntity, type HostRoleEntity, HostsRepository } from '@imagelib/store';
import { FleetPresence } from '../cluster/fleet-presence.js';
import { HostMessenger } from '../cluster/host-messenger.js';
import { TrustedHosts } from '../agents/trusted-hosts.js';
import { StorageGroups } from '../catalog/storage-groups.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { ControllerEvents } from '../events/controller-events.js';
import { type AssignImageLibraryRoleDto, DEFAULT_IMAGE_SERVICE_PORT, DEFAULT_REPOSITORY_PATH } from './dto/assign-image-library-role.dto.js';
import type { HostDto, RoleDto } from './dto/host.dto.js';
import { repositoryConditions, storageConditions } from './host-conditions.js';

@Injectable()
export class HostsService {
  private readonly logger = new Logger(HostsService.name);

  constructor(
    private readonly hosts: HostsRepository,
    private readonly presence: FleetPresence,
    private readonly messenger: HostMessenger,
    private readonly trustedHosts: TrustedHosts,
    private readonly catalog: CatalogRepository,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    private readonly events: ControllerEvents,
  ) {}

  async list(): Promise<HostDto[]> {
    const [hosts, imageLibraryHosts] = await Promise.all([this.hosts.list(), this.hosts.hostsWithRole('image-library')]);
    const storages = StorageGroups.of(imageLibraryHosts);
    return hosts.map((host) => this.toDto(host, imageLibraryHosts, storages));
  }

  async get(id: string): Promise<HostDto> {
    const [host, imageLibraryHosts] = await Promise.all([this.require(id), this.hosts.hostsWithRole('image-library')]);
    return this.toDto(host, imageLibraryHosts, StorageGroups.of(imageLibraryHosts));
  }

  /** Forgets the host, revokes its credential and ends its stream; its agent must enrol again. */
  async remove(id: string): Promise<void> {
    if (!(await this.hosts.remove(id, new Date()))) throw notFound(id);
    this.trustedHosts.forget(id);
    this.messenger.disconnect(id, status.UNAUTHENTICATED, 'the host was removed and its credential revoked');
    this.logger.log(`removed host ${id} and revoked its credentials`);
    this.events.publish('host-removed');
  }

  async assignImageLibraryRole(id: string, body: AssignImageLibraryRoleDto): Promise<RoleDto> {
    const host = await this.require(id);
    const elsewhere = (await this.hosts.hostsWithRole('image-library')).filter((other) => other.id !== id && other.region !== host.region);
    if (elsewhere.length > 0) {
      const names = elsewhere.map((other) => `${other.hostname} (${other.region})`).join(', ');
      throw new DomainError(
        ErrorCode.Conflict,
        `host ${host.hostname} is in region ${host.region}, but the image library of this controller is in another region: ${names}; one image library per region`,
      );
    }
    const role = await this.hosts.assignRole(id, 'image-library', {
      repositoryPath: body.repositoryPath ?? DEFAULT_REPOSITORY_PATH,
      port: body.port ?? DEFAULT_IMAGE_SERVICE_PORT,
      requireMount: body.requireMount ?? false,
    });
    this.events.publish('roles');
    await this.messenger.pushDesiredState(id);
    return toRoleDto(role);
  }

  /**
   * Takes the host out of the endpoint list at once and has its agent stop the image service after
   * the requests in flight (bounded). Refused, unless forced, while the host's storage holds the
   * only good copy of an image; the message names those images.
   */
  async removeImageLibraryRole(id: string, force: boolean): Promise<RoleDto> {
    const host = await this.require(id);
    if (!force) {
      const only = await this.onlyGoodCopies(host);
      if (only.length > 0) {
        const named = only.slice(0, 20).map((image) => `${image.name ?? '(no name)'} (${image.id})`).join(', ');
        throw new DomainError(
          ErrorCode.Conflict,
          `host ${host.hostname} holds the only good copy of ${only.length} image(s): ${named}; wait until they are copied elsewhere, or force it`,
        );
      }
    }
    const role = await this.hosts.markRoleRemoving(id, 'image-library');
    if (!role) throw new DomainError(ErrorCode.NotFound, `host ${id} does not have the image-library role`);
    this.events.publish('roles');
    await this.messenger.pushDesiredState(id);
    return toRoleDto(role);
  }

  /**
   * Images with data that no other image-library host (not being drained) is known to hold `ok`,
   * when no other host shares this host's storage. Conservative: an image whose statuses are not reported yet counts as at risk.
   */
  private async onlyGoodCopies(host: HostEntity): Promise<{ id: string; name: string | null }[]> {
    const hosts = await this.hosts.hostsWithRole('image-library');
    if (StorageGroups.of(hosts).sharing(host.id).length > 0) return [];
    // Only hosts that keep serving count: a host whose role is gone or going may still have reported `ok`.
    const serving = new Set(hosts.filter((h) => h.id !== host.id).map((h) => h.id));
    const elsewhere = new Set<string>();
    for (const status of await this.catalog.allStatuses()) {
      if (status.state === 'ok' && serving.has(status.hostId)) elsewhere.add(status.imageId);
    }
    return (await this.catalog.listLive()).filter((image) => image.fileName !== null && !elsewhere.has(image.id));
  }

  private async require(id: string): Promise<HostEntity> {
    const host = await this.hosts.findById(id);
    if (!host) throw notFound(id);
    return host;
  }

  private toDto(host: HostEntity, imageLibraryHosts: HostEntity[], storages: StorageGroups): HostDto {
    const liveness = this.presence.liveness(host.id, host.lastHeartbeatAt);
    const facts = host.facts;
    return {
      id: host.id,
      hostname: host.hostname,
      region: host.region,
      addresses: facts?.addresses ?? [],
      agentVersion: host.agentVersion,
      connected: liveness.connected,
      lastHeartbeatAt: liveness.lastHeartbeatAt?.toISOString() ?? null,
      facts: facts ? { os: facts.os, cpu: facts.cpu, memory: facts.memory } : null,
      repositories: (facts?.repositories ?? []).map((repository) => ({ storagePeers: [], storageProbeSettled: false, ...repository })),
      roles: host.roles.map(toRoleDto),
      conditions: [...repositoryConditions(host, imageLibraryHosts, this.config.minFreeBytes), ...storageConditions(host, storages)],
      sharesStorageWith: storages.sharing(host.id).map((other) => other.id),
      createdAt: host.createdAt.toISOString(),
    };
  }
}

function toRoleDto(role: HostRoleEntity): RoleDto {
  return {
    role: role.role,
    state: role.state,
    reason: role.reason,
    repositoryPath: role.repositoryPath,
    port: role.port,
    requireMount: role.requireMount,
    url: role.url,
    generation: role.generation,
    updatedAt: role.updatedAt.toISOString(),
  };
}

function notFound(id: string): DomainError {
  return new DomainError(ErrorCode.NotFound, `host ${id} not found`);
}
