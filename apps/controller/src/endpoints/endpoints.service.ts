import { Inject, Injectable } from '@nestjs/common';
import { type HostEntity, HostsRepository } from '@imagelib/store';
import { FleetPresence } from '../cluster/fleet-presence.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { repositoryConditions } from '../hosts/host-conditions.js';
import type { EndpointCatalogDto, EndpointDto } from './endpoint.dto.js';

/** A host clients may be sent to now, with the free space of its repository's filesystem (null when not reported). */
export interface HealthyHost {
  hostId: string;
  hostname: string;
  url: string;
  freeBytes: number | null;
}

/**
 * Where clients find the image service: one endpoint per image-library host, healthy while the host
 * is connected, its role active and its repository has no blocking condition. A host leaves the healthy list the
 * moment it is disconnected.
 */
@Injectable()
export class EndpointsService {
  constructor(
    private readonly hosts: HostsRepository,
    private readonly presence: FleetPresence,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async catalog(): Promise<EndpointCatalogDto> {
    const hosts = await this.hosts.hostsWithRole('image-library');
    const endpoints = hosts.map((host) => this.endpoint(host, hosts)).sort((a, b) => Number(b.healthy) - Number(a.healthy) || a.hostname.localeCompare(b.hostname));
    return { catalog: [{ type: 'image', name: 'image-cluster', endpoints }] };
  }

  async healthyHosts(): Promise<HealthyHost[]> {
    const hosts = await this.hosts.hostsWithRole('image-library');
    return hosts.flatMap((host) => {
      const { healthy, hostId, hostname, url } = this.endpoint(host, hosts);
      const repositoryPath = host.roles.find((r) => r.role === 'image-library')?.repositoryPath;
      const freeBytes = host.facts?.repositories.find((r) => r.path === repositoryPath)?.freeBytes ?? null;
      return healthy && url ? [{ hostId, hostname, url, freeBytes }] : [];
    });
  }

  private endpoint(host: HostEntity, imageLibraryHosts: HostEntity[]): EndpointDto {
    const role = host.roles.find((r) => r.role === 'image-library');
    const blocking = repositoryConditions(host, imageLibraryHosts, this.config.minFreeBytes).find((condition) => condition.blocking);
    const reason = !this.presence.isConnected(host.id)
      ? 'host disconnected'
      : role?.state !== 'active'
        ? `image service ${role?.state ?? 'absent'}${role?.reason ? `: ${role.reason}` : ''}`
        : (blocking?.reason ?? '');
    return { url: role?.url ?? '', hostId: host.id, hostname: host.hostname, region: host.region, healthy: reason === '', reason };
  }
}
