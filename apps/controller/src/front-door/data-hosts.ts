import { Inject, Injectable } from '@nestjs/common';
import { GlanceError } from '@imagelib/glance';
import { CatalogRepository } from '@imagelib/store';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { EndpointsService, type HealthyHost } from '../endpoints/endpoints.service.js';
import { shuffled } from '../shuffled.js';

/**
 * Which hosts the front door sends image data to and from: healthy ones (connected, role active,
 * not draining, repository usable), at random among equals.
 */
@Injectable()
export class DataHosts {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly catalog: CatalogRepository,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /** Healthy hosts where the image's data is `ok`, in random order. */
  async holding(imageId: string): Promise<HealthyHost[]> {
    const [hosts, statuses] = await Promise.all([this.endpoints.healthyHosts(), this.catalog.statusesOfImage(imageId)]);
    const ok = new Set(statuses.filter((status) => status.state === 'ok').map((status) => status.hostId));
    return shuffled(hosts.filter((host) => ok.has(host.hostId)));
  }

  /**
   * Healthy hosts with room for `size` bytes (any size when unknown), in the order to try them:
   * first those that stay above the low-space mark, then the others that still fit, each group in
   * random order. A host that has not reported its free space yet counts as tight. 503 when no host
   * is healthy, 413 when none has room.
   */
  async forUpload(size: number | null): Promise<HealthyHost[]> {
    const healthy = await this.endpoints.healthyHosts();
    if (healthy.length === 0) throw GlanceError.serviceUnavailable('No image-library host can take image data now; try again later.');
    const need = size ?? 0;
    const fits = healthy.filter((host) => host.freeBytes === null || host.freeBytes >= need);
    if (fits.length === 0) throw GlanceError.requestEntityTooLarge(`Image storage media is full: no image-library host has ${need} bytes free.`);
    const roomy = (host: HealthyHost) => host.freeBytes !== null && host.freeBytes - need >= this.config.minFreeBytes;
    return [...shuffled(fits.filter(roomy)), ...shuffled(fits.filter((host) => !roomy(host)))];
  }
}
