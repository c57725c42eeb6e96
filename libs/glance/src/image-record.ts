/** Glance image statuses (the schema's enum). */
export const IMAGE_STATUSES = ['queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export const VISIBILITIES = ['community', 'public', 'private', 'shared'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;
export type ContainerFormat = (typeof CONTAINER_FORMATS)[number];

/**
 * One image of the catalog, as the controller stores it and every host serves it. Field names are
 * camelCase here; `toImageDocument` renders Glance's snake_case document.
 */
export interface ImageRecord {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: Visibility;
  protected: boolean;
  osHidden: boolean;
  diskFormat: DiskFormat | null;
  containerFormat: ContainerFormat | null;
  /** Bytes of data; null until uploaded. */
  size: number | null;
  virtualSize: number | null;
  /** MD5 hex of the data. */
  checksum: string | null;
  osHashAlgo: string | null;
  osHashValue: string | null;
  minRam: number;
  minDisk: number;
  owner: string | null;
  tags: string[];
  /** Custom (non-base) properties: string values only, as Glance's schema demands. */
  properties: Record<string, string>;
  /** ISO 8601 with milliseconds; rendered to the second with Z. */
  createdAt: string;
  updatedAt: string;
  /** Name of the data file in the repository directory (no slashes); null before any data. */
  fileName: string | null;
}

/** The fields a client may set on create or change with PATCH (everything else is read-only). */
export type MutableImageFields = Pick<
  ImageRecord,
  'name' | 'visibility' | 'protected' | 'osHidden' | 'diskFormat' | 'containerFormat' | 'minRam' | 'minDisk' | 'owner' | 'tags' | 'properties'
>;
