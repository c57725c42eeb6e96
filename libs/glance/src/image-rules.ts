import { GlanceError } from './glance-error.js';
import { pyLen, pyNumberRepr } from './py-format.js';

/** glance's `image_property_quota` default: custom properties per image. */
export const IMAGE_PROPERTY_QUOTA = 128;
/** glance's `image_tag_quota` default: tags per image. */
export const IMAGE_TAG_QUOTA = 128;
/** Longest custom property name glance accepts. */
export const MAX_PROPERTY_NAME_LENGTH = 255;
/** Longest custom property value this service accepts (glance's TEXT column on MySQL). */
export const MAX_PROPERTY_VALUE_LENGTH = 65535;
/** Names under glance's reserved namespace (`os_glance...`) are reserved. */
export const GLANCE_RESERVED_NAMESPACE = 'os_glance';
/** glance's database INT limit for min_ram and min_disk. */
export const MAX_DB_INT = 2 ** 31 - 1;

/** Names the request deserializer reserves (plus the `os_glance` namespace). */
const RESERVED_NAMES = new Set(['location', 'deleted', 'deleted_at']);

export function isReservedPropertyName(name: string): boolean {
  return RESERVED_NAMES.has(name) || name.startsWith(GLANCE_RESERVED_NAMESPACE);
}

/** 413 ImageTagLimitExceeded. */
export function tagQuotaError(attempted: number): GlanceError {
  return GlanceError.requestEntityTooLarge(
    `The limit has been exceeded on the number of allowed image tags. Attempted: ${attempted}, Maximum: ${IMAGE_TAG_QUOTA}`,
  );
}

/** 413 ImagePropertyLimitExceeded. */
export function propertyQuotaError(attempted: number): GlanceError {
  return GlanceError.requestEntityTooLarge(
    `The limit has been exceeded on the number of allowed image properties. Attempted: ${attempted}, Maximum: ${IMAGE_PROPERTY_QUOTA}`,
  );
}

/** glance.quota._enforce_image_tag_quota: counts the list as sent (duplicates included). */
export function enforceTagQuota(tags: readonly string[]): void {
  if (tags.length > IMAGE_TAG_QUOTA) throw tagQuotaError(tags.length);
}

/** The domain's min_ram / min_disk setter: 400 `Invalid value '-1' for parameter 'min_ram': Cannot be a negative value`. */
export function enforceNonNegative(parameter: 'min_ram' | 'min_disk', value: number): void {
  if (value < 0) {
    throw GlanceError.badRequest(`Invalid value '${pyNumberRepr(value)}' for parameter '${parameter}': Cannot be a negative value`);
  }
}

/** glance.db.sqlalchemy.api._validate_db_int, min_disk first. */
export function enforceDbInts(minDisk: number, minRam: number): void {
  for (const [parameter, value] of [['min_disk', minDisk], ['min_ram', minRam]] as const) {
    if (value > MAX_DB_INT) throw GlanceError.badRequest(`'${parameter}' value out of range, must not exceed ${MAX_DB_INT}.`);
  }
}

/** 400 when a custom property value exceeds what the store keeps. */
export function enforcePropertyValueLength(value: string): void {
  if (pyLen(value) > MAX_PROPERTY_VALUE_LENGTH) {
    throw GlanceError.badRequest(`Custom property value should not be greater than ${MAX_PROPERTY_VALUE_LENGTH} characters.`);
  }
}

/** Glance keeps tags as a set: duplicates collapse, first occurrence keeps its place. */
export function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}
