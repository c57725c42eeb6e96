import { In, type EntityManager } from 'typeorm';
import type { Store } from '../data-source.js';
import { ImageHostStatusEntity, type ImageHostStateName } from '../entities/image-host-status.entity.js';
import { ImageEntity } from '../entities/image.entity.js';

export interface CatalogChanges {
  revision: number;
  /** In revision order; deleted images are there as tombstones (status "deleted"). */
  changed: ImageEntity[];
}

/** An image as a write makes it: the store stamps the revision, and a new image has no files pending. */
export type NewImage = Omit<ImageEntity, 'revision' | 'filesPending'> & { filesPending?: boolean };

/** Values per `IN (…)` query: well within sqlite's limit of bound variables. */
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
 */
export class CatalogRepository {
  constructor(private readonly store: Store) {}

  revision(): Promise<number> {
    return currentRevision(this.store.dataSource.manager);
  }

  /** Whether an image (live or deleted) has this id. */
  async exists(id: string): Promise<boolean> {
    return ((await this.store.dataSource.query('SELECT 1 FROM "images" WHERE "id" = ?', [id])) as unknown[]).length > 0;
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

  /** What a host at `since` needs: the catalog's revision and the images changed after `since`, deleted ones included, in revision order. */
  async changesSince(since: number): Promise<CatalogChanges> {
    return this.store.write(async (manager) => {
      const revision = await currentRevision(manager);
      return { revision, changed: await selectImages(manager, '"revision" > ? ORDER BY "revision" ASC', [since]) };
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

  async markFilesDeleted(id: string): Promise<void> {
    await this.store.write((manager) => manager.update(ImageEntity, { id }, { filesPending: false }));
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
      const known = new Set<string>();
      const stored = new Map<string, { state: string; reason: string }>();
      for (const ids of chunks([...new Set(statuses.map((s) => s.imageId))], QUERY_CHUNK)) {
        const marks = ids.map(() => '?').join(', ');
        const named = (await manager.query(`SELECT "id", "status", "filesPending" FROM "images" WHERE "id" IN (${marks})`, ids)) as { id: string; status: string; filesPending: number }[];
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
        await manager.query(UPSERT_STATUS, [status.imageId, hostId, status.state, status.reason, now]);
      }
    });
  }

  async forgetHostStatus(hostId: string, imageId: string): Promise<void> {
    await this.store.write((manager) => manager.delete(ImageHostStatusEntity, { hostId, imageId }));
  }

  /** Every live image, oldest first, with what this host reported about it (null when nothing yet): one host's column of the matrix, in one read. */
  liveImagesOnHost(hostId: string): Promise<LiveImageOnHost[]> {
    return this.store.dataSource.query(
      'SELECT i."id" AS "imageId", i."name" AS "name", i."status" AS "status", s."state" AS "state", s."reason" AS "reason" FROM "images" i ' +
        'LEFT JOIN "image_host_statuses" s ON s."imageId" = i."id" AND s."hostId" = ? ' +
        `WHERE i."status" != 'deleted' ORDER BY i."createdAt" ASC, i."id" ASC`,
      [hostId],
    ) as Promise<LiveImageOnHost[]>;
  }

  statusesOfImage(imageId: string): Promise<ImageHostStatusEntity[]> {
    return this.store.dataSource.getRepository(ImageHostStatusEntity).findBy({ imageId });
  }

  allStatuses(): Promise<ImageHostStatusEntity[]> {
    return this.store.dataSource.getRepository(ImageHostStatusEntity).find();
  }

  private async bump(manager: EntityManager): Promise<number> {
    const [row] = (await manager.query('UPDATE catalog_state SET revision = revision + 1 WHERE id = 1 RETURNING revision')) as [{ revision: number }];
    return row.revision;
  }
}

/**
 * Images by a raw query, made into entities column by column as TypeORM would (JSON, booleans,
 * big integers), without its query builder: listing ten thousand images took it a third of a second.
 */
async function selectImages(manager: EntityManager, where: string, parameters: unknown[]): Promise<ImageEntity[]> {
  const columns = manager.connection.getMetadata(ImageEntity).columns;
  const driver = manager.connection.driver;
  const rows = (await manager.query(`SELECT * FROM "images" WHERE ${where}`, parameters)) as Record<string, unknown>[];
  return rows.map((row) => {
    const image = new ImageEntity();
    for (const column of columns) column.setEntityValue(image, driver.prepareHydratedValue(row[column.databaseName], column));
    return image;
  });
}

const UPSERT_STATUS =
  'INSERT INTO "image_host_statuses" ("imageId", "hostId", "state", "reason", "updatedAt") VALUES (?, ?, ?, ?, ?) ' +
  'ON CONFLICT ("imageId", "hostId") DO UPDATE SET "state" = excluded."state", "reason" = excluded."reason", "updatedAt" = excluded."updatedAt"';

function storedStatuses(manager: EntityManager, where: string, parameters: string[]): Promise<{ imageId: string; state: string; reason: string }[]> {
  return manager.query(`SELECT "imageId", "state", "reason" FROM "image_host_statuses" WHERE ${where}`, parameters) as Promise<{ imageId: string; state: string; reason: string }[]>;
}

/**
 * Inserts complete rows as they are, one prepared statement per row: TypeORM's insert builder
 * spends more than the database on many rows, and reads every row back for its column defaults.
 */
async function currentRevision(manager: EntityManager): Promise<number> {
  const [row] = (await manager.query('SELECT "revision" FROM "catalog_state" WHERE "id" = 1')) as [{ revision: number }];
  return row.revision;
}

async function insertImages(manager: EntityManager, rows: ImageEntity[]): Promise<void> {
  const columns = manager.connection.getMetadata(ImageEntity).columns;
  const sql = `INSERT INTO "images" (${columns.map((column) => `"${column.databaseName}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  const driver = manager.connection.driver;
  for (const row of rows) await manager.query(sql, columns.map((column) => driver.preparePersistentValue(column.getEntityValue(row), column) as unknown));
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
    const rows = (await manager.query(`SELECT "fileName" FROM "images" WHERE "status" = 'deleted' AND "filesPending" = 1 AND "fileName" IN (${chunk.map(() => '?').join(', ')})`, chunk)) as { fileName: string }[];
    for (const row of rows) names.add(row.fileName);
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
