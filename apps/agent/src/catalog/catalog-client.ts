import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { GlanceError, type ImageRecord } from '@imagelib/glance';
import type { AbortUploadRequest, AgentGatewayClient, CatalogImage__Output, CompleteUploadRequest, DiscoveredFile, RegisteredFiles__Output } from '@imagelib/proto';
import type { LocalCatalog } from './local-catalog.js';

const DEADLINE_MS = 10_000;
const GLANCE_STATUS_TRAILER = 'glance-status';

type Unary<Request, Response> = (request: Request, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response?: Response) => void) => unknown;

/**
 * Catalog writes, made on the controller (the catalog's single writer). Its refusals come back as
 * Glance errors; when it cannot be reached the write answers 503, as the image API promises.
 */
export class CatalogClient {
  constructor(
    private readonly client: AgentGatewayClient,
    private readonly catalog: LocalCatalog,
  ) {}

  create(bodyJson: string, owner: string | null): Promise<ImageRecord> {
    return this.call(this.client.CreateImage.bind(this.client) as Unary<object, CatalogImage__Output>, { bodyJson, owner: owner ?? '' });
  }

  patch(id: string, patchJson: string, contentType: string): Promise<ImageRecord> {
    return this.call(this.client.PatchImage.bind(this.client) as Unary<object, CatalogImage__Output>, { id, patchJson, contentType });
  }

  changeStatus(id: string, action: 'deactivate' | 'reactivate'): Promise<ImageRecord> {
    return this.call(this.client.ChangeImageStatus.bind(this.client) as Unary<object, CatalogImage__Output>, { id, action });
  }

  delete(id: string): Promise<ImageRecord> {
    return this.call(this.client.DeleteImage.bind(this.client) as Unary<object, CatalogImage__Output>, { id });
  }

  beginUpload(id: string): Promise<ImageRecord> {
    return this.call(this.client.BeginUpload.bind(this.client) as Unary<object, CatalogImage__Output>, { id });
  }

  completeUpload(request: CompleteUploadRequest): Promise<ImageRecord> {
    return this.call(this.client.CompleteUpload.bind(this.client) as Unary<object, CatalogImage__Output>, request);
  }

  abortUpload(request: AbortUploadRequest): Promise<ImageRecord> {
    return this.call(this.client.AbortUpload.bind(this.client) as Unary<object, CatalogImage__Output>, request);
  }

  /** Catalogues files found in the repository, in one call: for each, in order, its image or why it was refused. */
  async registerDiscoveredFiles(files: DiscoveredFile[]): Promise<RegisteredFile[]> {
    const answer = await unary<RegisteredFiles__Output>(this.client.RegisterDiscoveredFiles.bind(this.client) as Unary<object, RegisteredFiles__Output>, { files });
    const images = this.catalog.putAll(answer.files.flatMap((file) => (file.image ? [file.image] : [])));
    let next = 0;
    return answer.files.map((file) => (file.image ? { fileName: file.fileName, image: images[next++]! } : { fileName: file.fileName, refusal: file.refusal || 'refused' }));
  }

  private async call(method: Unary<object, CatalogImage__Output>, request: object): Promise<ImageRecord> {
    return this.catalog.put(await unary(method, request));
  }
}

/** What became of one file found in the repository. */
export type RegisteredFile = { fileName: string; image: ImageRecord; refusal?: undefined } | { fileName: string; image?: undefined; refusal: string };

function unary<Response>(method: Unary<object, Response>, request: object): Promise<Response> {
  return new Promise((resolve, reject) => {
    method(request, new Metadata(), { deadline: Date.now() + DEADLINE_MS }, (error, response) => {
      if (error || !response) reject(toGlanceError(error));
      else resolve(response);
    });
  });
}

function toGlanceError(error: ServiceError | null): GlanceError {
  if (error?.code === status.FAILED_PRECONDITION) {
    const httpStatus = Number(error.metadata?.get(GLANCE_STATUS_TRAILER)[0] ?? 400);
    return new GlanceError(httpStatus, error.details);
  }
  return new GlanceError(503, `The image catalog is unreachable (${error?.details ?? 'no answer'}); try again later or another host.`);
}
