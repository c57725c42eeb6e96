import { In, MoreThan, Not, type EntityManager } from 'typeorm';
import type { Store } from '../data-source.js';
import { CatalogStateEntity } from '../entities/catalog-state.entity.js';
import { ImageHostStatusEntity, type ImageHostStateName } from '../entities/image-host-status.entity.js';
import { ImageEntity } from '../entities/image.entity.js';

export interface CatalogChanges {
  revision: number;
  images: ImageEntity[];
  removedIds: string[];
}

export interface HostImageStatus {
  imageId: string;
  state: ImageHostStateName;
  reason: string;
}

/**
 * The image catalog and where each image is healthy. Every change of an image bumps the catalog
 * revision and stamps the image with it, so hosts catch up with "what changed since revision N".
 */
export class CatalogRepository {
  constructor(private readonly store: Store) {}

  async revision(): Promise<number> {
    return (await this.store.dataSource.getRepository(CatalogStateEntity).findOneByOrFail({ id: 1 })).revision;
  }

  findById(id: string): Promise<ImageEntity | null> {
    return this.store.dataSource.getRepository(ImageEntity).findOneBy({ id });
  }

  /** Live images (not deleted), oldest first. */
  listLive(): Promise<ImageEntity[]> {
    return this.store.dataSource.getRepository(ImageEntity).find({ where: { status: Not('deleted') }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The live image holding this file name (the fileName column is indexed). */
  findLiveByFileName(fileName: string): Promise<ImageEntity | null> {
    return this.store.dataSource.getRepository(ImageEntity).findOneBy({ fileName, status: Not('deleted') });
  }

  /** What a host at `since` needs: live images changed after it and images deleted after it. */
  async changesSince(since: number): Promise<CatalogChanges> {
    return this.store.write(async (manager) => {
      const revision = (await manager.findOneByOrFail(CatalogStateEntity, { id: 1 })).revision;
      const changed = await manager.find(ImageEntity, { where: { revision: MoreThan(since) }, order: { revision: 'ASC' } });
      return {
        revision,
        images: changed.filter((image) => image.status !== 'deleted'),
        removedIds: changed.filter((image) => image.status === 'deleted').map((image) => image.id),
      };
    });
  }

  /** Inserts a new image at the next revision. */
  create(image: Omit<ImageEntity, 'revision' | 'filesPending'>): Promise<ImageEntity> {
    return this.store.write(async (manager) => {
      const revision = await this.bump(manager);
      await manager.insert(ImageEntity, { ...image, revision, filesPending: false });
      return manager.findOneByOrFail(ImageEntity, { id: image.id });
    });
  }

  /**
   * Read-modify-write of one image in one transaction: `change` sees the current row (null when
   * there is none) and returns the new one, or the same object to leave it unchanged. A changed
   * image gets the next revision. Errors thrown by `change` roll back and propagate.
   */
  update(id: string, change: (current: ImageEntity | null) => ImageEntity): Promise<ImageEntity> {
    return this.store.write(async (manager) => {
      const current = await manager.findOneBy(ImageEntity, { id });
      const next = change(current ? { ...current } : null);
      if (current && sameImage(current, next)) return current;
      const revision = await this.bump(manager);
      await manager.save(ImageEntity, { ...next, revision });
      return manager.findOneByOrFail(ImageEntity, { id });
    });
  }

  /**
   * Like update, keyed by the live image holding a file: `change` sees that image (null when none)
   * and returns the image to store, in one transaction, so two hosts that find the same file on
   * shared storage at once still make one image.
   */
  updateByFileName(fileName: string, change: (current: ImageEntity | null) => Omit<ImageEntity, 'revision' | 'filesPending'>): Promise<ImageEntity> {
    return this.store.write(async (manager) => {
      const current = await manager.findOneBy(ImageEntity, { fileName, status: Not('deleted') });
      const next = { filesPending: false, ...change(current ? { ...current } : null) };
      if (current && sameImage(current, { ...next, revision: current.revision })) return current;
      const revision = await this.bump(manager);
      await manager.save(ImageEntity, { ...next, revision });
      return manager.findOneByOrFail(ImageEntity, { id: next.id });
    });
  }

  /** Deleted images whose data files some host may still hold. */
  filesPendingDeletion(): Promise<ImageEntity[]> {
    return this.store.dataSource.getRepository(ImageEntity).findBy({ status: 'deleted', filesPending: true });
  }

  async markFilesDeleted(id: string): Promise<void> {
    await this.store.write((manager) => manager.update(ImageEntity, { id }, { filesPending: false }));
  }

  /**
   * Records what a host says about its images. A complete report replaces everything known about
   * that host; a partial one updates the images it names. Statuses of unknown images, and of
   * deleted ones whose files are gone, are ignored.
   */
  recordHostStatuses(hostId: string, statuses: HostImageStatus[], complete: boolean, now: string): Promise<void> {
    return this.store.write(async (manager) => {
      const named = await manager.find(ImageEntity, { select: { id: true, status: true, filesPending: true }, where: { id: In(statuses.map((s) => s.imageId)) } });
      // Deleted images keep statuses only while their files are still being removed.
      const known = new Set(named.filter((i) => i.status !== 'deleted' || i.filesPending).map((i) => i.id));
      if (complete) {
        const pendingDeletion = (await manager.find(ImageEntity, { select: { id: true }, where: { status: 'deleted', filesPending: true } })).map((i) => i.id);
        await manager.delete(ImageHostStatusEntity, { hostId, imageId: Not(In(pendingDeletion)) });
      }
      const rows = statuses.filter((s) => known.has(s.imageId)).map((s) => ({ ...s, hostId, updatedAt: now }));
      if (rows.length > 0) await manager.upsert(ImageHostStatusEntity, rows, ['imageId', 'hostId']);
    });
  }

  async forgetHostStatus(hostId: string, imageId: string): Promise<void> {
    await this.store.write((manager) => manager.delete(ImageHostStatusEntity, { hostId, imageId }));
  }

  statusesOfImage(imageId: string): Promise<ImageHostStatusEntity[]> {
    return this.store.dataSource.getRepository(ImageHostStatusEntity).findBy({ imageId });
  }

  statusesOfHost(hostId: string): Promise<ImageHostStatusEntity[]> {
    return this.store.dataSource.getRepository(ImageHostStatusEntity).findBy({ hostId });
  }

  allStatuses(): Promise<ImageHostStatusEntity[]> {
    return this.store.dataSource.getRepository(ImageHostStatusEntity).find();
  }

  private async bump(manager: EntityManager): Promise<number> {
    await manager.increment(CatalogStateEntity, { id: 1 }, 'revision', 1);
    return (await manager.findOneByOrFail(CatalogStateEntity, { id: 1 })).revision;
  }
}

/** Equal in every field but the revision, whatever the order of the keys. */
function sameImage(a: ImageEntity, b: ImageEntity): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof ImageEntity)[]);
  keys.delete('revision');
  return [...keys].every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}
