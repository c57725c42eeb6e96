import { type Caller, GlanceError, ImageApi, type ImageApiBackend, type ImageRecord, sendNoContent } from '@imagelib/glance';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatalogClient } from '../catalog/catalog-client.js';
import type { LocalCatalog } from '../catalog/local-catalog.js';
import type { Logger } from '../log.js';
import type { CorruptFiles } from '../status/corrupt-files.js';
import { sendImageData } from './image-download.js';
import { type ImageUploadOptions, receiveUpload } from './image-upload.js';
import type { RequestAuth } from './request-auth.js';

export interface GlanceApiOptions {
  repositoryPath: string;
  corrupt: CorruptFiles;
  /** Why the repository cannot be used now ('' when it can): data is then neither written nor served. */
  unusable: () => string;
  catalog: LocalCatalog;
  writes: CatalogClient;
  auth: RequestAuth;
  upload: Omit<ImageUploadOptions, 'repositoryPath' | 'catalog' | 'log'>;
  log: Logger;
}

/** The Glance v2 API of this host: reads from the local catalog copy, writes through the controller, data in the repository. */
export class GlanceApi implements ImageApiBackend {
  private readonly api = new ImageApi(this);

  constructor(private readonly options: GlanceApiOptions) {}

  handle(request: IncomingMessage, response: ServerResponse, fallbackHost: string): void {
    this.api.handle(request, response, fallbackHost);
  }

  caller(request: IncomingMessage): Caller {
    return this.options.auth.caller(request);
  }

  /** The local catalog lists its images in glance's default order. */
  readonly imagesInDefaultOrder = true;

  images(): ImageRecord[] {
    return this.options.catalog.all();
  }

  image(id: string): ImageRecord | undefined {
    return this.options.catalog.get(id);
  }

  create(bodyJson: string, owner: string | null): Promise<ImageRecord> {
    return this.options.writes.create(bodyJson, owner);
  }

  patch(id: string, patchJson: string, contentType: string): Promise<ImageRecord> {
    return this.options.writes.patch(id, patchJson, contentType);
  }

  delete(id: string): Promise<ImageRecord> {
    return this.options.writes.delete(id);
  }

  changeStatus(id: string, action: 'deactivate' | 'reactivate'): Promise<ImageRecord> {
    return this.options.writes.changeStatus(id, action);
  }

  sendData(_caller: Caller, image: ImageRecord, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const problem = this.options.unusable();
    if (problem) throw GlanceError.serviceUnavailable(`The data of image ${image.id} is not available on this host (${problem}); try another host.`);
    return sendImageData(this.options.repositoryPath, this.options.corrupt, image, request, response);
  }

  async receiveData(_caller: Caller, image: ImageRecord, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const problem = this.options.unusable();
    if (problem) throw GlanceError.serviceUnavailable(`This host cannot store image data now: ${problem}.`);
    await receiveUpload({ ...this.options.upload, repositoryPath: this.options.repositoryPath, catalog: this.options.writes, log: this.options.log }, image, request);
    sendNoContent(response);
  }

  failed(error: unknown, requestId: string): void {
    this.options.log.error({ err: error, requestId }, 'image API request failed');
  }
}
