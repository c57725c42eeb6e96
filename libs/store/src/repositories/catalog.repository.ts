import { In, type EntityManager } from 'typeorm';
import { CatalogStateEntity } from '../entities/catalog-state.entity.js';
import { HostEntity } from '../entities/host.entity.js';
import { ImageHostStatusEntity, type ImageHostStateName } from '../entities/image-host-status.entity.js';
import { ImageEntity } from '../entities/image.entity.js';
import { rows } from '../sql.js';
import type { Store } from '../store.js';

export interface CatalogChanges {
  revision: number;
  /** In revision order; deleted images are there as tombstones (status "deleted"). */
  changed: ImageEntity[];
}

/** An image as a write makes it: the store stamps the revision, and a new image has no files pending. */
export type NewImage = Omit<ImageEntity, 'revision' | 'filesPending'> & { filesPending?: boolean };

/** Values per `IN (…)` query: well within sqlite's (and PostgreSQL's) limit of bound variables. */
const QUERY_CHUNK = 500;

export interface LiveImageOnHost {
  imageId: string;
  name: string | null;
  /** The image's Glance status. */
  status: string;
  /** null: the host reported nothing about the image. */
  state: ImageHostStateName | null;
  reason: string | null;
}

export interface HostImageStatus {
  imageId: string;
  state: ImageHostStateName;
  reason: string;
}

/**
 * The image catalog and where each image is healthy. Every change of an image bumps the catalog
 * revision and stamps the image with it, so hosts catch up with "what changed since revision N".
 *
 * Several controllers may write at once on PostgreSQL. Writes that read images before changing
 * them first lock the catalog's one state row (FOR UPDATE): such writes run one at a time across
 * controllers, as they do on sqlite, and each sees what the one before committed. The revision bump
 * (an atomic UPDATE … RETURNING) rewrites that row anyway, so revisions are unique and commit in
 * order: a transaction holding revision N commits before any other gets N + 1. Status reports lock
 * the row FOR SHARE (they may run side by side, but not while images change under them) and their
 * host's row, so that two reports of one host do not interleave. Lock order: catalog, then host.
 */
export class CatalogRepository {
  constructor(private readonly store: Store) {}

  revision(): Promise<number> {
    return currentRevision(this.store.dataSource.manager);
  }

  /** Whether an image (live or deleted) has this id. */
  async exists(id: string): Promise<boolean> {
    return (await rows(this.store.dataSource.manager, 'SELECT 1 FROM "images" WHERE "id" = ?', [id])).length > 0;
  }

  async findById(id: string): Promise<ImageEntity | null> {
    return (await selectImages(this.store.dataSource.manager, '"id" = ?', [id]))[0] ?? null;
  }

  /** Live images (not deleted), oldest first. */
  listLive(): Promise<ImageEntity[]> {
    return selectImages(this.store.dataSource.manager, `"status" != 'deleted' ORDER BY "createdAt" ASC, "id" ASC`, []);
  }

  /** The live images holding these file names, by file name (the fileName column is indexed). */
  findLiveByFileNames(fileNames: readonly string[]): Promise<Map<string, ImageEntity>> {
    return liveByFileNames(this.store.dataSource.manager, fileNames);
  }

  /**
   * What a host at `since` needs: the catalog's revision and the images changed after `since` up to
   * it, deleted ones included, in revision order. (On PostgreSQL each statement sees the latest
   * commits: a later change is left for the next call rather than sent under an older revision.)
   */
  async changesSince(since: number): Promise<CatalogChanges> {
    return this.store.write(async (manager) => {
      const revision = await currentRevision(manager);
      return { revision, changed: await selectImages(manager, '"revision" > ? AND "revision" <= ? ORDER BY "revision" ASC', [since, revision]) };
    });
  }

  /** Inserts a new image at the next revision. */
  create(image: Omit<ImageEntity, 'revision' | 'filesPending'>): Promise<ImageEntity> {
    return this.store.write(async (manager) => {
      const created = { ...image, revision: await this.bump(manager), filesPending: false };
      await insertImages(manager, [created]);
      return created;
    });
  }

  /**
   * Read-modify-write of one image in one transaction: `change` sees the current row (null when
   * there is none) and returns the new one, or the same object to leave it unchanged. A changed
   * image gets the next revision. Errors thrown by `change` roll back and propagate.
   */
  update(id: string, change: (current: ImageEntity | null) => ImageEntity): Promise<ImageEntity> {
    return this.store.write(async (manager) => {
      await this.lockCatalog(manager, 'pessimistic_write');
      const current = (await selectImages(manager, '"id" = ?', [id]))[0] ?? null;
      const next = change(current ? { ...current } : null);
      if (current && sameImage(current, next)) return current;
      const changed = { ...next, revision: await this.bump(manager) };
      if (current) await manager.update(ImageEntity, { id }, changed);
      else await insertImages(manager, [changed]);
      return changed;
    });
  }

