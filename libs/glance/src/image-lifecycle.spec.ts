import { describe, expect, it } from '@jest/globals';
import { GlanceError } from './glance-error.js';
import {
  assertCanDelete,
  assertCanUpload,
  assertImageExists,
  canTransition,
  canUpload,
  checkDownload,
  deactivatedStatus,
  IMAGE_STATUS_TRANSITIONS,
  isDeletedImage,
  reactivatedStatus,
  statusTransitionMessage,
} from './image-lifecycle.js';
import { IMAGE_STATUSES, type ImageStatus } from './image-record.js';

const ID = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const base = { id: ID, diskFormat: 'raw' as const, containerFormat: 'bare' as const, protected: false, fileName: 'data' };

function caught(action: () => unknown): GlanceError {
  try {
    action();
  } catch (error) {
    if (error instanceof GlanceError) return error;
    throw error;
  }
  throw new Error('expected a GlanceError');
}

describe('status transitions', () => {
  it('follow glance\'s domain table', () => {
    expect(Object.keys(IMAGE_STATUS_TRANSITIONS).sort()).toEqual([...IMAGE_STATUSES].sort());
    expect(canTransition('queued', 'saving')).toBe(true);
    expect(canTransition('saving', 'active')).toBe(true);
    expect(canTransition('saving', 'queued')).toBe(true);
    expect(canTransition('active', 'saving')).toBe(false);
    expect(canTransition('deleted', 'active')).toBe(false);
    expect(statusTransitionMessage('active', 'saving')).toBe('Image status transition from active to saving is not allowed');
  });
});

describe('upload', () => {
  it('is allowed for a queued image with both formats', () => {
    expect(() => assertCanUpload({ ...base, status: 'queued' })).not.toThrow();
    expect(canUpload({ ...base, status: 'queued' })).toBe(true);
  });

  it('is 409 from any other status (glance-wire §2.6)', () => {
    for (const status of ['saving', 'active', 'killed', 'uploading', 'importing', 'deactivated'] as ImageStatus[]) {
      const error = caught(() => assertCanUpload({ ...base, status }));
      expect(error.status).toBe(409);
      expect(error.message).toBe(`Image status transition from ${status} to saving is not allowed`);
      expect(canUpload({ ...base, status })).toBe(false);
    }
  });

  it('is 400 without disk_format or container_format', () => {
    expect(caught(() => assertCanUpload({ ...base, status: 'queued', diskFormat: null, containerFormat: null })).message).toBe(
      'Properties disk_format, container_format must be set prior to saving data.',
    );
    expect(caught(() => assertCanUpload({ ...base, status: 'queued', containerFormat: null })).message).toBe(
      'Property container_format must be set prior to saving data.',
    );
    expect(caught(() => assertCanUpload({ ...base, status: 'queued', diskFormat: null })).status).toBe(400);
  });

  it('is 404 for a deleted image', () => {
    expect(caught(() => assertCanUpload({ ...base, status: 'deleted' })).message).toBe(`No image found with ID ${ID}`);
  });
});

describe('download', () => {
  it('streams an active image with data', () => {
    expect(checkDownload({ ...base, status: 'active' })).toBe('data');
  });

  it('answers 204 when there is no data', () => {
    for (const status of ['queued', 'saving', 'killed', 'uploading', 'importing'] as ImageStatus[]) {
      expect(checkDownload({ ...base, status, fileName: null })).toBe('no-content');
    }
    expect(checkDownload({ ...base, status: 'active', fileName: null })).toBe('no-content');
  });

  it('forbids a deactivated image, except to an admin', () => {
    const error = caught(() => checkDownload({ ...base, status: 'deactivated' }));
    expect(error.status).toBe(403);
    expect(error.message).toBe('The requested image has been deactivated. Image data download is forbidden.');
    expect(checkDownload({ ...base, status: 'deactivated' }, { isAdmin: true })).toBe('data');
  });

  it('is 404 for a deleted image', () => {
    expect(caught(() => checkDownload({ ...base, status: 'pending_delete' })).status).toBe(404);
  });
});

describe('delete', () => {
  it('is allowed from any status unless protected', () => {
    for (const status of ['queued', 'saving', 'active', 'killed', 'deactivated', 'uploading', 'importing'] as ImageStatus[]) {
      expect(() => assertCanDelete({ ...base, status })).not.toThrow();
    }
    const error = caught(() => assertCanDelete({ ...base, status: 'active', protected: true }));
    expect(error.status).toBe(403);
    expect(error.message).toBe(`Image ${ID} is protected and cannot be deleted.`);
  });

  it('is 404 twice', () => {
    expect(caught(() => assertCanDelete({ ...base, status: 'deleted' })).status).toBe(404);
    expect(isDeletedImage({ status: 'deleted' })).toBe(true);
    expect(isDeletedImage({ status: 'killed' })).toBe(false);
    expect(() => assertImageExists({ id: ID, status: 'killed' })).not.toThrow();
  });
});

describe('deactivate and reactivate', () => {
  it('move active ⇄ deactivated, and are no-ops when already there', () => {
    expect(deactivatedStatus({ id: ID, status: 'active' })).toBe('deactivated');
    expect(deactivatedStatus({ id: ID, status: 'deactivated' })).toBe('deactivated');
    expect(reactivatedStatus({ id: ID, status: 'deactivated' })).toBe('active');
    expect(reactivatedStatus({ id: ID, status: 'active' })).toBe('active');
  });

  it('are 403 from any other status', () => {
    for (const status of ['queued', 'saving', 'killed', 'uploading', 'importing'] as ImageStatus[]) {
      const deactivate = caught(() => deactivatedStatus({ id: ID, status }));
      expect(deactivate.status).toBe(403);
      expect(deactivate.message).toBe(`Not allowed to deactivate image in status '${status}'`);
      expect(caught(() => reactivatedStatus({ id: ID, status })).message).toBe(`Not allowed to reactivate image in status '${status}'`);
    }
    expect(caught(() => deactivatedStatus({ id: ID, status: 'deleted' })).status).toBe(404);
  });
});
