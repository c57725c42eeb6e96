import type { ImageRecord } from '@imagelib/glance';
import type { AbortUploadRequest, AgentGatewayClient, CompleteUploadRequest, DiscoveredFile } from '@imagelib/proto';
import { type CatalogWrite, CatalogWriteStream } from './catalog-write-stream.js';
import type { LocalCatalog } from './local-catalog.js';

/**
 * Catalog writes, made on the controller (the catalog's single writer) over the agent's writes
 * stream. Its refusals come back as Glance errors; when it cannot be reached the write answers
 * 503, as the image API promises. What it answers goes into the local catalog at once.
 */
export class CatalogClient {
  private readonly writes: CatalogWriteStream;

  constructor(
    client: AgentGatewayClient,
    private readonly catalog: LocalCatalog,
  ) {
    this.writes = new CatalogWriteStream(() => client.CatalogWrites());
  }

  create(bodyJson: string, owner: string | null): Promise<ImageRecord> {
    return this.image({ createImage: { bodyJson, owner: owner ?? '' } });
  }

  patch(id: string, patchJson: string, contentType: string): Promise<ImageRecord> {
    return this.image({ patchImage: { id, patchJson, contentType } });
  }

  changeStatus(id: string, action: 'deactivate' | 'reactivate'): Promise<ImageRecord> {
    return this.image({ changeImageStatus: { id, action } });
  }

  delete(id: string): Promise<ImageRecord> {
    return this.image({ deleteImage: { id } });
  }

  beginUpload(id: string): Promise<ImageRecord> {
    return this.image({ beginUpload: { id } });
  }

  completeUpload(request: CompleteUploadRequest): Promise<ImageRecord> {
    return this.image({ completeUpload: request });
  }

  abortUpload(request: AbortUploadRequest): Promise<ImageRecord> {
    return this.image({ abortUpload: request });
  }

  /** Catalogues files found in the repository, in one write: for each, in order, its image or why it was refused. */
  async registerDiscoveredFiles(files: DiscoveredFile[]): Promise<RegisteredFile[]> {
    const answer = (await this.writes.write({ registerDiscoveredFiles: { files } })).registeredFiles?.files ?? [];
    const images = this.catalog.putAll(answer.flatMap((file) => (file.image ? [file.image] : [])));
    let next = 0;
    return answer.map((file) => (file.image ? { fileName: file.fileName, image: images[next++]! } : { fileName: file.fileName, refusal: file.refusal || 'refused' }));
  }

  /** Ends the writes stream (the agent is stopping). */
  close(): void {
    this.writes.close();
  }

  private async image(write: CatalogWrite): Promise<ImageRecord> {
    const reply = await this.writes.write(write);
    if (!reply.image) throw new Error('the controller answered a write without the image');
    return this.catalog.put(reply.image);
  }
}

/** What became of one file found in the repository. */
export type RegisteredFile = { fileName: string; image: ImageRecord; refusal?: undefined } | { fileName: string; image?: undefined; refusal: string };