  /**
   * Like update, for many files at once, each keyed by the live image holding its file name:
   * `change` sees that image (null when none) and returns the image to store, or the same object to
   * leave it unchanged. One transaction, and one revision shared by every image it changes, so two
   * hosts that find the same files on shared storage at once still make one image per file. Items
   * naming the same file are applied in order, each seeing what the one before made. `change` is
   * also told whether a deleted image's file of that name is being removed, and may return null to
   * leave the item out. Returns the image of each item (null when left out), in order.
   */
  updateByFileNames<T extends { fileName: string }>(
    items: readonly T[],
    change: (item: T, current: ImageEntity | null, beingRemoved: boolean) => NewImage | null,
  ): Promise<(ImageEntity | null)[]> {
    return this.store.write(async (manager) => {
      await this.lockCatalog(manager, 'pessimistic_write');
      const names = items.map((item) => item.fileName);
      const byName = await liveByFileNames(manager, names);
      const beingRemoved = await fileNamesBeingRemoved(manager, names);
      const stored = new Set([...byName.values()].map((image) => image.id));
      const changed = new Map<string, ImageEntity>();
      const results = items.map((item) => {
        const current = byName.get(item.fileName) ?? null;
        const made = change(item, current ? { ...current } : null, beingRemoved.has(item.fileName));
        if (made === null) return null;
        const next = { filesPending: false, ...made, revision: current?.revision ?? 0 };
        if (current && sameImage(current, next)) return current;
        byName.set(item.fileName, next);
        changed.set(next.id, next);
        return next;
      });
      if (changed.size === 0) return results;
      const revision = await this.bump(manager);
      for (const image of changed.values()) image.revision = revision;
      await insertImages(manager, [...changed.values()].filter((image) => !stored.has(image.id)));
      for (const image of changed.values()) if (stored.has(image.id)) await manager.update(ImageEntity, { id: image.id }, image);
      return results;
    });
  }

  /** Deleted images whose data files some host may still hold. */
  filesPendingDeletion(): Promise<ImageEntity[]> {
    return this.store.dataSource.getRepository(ImageEntity).findBy({ status: 'deleted', filesPending: true });
  }

  /** Status reports read filesPending to tell which statuses to keep: on PostgreSQL this waits for those under way. */
  async markFilesDeleted(id: string): Promise<void> {
    await this.store.write(async (manager) => {
      await this.lockCatalog(manager, 'pessimistic_write');
      await manager.update(ImageEntity, { id }, { filesPending: false });
    });
  }

  /**
   * Records what a host says about its images. A complete report replaces everything known about
   * that host; a partial one updates the images it names. Statuses of unknown images, and of
   * deleted ones whose files are gone, are ignored. Only what differs from what is stored is
   * written (a status keeps the time it last changed), so a host repeating ten thousand unchanged
   * statuses after a reconnect costs a read.
   */
  recordHostStatuses(hostId: string, statuses: HostImageStatus[], complete: boolean, now: string): Promise<void> {
    return this.store.write(async (manager) => {
      await this.lockCatalog(manager, 'pessimistic_read');
      await this.store.lock(manager, HostEntity, { id: hostId }, 'for_no_key_update');
      const known = new Set<string>();
      const stored = new Map<string, { state: string; reason: string }>();
      for (const ids of chunks([...new Set(statuses.map((s) => s.imageId))], QUERY_CHUNK)) {
        const marks = ids.map(() => '?').join(', ');
        const named = await rows<{ id: string; status: string; filesPending: number | boolean }>(manager, `SELECT "id", "status", "filesPending" FROM "images" WHERE "id" IN (${marks})`, ids);
        // Deleted images keep statuses only while their files are still being removed.
        for (const image of named) if (image.status !== 'deleted' || image.filesPending) known.add(image.id);
        if (!complete) for (const row of await storedStatuses(manager, `"hostId" = ? AND "imageId" IN (${marks})`, [hostId, ...ids])) stored.set(row.imageId, row);
      }
      if (complete) {
        for (const row of await storedStatuses(manager, '"hostId" = ?', [hostId])) stored.set(row.imageId, row);
        const reported = new Set(statuses.map((s) => s.imageId));
        const pendingDeletion = new Set((await manager.find(ImageEntity, { select: { id: true }, where: { status: 'deleted', filesPending: true } })).map((i) => i.id));
        const gone = [...stored.keys()].filter((imageId) => !reported.has(imageId) && !pendingDeletion.has(imageId));
        for (const imageIds of chunks(gone, QUERY_CHUNK)) await manager.delete(ImageHostStatusEntity, { hostId, imageId: In(imageIds) });
      }
      for (const status of statuses) {
        const before = stored.get(status.imageId);
        if (!known.has(status.imageId) || (before?.state === status.state && before.reason === status.reason)) continue;
        await rows(manager, UPSERT_STATUS, [status.imageId, hostId, status.state, status.reason, now]);
      }
    });
  }

  async forgetHostStatus(hostId: string, imageId: string): Promise<void> {
    await this.store.write(async (manager) => {
      await this.store.lock(manager, HostEntity, { id: hostId }, 'for_no_key_update');
      await manager.delete(ImageHostStatusEntity, { hostId, imageId });
    });
  }

