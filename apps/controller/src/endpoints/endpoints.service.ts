import { Injectable } from '@nestjs/common';
import { type HostEntity, HostsRepository } from '@imagelib/store';
import { AgentSessions } from '../agents/agent-sessions.service.js';
import type { EndpointCatalogDto, EndpointDto } from './endpoint.dto.js';

/**
 * Where clients find the image service: one endpoint per image-library host, healthy while the host
 * is connected, its role active and its repository usable. A host leaves the healthy list the
 * moment it is disconnected.
 */
@Injectable()
export class EndpointsService {
  constructor(
    private readonly hosts: HostsRepository,
    private readonly sessions: AgentSessions,
  ) {}

  async catalog(): Promise<EndpointCatalogDto> {
    const hosts = await this.hosts.hostsWithRole('image-library');
    const endpoints = hosts.map((host) => this.endpoint(host)).sort((a, b) => Number(b.healthy) - Number(a.healthy) || a.hostname.localeCompare(b.hostname));
    return { catalog: [{ type: 'image', name: 'image-cluster', endpoints }] };
  }

  private endpoint(host: HostEntity): EndpointDto {
    const role = host.roles.find((r) => r.role === 'image-library');
    const repository = host.facts?.repositories.find((r) => r.path === role?.repositoryPath);
    const reason = !this.sessions.isConnected(host.id)
      ? 'host disconnected'
      : role?.state !== 'active'
        ? `image service ${role?.state ?? 'absent'}${role?.reason ? `: ${role.reason}` : ''}`
        : repository && !repository.writable
          ? `repository ${repository.path} is not writable`
          : '';
    return { url: role?.url ?? '', hostId: host.id, hostname: host.hostname, region: host.region, healthy: reason === '', reason };
  }
}
