import { Injectable } from '@nestjs/common';
import { CatalogRepository, type HostEntity, HostsRepository, type ImageEntity, type ImageHostStatusEntity } from '@imagelib/store';
import { FleetPresence } from '../cluster/fleet-presence.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import type { HostImageDto, ImageDto, ImageOnHostDto } from './dto/image.dto.js';

/** The image × host matrix: what the hosts reported, with `offline` where a host cannot serve now. */
@Injectable()
export class ImagesService {
  constructor(
    private readonly catalog: CatalogRepository,
    private readonly hosts: HostsRepository,
    private readonly presence: FleetPresence,
  ) {}

  /** Live images, and deleted ones whose files some host still has to remove (status "deleted"). */
  async list(): Promise<ImageDto[]> {
    const { images, hosts, reported } = await this.matrix();
    return images.map((image) => this.toDto(image, hosts, (hostId) => reported(image.id, hostId)));
  }

  /** The catalog and the matrix counted: images by Glance status, and by their status on each image-library host. */
  async counts(): Promise<{ imagesByStatus: Map<string, number>; byHost: { host: HostEntity; counts: Map<string, number> }[] }> {
    const { images, hosts, reported } = await this.matrix();
    const imagesByStatus = countBy(images, (image) => image.status);
    const byHost = hosts.map((host) => ({ host, counts: countBy(images, (image) => this.statusOn(image, host, reported(image.id, host.id)).status) }));
    return { imagesByStatus, byHost };
  }

  async get(id: string): Promise<ImageDto> {
    const image = await this.catalog.findById(id);
    if (!image || (image.status === 'deleted' && !image.filesPending)) throw new DomainError(ErrorCode.NotFound, `image ${id} not found`);
    const [hosts, statuses] = await Promise.all([this.hosts.hostsWithRole('image-library'), this.catalog.statusesOfImage(id)]);
    const byHost = new Map(statuses.map((s) => [s.hostId, s]));
    return this.toDto(image, hosts, (hostId) => byHost.get(hostId));
  }

  async ofHost(hostId: string): Promise<HostImageDto[]> {
    const host = await this.hosts.findById(hostId);
    if (!host) throw new DomainError(ErrorCode.NotFound, `host ${hostId} not found`);
    const images = await this.catalog.liveImagesOnHost(hostId);
    return images.map((image) => ({ imageId: image.imageId, name: image.name, ...this.statusOn(image, host, image.state ? { state: image.state, reason: image.reason ?? '' } : undefined) }));
  }

  private async matrix(): Promise<{ images: ImageEntity[]; hosts: HostEntity[]; reported: (imageId: string, hostId: string) => ImageHostStatusEntity | undefined }> {
    const [live, leaving, hosts, statuses] = await Promise.all([
      this.catalog.listLive(),
      this.catalog.filesPendingDeletion(),
      this.hosts.hostsWithRole('image-library'),
      this.catalog.allStatuses(),
    ]);
    const byKey = new Map(statuses.map((s) => [`${s.imageId}/${s.hostId}`, s]));
    return { images: [...live, ...leaving], hosts, reported: (imageId, hostId) => byKey.get(`${imageId}/${hostId}`) };
  }

  private toDto(image: ImageEntity, hosts: HostEntity[], statusOf: (hostId: string) => ImageHostStatusEntity | undefined): ImageDto {
    return {
      id: image.id,
      name: image.name,
      status: image.status,
      diskFormat: image.diskFormat,
      containerFormat: image.containerFormat,
      size: image.size,
      virtualSize: image.virtualSize,
      checksum: image.checksum,
      osHashValue: image.osHashValue,
      visibility: image.visibility,
      protected: image.protected,
      fileName: image.fileName,
      createdAt: image.createdAt,
      updatedAt: image.updatedAt,
      hosts: hosts.map((host): ImageOnHostDto => ({ hostId: host.id, hostname: host.hostname, ...this.statusOn(image, host, statusOf(host.id)) })),
    };
  }

  private statusOn(image: Pick<ImageEntity, 'status'>, host: HostEntity, reported: Pick<ImageHostStatusEntity, 'state' | 'reason'> | undefined): { status: string; reason: string } {
    if (!this.presence.isConnected(host.id)) {
      const since = this.presence.liveness(host.id, host.lastHeartbeatAt).lastHeartbeatAt;
      return { status: 'offline', reason: `host disconnected${since ? ` at ${since.toISOString()}` : ''}` };
    }
    const role = host.roles.find((r) => r.role === 'image-library');
    if (!role || role.state !== 'active') return { status: 'offline', reason: `image service not running (role ${role?.state ?? 'absent'}${role?.reason ? `: ${role.reason}` : ''})` };
    if (!reported) return { status: 'missing', reason: image.status === 'deleted' ? 'deleted; its file is being removed' : 'no report from the host yet' };
    return { status: reported.state, reason: reported.reason };
  }
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const value = key(item);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}
