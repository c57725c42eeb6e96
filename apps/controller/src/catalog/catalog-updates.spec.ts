import { describe, expect, it } from '@jest/globals';
import type { ImageEntity } from '@imagelib/store';
import { catalogUpdates, IMAGES_PER_UPDATE } from './catalog-updates.js';

function image(id: string, revision: number, status = 'active'): ImageEntity {
  return {
    id, name: id, status, visibility: 'public', protected: false, osHidden: false, diskFormat: 'raw', containerFormat: 'bare', size: 1, virtualSize: 1,
    checksum: null, osHashAlgo: null, osHashValue: null, minRam: 0, minDisk: 0, owner: null, tags: [], properties: {},
    createdAt: '2026-11-22T00:00:00.000Z', updatedAt: '2026-11-22T00:00:00.000Z', fileName: null, revision, filesPending: false,
  };
}

const summary = (updates: ReturnType<typeof catalogUpdates>) =>
  updates.map((update) => ({ revision: update.revision, full: update.full, images: update.images!.length, removed: update.removedIds!.length }));

describe('catalogUpdates', () => {
  it('sends a small change as one update, removed images by id', () => {
    const updates = catalogUpdates([image('a', 3), image('b', 4, 'deleted')], 4, false);
    expect(updates).toMatchObject([{ revision: 4, full: false, images: [{ id: 'a' }], removedIds: ['b'] }]);
  });

  it('advances a host with nothing to send, and gives a new host an empty full catalog', () => {
    expect(summary(catalogUpdates([], 7, false))).toEqual([{ revision: 7, full: false, images: 0, removed: 0 }]);
    expect(summary(catalogUpdates([], 0, true))).toEqual([{ revision: 0, full: true, images: 0, removed: 0 }]);
  });

  it('splits a large catalog at revision boundaries: the first update is full, each is complete up to its revision', () => {
    // 1,200 images one revision each, then a batch of 700 sharing revision 1201, then deleted ones (left out of a full catalog).
    const changed = [
      ...Array.from({ length: 1200 }, (_, i) => image(`one-${i}`, i + 1)),
      ...Array.from({ length: 700 }, (_, i) => image(`batch-${i}`, 1201)),
      image('gone', 1202, 'deleted'),
    ];
    const updates = catalogUpdates(changed, 1203, true);
    expect(summary(updates)).toEqual([
      { revision: 500, full: true, images: 500, removed: 0 },
      { revision: 1000, full: false, images: 500, removed: 0 },
      { revision: 1200, full: false, images: 200, removed: 0 },
      { revision: 1203, full: false, images: 700, removed: 0 },
    ]);
    expect(updates.flatMap((update) => update.images!.map((i) => i.id))).toEqual(changed.filter((i) => i.status !== 'deleted').map((i) => i.id));
  });

  it('keeps deletions in revision order with the images of a delta', () => {
    const changed = Array.from({ length: IMAGES_PER_UPDATE + 1 }, (_, i) => image(`i-${i}`, i + 10, i % 2 ? 'deleted' : 'active'));
    const updates = catalogUpdates(changed, IMAGES_PER_UPDATE + 10, false);
    expect(summary(updates)).toEqual([
      { revision: IMAGES_PER_UPDATE + 9, full: false, images: 250, removed: 250 },
      { revision: IMAGES_PER_UPDATE + 10, full: false, images: 1, removed: 0 },
    ]);
  });
});
