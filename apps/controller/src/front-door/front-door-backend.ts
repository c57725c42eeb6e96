import { Injectable, Logger } from '@nestjs/common';
import { type Caller, GlanceError, type ImageApiBackend, type ImageRecord, verifiedCaller } from '@imagelib/glance';
import { CatalogRepository } from '@imagelib/store';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CatalogService } from '../catalog/catalog.service.js';
import { toRecord } from '../catalog/image-mapping.js';
import { ImageTokenSigner } from '../image-tokens/image-token-signer.js';
import { DataHosts } from './data-hosts.js';
import { UploadRelay } from './upload-relay.js';

/**
 * The front door's image API: metadata from the controller's catalog (so the answers are the
 * hosts' answers), writes through the CatalogService, data on the hosts — downloads are redirected
 * to a host that has the image `ok`, uploads stream through to one.
 */
@Injectable()
export class FrontDoorBackend implements ImageApiBackend {
  private readonly logger = new Logger(FrontDoorBackend.name);
  private publicKey: KeyObject | null = null;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly writes: CatalogService,
    private readonly signer: ImageTokenSigner,
    private readonly dataHosts: DataHosts,
    private readonly uploads: UploadRelay,
  ) {}

  /** X-Auth-Token checked as every host checks it: signed by this controller and not expired. */
  caller(request: IncomingMessage): Caller {
    this.publicKey ??= createPublicKey(this.signer.publicKeyPem);
    return verifiedCaller(request, this.publicKey);
  }


  async images(): Promise<ImageRecord[]> {
    return (await this.catalog.listLive()).map(toRecord);
  }

  async image(id: string): Promise<ImageRecord | undefined> {
    const image = await this.catalog.findById(id);
    return image && image.status !== 'deleted' ? toRecord(image) : undefined;
  }

  async create(bodyJson: string, owner: string | null): Promise<ImageRecord> {
    return toRecord(await this.writes.create(bodyJson, owner));
  }

  async patch(id: string, patchJson: string, contentType: string): Promise<ImageRecord> {
    return toRecord(await this.writes.patch(id, patchJson, contentType));
  }

  delete(id: string): Promise<unknown> {
    return this.writes.delete(id);
  }

  changeStatus(id: string, action: 'deactivate' | 'reactivate'): Promise<unknown> {
    return action === 'deactivate' ? this.writes.deactivate(id) : this.writes.reactivate(id);
  }

  /**
   * 307 to a healthy host where the image is `ok`, picked at random. Clients follow it with the
   * same method and headers: python-requests and keystoneauth keep X-Auth-Token (they drop only
   * Authorization across hosts), and every host verifies the same tokens. 503 when no host can
   * serve the data now, so that Nova tries again.
   */
  async sendData(_caller: Caller, image: ImageRecord, _request: IncomingMessage, response: ServerResponse): Promise<void> {
    const [host] = await this.dataHosts.holding(image.id);
    if (!host) throw GlanceError.serviceUnavailable(`No image-library host can serve the data of image ${image.id} now; try again later.`);
    response.writeHead(307, { Location: `${host.url.replace(/\/+$/, '')}/v2/images/${image.id}/file`, 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': 0 });
    response.end();
  }

  receiveData(_caller: Caller, image: ImageRecord, request: IncomingMessage, response: ServerResponse): Promise<void> {
    return this.uploads.relay(image, request, response);
  }

  failed(error: unknown, requestId: string): void {
    this.logger.error(`front door request ${requestId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
