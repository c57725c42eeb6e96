import { GlanceError } from './glance-error.js';
import type { ContainerFormat, DiskFormat, MutableImageFields, Visibility } from './image-record.js';
import {
  enforceDbInts,
  enforceNonNegative,
  enforcePropertyValueLength,
  enforceTagQuota,
  IMAGE_PROPERTY_QUOTA,
  isReservedPropertyName,
  MAX_PROPERTY_NAME_LENGTH,
  propertyQuotaError,
  uniqueTags,
} from './image-rules.js';
import { schemaValidationMessage } from './json-schema.js';
import { isJsonObject, pyLen, pyRepr, setOwnProperty } from './py-format.js';
import { IMAGE_SCHEMA } from './schemas.js';

export interface CreateImageRequest {
  /** The id the client asked for (a UUID), else absent and the service picks one. */
  id?: string;
  fields: MutableImageFields;
}

export interface CreateImageOptions {
  /** The requester's project, used as owner unless the body names one (null without auth). */
  owner: string | null;
}

/** Refused before schema validation (RequestDeserializer._disallowed_properties). */
const DISALLOWED = ['direct_url', 'self', 'file', 'schema', 'stores'] as const;
/** Attributes the deserializer takes out of the body as image attributes (the rest are custom). */
const BASE_KEYS = new Set([
  'checksum',
  'created_at',
  'container_format',
  'disk_format',
  'id',
  'min_disk',
  'min_ram',
  'name',
  'size',
  'virtual_size',
  'status',
  'owner',
  'updated_at',
  'visibility',
  'protected',
  'os_hidden',
  'os_hash_algo',
  'os_hash_value',
]);
/** ImageFactory._readonly_properties, in glance's order. */
const READ_ONLY = ['created_at', 'updated_at', 'status', 'checksum', 'os_hash_algo', 'os_hash_value', 'size', 'virtual_size'] as const;
/** Schema properties whose null value glance stores as a null custom property; they are left unset here. */
const NULLABLE_CUSTOM = new Set(['kernel_id', 'ramdisk_id']);

/**
 * POST /v2/images: validates the body in glance's order and returns the fields of the new image.
 *
 * 1. `direct_url`, `self`, `file`, `schema`, `stores` → 403 `Attribute 'X' is read-only.`
 * 2. the image schema → 400 `Provided object does not match schema 'image': ...`
 * 3. custom names: longer than 255 → 400, `location`/`deleted`/`deleted_at`/`os_glance*` → 403 reserved
 * 4. more than 128 tags → 413
 * 5. `created_at`, `updated_at`, `status`, `checksum`, `os_hash_*`, `size`, `virtual_size` → 403 read-only
 * 6. `locations` → 403 `Attribute 'locations' is reserved.`
 * 7. negative min_disk / min_ram → 400; more than 128 custom properties → 413; above 2^31-1 → 400
 */
export function parseCreateImage(body: unknown, options: CreateImageOptions): CreateImageRequest {
  if (!isJsonObject(body)) {
    throw GlanceError.badRequest(`Provided object does not match schema 'image': ${pyRepr(body)} is not of type 'object'`);
  }
  for (const key of DISALLOWED) if (Object.hasOwn(body, key)) throw GlanceError.readOnlyAttribute(key);

  const invalid = schemaValidationMessage(body, IMAGE_SCHEMA);
  if (invalid !== null) throw GlanceError.badRequest(invalid);

  const extras: Array<[string, unknown]> = Object.entries(body).filter(([key]) => key !== 'tags' && !BASE_KEYS.has(key));
  for (const [key] of extras) {
    if (pyLen(key) > MAX_PROPERTY_NAME_LENGTH) throw GlanceError.badRequest('Custom property should not be greater than 255 characters.');
    if (isReservedPropertyName(key)) throw GlanceError.forbidden(`Attribute '${key}' is reserved.`);
  }

  const tags = (body['tags'] ?? []) as string[];
  enforceTagQuota(tags);

  for (const key of READ_ONLY) if (Object.hasOwn(body, key)) throw GlanceError.readOnlyAttribute(key);
  if (Object.hasOwn(body, 'locations')) throw GlanceError.reservedAttribute('locations');

  const minDisk = (body['min_disk'] ?? 0) as number;
  const minRam = (body['min_ram'] ?? 0) as number;
  enforceNonNegative('min_disk', minDisk);
  enforceNonNegative('min_ram', minRam);

  if (extras.length > IMAGE_PROPERTY_QUOTA) throw propertyQuotaError(extras.length);
  enforceDbInts(minDisk, minRam);

  const properties: Record<string, string> = {};
  for (const [key, value] of extras) {
    if (value === null && NULLABLE_CUSTOM.has(key)) continue;
    enforcePropertyValueLength(value as string);
    setOwnProperty(properties, key, value as string);
  }

  const fields: MutableImageFields = {
    name: (body['name'] ?? null) as string | null,
    visibility: (body['visibility'] ?? 'shared') as Visibility,
    protected: (body['protected'] ?? false) as boolean,
    osHidden: (body['os_hidden'] ?? false) as boolean,
    diskFormat: (body['disk_format'] ?? null) as DiskFormat | null,
    containerFormat: (body['container_format'] ?? null) as ContainerFormat | null,
    minRam,
    minDisk,
    owner: Object.hasOwn(body, 'owner') ? (body['owner'] as string | null) : options.owner,
    tags: uniqueTags(tags),
    properties,
  };
  return typeof body['id'] === 'string' ? { id: body['id'], fields } : { fields };
}
