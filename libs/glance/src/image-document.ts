import { setOwnProperty } from './py-format.js';
import type { ContainerFormat, DiskFormat, ImageRecord, ImageStatus, Visibility } from './image-record.js';

/** The Glance v2 image document (GET /v2/images/{id}), with custom properties as extra top-level strings. */
export interface ImageDocument {
  name: string | null;
  disk_format: DiskFormat | null;
  container_format: ContainerFormat | null;
  visibility: Visibility;
  size: number | null;
  virtual_size: number | null;
  status: ImageStatus;
  checksum: string | null;
  protected: boolean;
  min_ram: number;
  min_disk: number;
  owner: string | null;
  os_hidden: boolean;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  id: string;
  created_at: string;
  updated_at: string;
  tags: string[];
  self: string;
  file: string;
  schema: string;
  [customProperty: string]: string | number | boolean | null | string[];
}

/** Keys of the document that are not custom properties (a custom property never shadows one). */
export const IMAGE_DOCUMENT_KEYS: readonly string[] = Object.freeze([
  'name',
  'disk_format',
  'container_format',
  'visibility',
  'size',
  'virtual_size',
  'status',
  'checksum',
  'protected',
  'min_ram',
  'min_disk',
  'owner',
  'os_hidden',
  'os_hash_algo',
  'os_hash_value',
  'id',
  'created_at',
  'updated_at',
  'tags',
  'self',
  'file',
  'schema',
]);

/** Properties glance never shows (its `_hidden_properties`), and `stores` which this service never serves. */
const HIDDEN_PROPERTIES = new Set(['os_glance_stage_host', 'stores', 'locations', 'direct_url']);

/** Timestamps already formatted: listings format the same ones again and again. Emptied when full. */
const isoTimes = new Map<string, string>();
const ISO_TIMES_KEPT = 100_000;

/** glance.common.timeutils.isotime: `2026-11-22T01:21:29Z` (UTC, truncated to the second). */
export function glanceIsoTime(timestamp: string): string {
  const known = isoTimes.get(timestamp);
  if (known !== undefined) return known;
  const milliseconds = Date.parse(timestamp);
  if (Number.isNaN(milliseconds)) throw new RangeError(`not a timestamp: ${timestamp}`);
  const formatted = `${new Date(milliseconds).toISOString().slice(0, 19)}Z`;
  if (isoTimes.size >= ISO_TIMES_KEPT) isoTimes.clear();
  isoTimes.set(timestamp, formatted);
  return formatted;
}

/**
 * The image as glance serializes it: custom properties first, then the attributes in glance's order
 * (`name` ... `updated_at`), `tags`, and the `self`, `file`, `schema` links. Never `locations`,
 * `direct_url` or `stores` (glance's defaults), never internal fields such as the file name.
 */
export function toImageDocument(record: ImageRecord): ImageDocument {
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(record.properties)) {
    if (!HIDDEN_PROPERTIES.has(key) && !IMAGE_DOCUMENT_KEYS.includes(key)) setOwnProperty(custom, key, value);
  }
  return {
    ...custom,
    name: record.name,
    disk_format: record.diskFormat,
    container_format: record.containerFormat,
    visibility: record.visibility,
    size: record.size,
    virtual_size: record.virtualSize,
    status: record.status,
    checksum: record.checksum,
    protected: record.protected,
    min_ram: record.minRam,
    min_disk: record.minDisk,
    owner: record.owner,
    os_hidden: record.osHidden,
    os_hash_algo: record.osHashAlgo,
    os_hash_value: record.osHashValue,
    id: record.id,
    created_at: glanceIsoTime(record.createdAt),
    updated_at: glanceIsoTime(record.updatedAt),
    tags: [...record.tags],
    self: `/v2/images/${record.id}`,
    file: `/v2/images/${record.id}/file`,
    schema: '/v2/schemas/image',
  };
}
