import { GlanceError } from './glance-error.js';
import { assertImageExists } from './image-lifecycle.js';
import type { ImageRecord } from './image-record.js';
import { enforceTagQuota } from './image-rules.js';
import { schemaValidationMessage } from './json-schema.js';
import { IMAGE_SCHEMA } from './schemas.js';

/**
 * PUT /v2/images/{id}/tags/{tag}: the image's tags with `tag` added (a no-op when present).
 * A tag longer than 255 characters is 400 (the schema check, before a deleted image's 404); a
 * 129th tag is 413.
 */
export function addImageTag(record: Pick<ImageRecord, 'id' | 'status' | 'tags'>, tag: string): string[] {
  const invalid = schemaValidationMessage({ tags: [tag] }, IMAGE_SCHEMA);
  if (invalid !== null) throw GlanceError.badRequest(invalid);
  assertImageExists(record);
  if (record.tags.includes(tag)) return [...record.tags];
  const tags = [...record.tags, tag];
  enforceTagQuota(tags);
  return tags;
}

/** DELETE /v2/images/{id}/tags/{tag}: the tags without `tag`; a tag the image lacks is a bare 404. */
export function removeImageTag(record: Pick<ImageRecord, 'id' | 'status' | 'tags'>, tag: string): string[] {
  assertImageExists(record);
  if (!record.tags.includes(tag)) throw GlanceError.notFound();
  return record.tags.filter((existing) => existing !== tag);
}
