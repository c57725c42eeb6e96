import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, Store } from './data-source.js';

describe('readiness: can the database still be written?', () => {
  let dir: string;
  let path: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagelib-readiness-'));
    path = join(dir, 'imagelib.sqlite');
    store = await openStore({ sqlitePath: path });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is writable when nothing stands in the way', async () => {
    expect(await store.unwritableReason(2000)).toBeNull();
  });

  it('says why while another process holds the write lock, and recovers once it lets go', async () => {
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect(await store.unwritableReason(300)).toMatch(/locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.unwritableReason(6000)).toBeNull();
  });

  it('tells a failure of the database itself (locked) from any other failed query', async () => {
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const locked = await store.write((manager) => manager.query('SELECT 1').then(() => manager.query('INSERT INTO "store_probe" ("id", "writtenAt") VALUES (2, 0)'))).catch((error: unknown) => error);
      expect(Store.unavailableReason(locked)).toMatch(/^SQLITE_BUSY: database is locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const mistaken = await store.dataSource.query('SELECT * FROM "no_such_table"').catch((error: unknown) => error);
    expect(Store.unavailableReason(mistaken)).toBeNull();
  });
});