  /** Every live image, oldest first, with what this host reported about it (null when nothing yet): one host's column of the matrix, in one read. */
  liveImagesOnHost(hostId: string): Promise<LiveImageOnHost[]> {
    return rows<LiveImageOnHost>(
      this.store.dataSource.manager,
      'SELECT i."id" AS "imageId", i."name" AS "name", i."status" AS "status", s."state" AS "state", s."reason" AS "reason" FROM "images" i ' +
        'LEFT JOIN "image_host_statuses" s ON s."imageId" = i."id" AND s."hostId" = ? ' +
        `WHERE i."status" != 'deleted' ORDER BY i."createdAt" ASC, i."id" ASC`,
      [hostId],
    );
  }

  statusesOfImage(imageId: string): Promise<ImageHostStatusEntity[]> {
    return this.store.dataSource.getRepository(ImageHostStatusEntity).findBy({ imageId });
  }

  allStatuses(): Promise<ImageHostStatusEntity[]> {
    return this.store.dataSource.getRepository(ImageHostStatusEntity).find();
  }

  private async bump(manager: EntityManager): Promise<number> {
    const [row] = await rows<{ revision: number }>(manager, 'UPDATE "catalog_state" SET "revision" = "revision" + 1 WHERE "id" = 1 RETURNING "revision"');
    return row!.revision;
  }

  private lockCatalog(manager: EntityManager, mode: 'pessimistic_write' | 'pessimistic_read'): Promise<void> {
    return this.store.lock(manager, CatalogStateEntity, { id: 1 }, mode);
  }
}

/**
 * Images by a raw query, made into entities column by column as TypeORM would (JSON, booleans,
 * big integers), without its query builder: listing ten thousand images took it a third of a second.
 */
async function selectImages(manager: EntityManager, where: string, parameters: unknown[]): Promise<ImageEntity[]> {
  const columns = manager.connection.getMetadata(ImageEntity).columns;
  const driver = manager.connection.driver;
  const found = await rows<Record<string, unknown>>(manager, `SELECT * FROM "images" WHERE ${where}`, parameters);
  return found.map((row) => {
    const image = new ImageEntity();
    for (const column of columns) column.setEntityValue(image, driver.prepareHydratedValue(row[column.databaseName], column));
    return image;
  });
}

const UPSERT_STATUS =
  'INSERT INTO "image_host_statuses" ("imageId", "hostId", "state", "reason", "updatedAt") VALUES (?, ?, ?, ?, ?) ' +
  'ON CONFLICT ("imageId", "hostId") DO UPDATE SET "state" = excluded."state", "reason" = excluded."reason", "updatedAt" = excluded."updatedAt"';

function storedStatuses(manager: EntityManager, where: string, parameters: string[]): Promise<{ imageId: string; state: string; reason: string }[]> {
  return rows<{ imageId: string; state: string; reason: string }>(manager, `SELECT "imageId", "state", "reason" FROM "image_host_statuses" WHERE ${where}`, parameters);
}

async function currentRevision(manager: EntityManager): Promise<number> {
  const [row] = await rows<{ revision: number }>(manager, 'SELECT "revision" FROM "catalog_state" WHERE "id" = 1');
  return row!.revision;
}

/**
 * Inserts complete rows as they are, one prepared statement per row: TypeORM's insert builder
 * spends more than the database on many rows, and reads every row back for its column defaults.
 */
async function insertImages(manager: EntityManager, images: ImageEntity[]): Promise<void> {
  const columns = manager.connection.getMetadata(ImageEntity).columns;
  const sql = `INSERT INTO "images" (${columns.map((column) => `"${column.databaseName}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  const driver = manager.connection.driver;
  for (const image of images) await rows(manager, sql, columns.map((column) => driver.preparePersistentValue(column.getEntityValue(image), column) as unknown));
}

async function liveByFileNames(manager: EntityManager, fileNames: readonly string[]): Promise<Map<string, ImageEntity>> {
  const byName = new Map<string, ImageEntity>();
  for (const names of chunks([...new Set(fileNames)], QUERY_CHUNK)) {
    const live = await selectImages(manager, `"fileName" IN (${names.map(() => '?').join(', ')}) AND "status" != 'deleted'`, names);
    for (const image of live) byName.set(image.fileName!, image);
  }
  return byName;
}

/** The file names, of those given, of deleted images whose files some host has still to remove. */
async function fileNamesBeingRemoved(manager: EntityManager, fileNames: readonly string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const chunk of chunks([...new Set(fileNames)], QUERY_CHUNK)) {
    const found = await rows<{ fileName: string }>(manager, `SELECT "fileName" FROM "images" WHERE "status" = 'deleted' AND "filesPending" = TRUE AND "fileName" IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const row of found) names.add(row.fileName);
  }
  return names;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/** Equal in every field but the revision, whatever the order of the keys. */
function sameImage(a: ImageEntity, b: ImageEntity): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof ImageEntity)[]);
  keys.delete('revision');
  return [...keys].every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}
