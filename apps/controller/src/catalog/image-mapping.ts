import type { CatalogImage } from '@imagelib/proto';
import type { ImageEntity } from '@imagelib/store';
import type { ContainerFormat, DiskFormat, ImageRecord, ImageStatus, MutableImageFields, Visibility } from '@imagelib/glance';

/** The store's row as the Glance record the API rules work on. */
export function toRecord(image: ImageEntity): ImageRecord {
  return {
    id: image.id,
    name: image.name,
    status: image.status as ImageStatus,
    visibility: image.visibility as Visibility,
    protected: image.protected,
    osHidden: image.osHidden,
    diskFormat: image.diskFormat as DiskFormat | null,
    containerFormat: image.containerFormat as ContainerFormat | null,
    size: image.size,
    virtualSize: image.virtualSize,
    checksum: image.checksum,
    osHashAlgo: image.osHashAlgo,
    osHashValue: image.osHashValue,
    minRam: image.minRam,
    minDisk: image.minDisk,
    owner: image.owner,
    tags: image.tags,
    properties: image.properties,
    createdAt: image.createdAt,
    updatedAt: image.updatedAt,
    fileName: image.fileName,
  };
}

/** A row with the client-settable fields replaced. */
export function withFields(image: ImageEntity, fields: MutableImageFields, now: string): ImageEntity {
  return { ...image, ...fields, tags: [...fields.tags], properties: { ...fields.properties }, updatedAt: now };
}

/** The row as the contract carries it to the hosts (absent optional fields are Glance's nulls). */
export function toCatalogImage(image: ImageEntity): CatalogImage {
  return {
    id: image.id,
    name: image.name ?? undefined,
    status: image.status,
    visibility: image.visibility,
    protected: image.protected,
    osHidden: image.osHidden,
    diskFormat: image.diskFormat ?? undefined,
    containerFormat: image.containerFormat ?? undefined,
    size: image.size ?? undefined,
    virtualSize: image.virtualSize ?? undefined,
    checksum: image.checksum ?? undefined,
    osHashAlgo: image.osHashAlgo ?? undefined,
    osHashValue: image.osHashValue ?? undefined,
    minRam: image.minRam,
    minDisk: image.minDisk,
    owner: image.owner ?? undefined,
    tags: image.tags,
    properties: image.properties,
    createdAt: image.createdAt,
    updatedAt: image.updatedAt,
    fileName: image.fileName ?? undefined,
    revision: image.revision,
  };
}
