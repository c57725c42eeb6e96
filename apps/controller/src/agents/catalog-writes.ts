import { Metadata, type ServiceError } from '@grpc/grpc-js';
import type { CatalogWriteReply, CatalogWriteRequest__Output } from '@imagelib/proto';
import type { ImageEntity } from '@imagelib/store';
import type { CatalogService, DiscoveredFileOutcome } from '../catalog/catalog.service.js';
import { toCatalogImage } from '../catalog/image-mapping.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { GLANCE_STATUS_TRAILER, toGrpcError } from '../errors/grpc-status.js';

/** One catalog write from a host: the request of a unary call, or of a message on the writes stream. */
export type CatalogWrite = Omit<CatalogWriteRequest__Output, 'id'>;

/** What a write made (an image, or the outcome of each file), or why it was refused. */
export type CatalogWriteOutcome = Required<Pick<CatalogWriteReply, 'image'>> | Required<Pick<CatalogWriteReply, 'registeredFiles'>> | Required<Pick<CatalogWriteReply, 'error'>>;

/**
 * Applies the catalog writes hosts send, by kind, whether they come as unary calls or on the
 * writes stream: one place that knows which write does what, and how a refusal is told.
 */
export class CatalogWrites {
  constructor(private readonly catalog: CatalogService) {}

  async apply(hostId: string, write: CatalogWrite): Promise<CatalogWriteOutcome> {
    try {
      const result = await this.dispatch(hostId, write);
      if (!Array.isArray(result)) return { image: toCatalogImage(result) };
      return { registeredFiles: { files: result.map((outcome) => (outcome.image ? { fileName: outcome.fileName, image: toCatalogImage(outcome.image) } : outcome)) } };
    } catch (error) {
      return refusal(error);
    }
  }

  private dispatch(hostId: string, write: CatalogWrite): Promise<ImageEntity | DiscoveredFileOutcome[]> {
    switch (write.write) {
      case 'createImage':
        return this.catalog.create(write.createImage!.bodyJson, write.createImage!.owner || null);
      case 'patchImage':
        return this.catalog.patch(write.patchImage!.id, write.patchImage!.patchJson, write.patchImage!.contentType);
      case 'changeImageStatus': {
        const { id, action } = write.changeImageStatus!;
        if (action === 'deactivate') return this.catalog.deactivate(id);
        if (action === 'reactivate') return this.catalog.reactivate(id);
        throw new DomainError(ErrorCode.InvalidInput, `unknown image action ${action}`);
      }
      case 'deleteImage':
        return this.catalog.delete(write.deleteImage!.id);
      case 'beginUpload':
        return this.catalog.beginUpload(write.beginUpload!.id, hostId);
      case 'completeUpload':
        return this.catalog.completeUpload(write.completeUpload!);
      case 'abortUpload':
        return this.catalog.abortUpload(write.abortUpload!);
      case 'registerDiscoveredFiles':
        return this.catalog.registerDiscoveredFiles(write.registerDiscoveredFiles!.files, hostId);
      default:
        throw new DomainError(ErrorCode.InvalidInput, 'a catalog write names no write');
    }
  }
}

/** Why a write was refused, as the writes stream tells it: the status its unary call would have ended with. */
export function refusal(error: unknown): CatalogWriteOutcome {
  const status = toGrpcError(error);
  return { error: { code: status.code, message: status.details, glanceStatus: Number(status.metadata?.get(GLANCE_STATUS_TRAILER)[0] ?? 0) } };
}

/** A refusal as the status a unary call ends with. */
export function refusalStatus(error: NonNullable<CatalogWriteReply['error']>): Partial<ServiceError> {
  const metadata = new Metadata();
  if (error.glanceStatus) metadata.set(GLANCE_STATUS_TRAILER, String(error.glanceStatus));
  return { code: error.code ?? 0, details: error.message ?? '', metadata };
}
