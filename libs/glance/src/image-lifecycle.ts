import { GlanceError } from './glance-error.js';
import type { ImageRecord, ImageStatus } from './image-record.js';

/** glance.domain.Image.valid_state_targets: the statuses each status may move to. */
export const IMAGE_STATUS_TRANSITIONS: Readonly<Record<ImageStatus, readonly ImageStatus[]>> = Object.freeze({
  queued: ['saving', 'uploading', 'importing', 'active', 'deleted'],
  saving: ['active', 'killed', 'deleted', 'queued'],
  uploading: ['importing', 'queued', 'deleted'],
  importing: ['active', 'deleted', 'queued'],
  active: ['pending_delete', 'deleted', 'deactivated'],
  killed: ['deleted'],
  pending_delete: ['deleted', 'active'],
  deleted: [],
  deactivated: ['active', 'deleted'],
});

export function canTransition(from: ImageStatus, to: ImageStatus): boolean {
  return IMAGE_STATUS_TRANSITIONS[from].includes(to);
}

/** InvalidImageStatusTransition's message: `Image status transition from active to saving is not allowed`. */
export function statusTransitionMessage(from: ImageStatus, to: ImageStatus): string {
  return `Image status transition from ${from} to ${to} is not allowed`;
}

/** Glance keeps deleted rows (`deleted`, and `pending_delete` under delayed delete) but answers 404 for them. */
export function isDeletedImage(record: Pick<ImageRecord, 'status'>): boolean {
  return record.status === 'deleted' || record.status === 'pending_delete';
}

/** 404 `No image found with ID {id}` for a deleted image (every call on it answers so). */
export function assertImageExists(record: Pick<ImageRecord, 'id' | 'status'>): void {
  if (isDeletedImage(record)) throw GlanceError.imageNotFound(record.id);
}

/**
 * PUT /v2/images/{id}/file may start: the image moves queued → saving. Any other status is 409
 * `Image status transition from <status> to saving is not allowed`; a queued image without
 * disk_format or container_format is 400 `Properties disk_format, container_format must be set prior to saving data.`
 */
export function assertCanUpload(record: Pick<ImageRecord, 'id' | 'status' | 'diskFormat' | 'containerFormat'>): void {
  assertImageExists(record);
  if (!canTransition(record.status, 'saving')) throw GlanceError.conflict(statusTransitionMessage(record.status, 'saving'));
  const missing = [record.diskFormat === null ? 'disk_format' : null, record.containerFormat === null ? 'container_format' : null].filter(
    (name): name is string => name !== null,
  );
  if (missing.length === 1) throw GlanceError.badRequest(`Property ${missing.join(', ')} must be set prior to saving data.`);
  if (missing.length > 1) throw GlanceError.badRequest(`Properties ${missing.join(', ')} must be set prior to saving data.`);
}

export function canUpload(record: Pick<ImageRecord, 'id' | 'status' | 'diskFormat' | 'containerFormat'>): boolean {
  try {
    assertCanUpload(record);
    return true;
  } catch (error) {
    if (error instanceof GlanceError) return false;
    throw error;
  }
}

/** What GET /v2/images/{id}/file answers: the data (200), or 204 No Content when the image has none. */
export type DownloadAnswer = 'data' | 'no-content';

/**
 * GET /v2/images/{id}/file: a deactivated image is 403 `The requested image has been deactivated.
 * Image data download is forbidden.` (glance exempts admins: pass `isAdmin`); an image with data
 * (active, or deactivated for an admin) streams it; any other (queued, saving, killed, ...) is 204.
 */
export function checkDownload(record: Pick<ImageRecord, 'id' | 'status' | 'fileName'>, options: { isAdmin?: boolean } = {}): DownloadAnswer {
  assertImageExists(record);
  if (record.status === 'deactivated' && options.isAdmin !== true) {
    throw GlanceError.forbidden('The requested image has been deactivated. Image data download is forbidden.');
  }
  const readable = record.status === 'active' || record.status === 'deactivated';
  return readable && record.fileName !== null ? 'data' : 'no-content';
}

/**
 * DELETE /v2/images/{id}: 403 `Image {id} is protected and cannot be deleted.` when protected;
 * otherwise the image goes to `deleted` from any status.
 */
export function assertCanDelete(record: Pick<ImageRecord, 'id' | 'status' | 'protected'>): void {
  assertImageExists(record);
  if (record.protected) throw GlanceError.forbidden(`Image ${record.id} is protected and cannot be deleted.`);
}

/**
 * POST /v2/images/{id}/actions/deactivate: the status after it. Active → deactivated; already
 * deactivated → unchanged (glance's no-op, still 204); any other status → 403
 * `Not allowed to deactivate image in status '<status>'`.
 */
export function deactivatedStatus(record: Pick<ImageRecord, 'id' | 'status'>): ImageStatus {
  assertImageExists(record);
  if (record.status === 'active' || record.status === 'deactivated') return 'deactivated';
  throw GlanceError.forbidden(`Not allowed to deactivate image in status '${record.status}'`);
}

/**
 * POST /v2/images/{id}/actions/reactivate: deactivated → active; already active → unchanged;
 * any other status → 403 `Not allowed to reactivate image in status '<status>'`.
 */
export function reactivatedStatus(record: Pick<ImageRecord, 'id' | 'status'>): ImageStatus {
  assertImageExists(record);
  if (record.status === 'deactivated' || record.status === 'active') return 'active';
  throw GlanceError.forbidden(`Not allowed to reactivate image in status '${record.status}'`);
}
