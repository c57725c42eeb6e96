import { describe, expect, it } from '@jest/globals';
import { compareInDefaultOrder } from '@imagelib/glance';
import type { CatalogImage__Output } from '@imagelib/proto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCatalog } from './local-catalog.js';

function image(id: string, revision: number, overrides: Partial<CatalogImage__Output> = {}): CatalogImage__Output {
  return {
    id, name: id, status: 'active', visibility: 'public', protected: false, osHidden: false, minRam: 0, minDisk: 0,
    tags: [], properties: {}, createdAt: '2026-11-22T00:00:00.000Z', updatedAt: '2026-11-22T00:00:00.000Z', revision, size: 3, ...overrides,
  };
}

describe('LocalCatalog', () => {
  it('applies full and delta updates, ignores older ones, and tells listeners what changed', () => {
    const catalog = new LocalCatalog(join(mkdtempSync(join(tmpdir(), 'imagelib-cat-')), 'catalog.json'));
    const changes: string[][] = [];
    catalog.onChange((ids) => changes.push(ids.sort()));
    catalog.apply({ revision: 2, full: true, images: [image('a', 1), image('b', 2)], removedIds: [] });
    catalog.apply({ revision: 3, full: false, images: [image('a', 3, { name: 'renamed' })], removedIds: ['b'] });
    catalog.apply({ revision: 3, full: false, images: [image('a', 1, { name: 'stale' })], removedIds: [] });
    expect(catalog.revision).toBe(3);
    expect(catalog.all().map((i) => [i.id, i.name])).toEqual([['a', 'renamed']]);
    expect(catalog.get('a')).toMatchObject({ size: 3, checksum: null, fileName: null });
    expect(changes).toEqual([['a', 'b'], ['a', 'b']]);
  });

  it('keeps its copy across a restart', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'imagelib-cat-')), 'catalog.json');
    const catalog = new LocalCatalog(path);
    catalog.apply({ revision: 5, full: true, images: [image('a', 5)], removedIds: [] });
    await catalog.flush();
    const reopened = new LocalCatalog(path);
    expect(reopened.revision).toBe(5);
    expect(reopened.get('a')?.name).toBe('a');
    reopened.apply({ revision: 6, full: false, images: [image('a', 4, { name: 'older' })], removedIds: [] });
    expect(reopened.get('a')?.name).toBe('a');
  });

  it('finds images by data file name as they change, appear and go', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'imagelib-cat-')), 'catalog.json');
    const catalog = new LocalCatalog(path);
    catalog.apply({ revision: 2, full: true, images: [image('a', 1, { fileName: 'a.raw' }), image('b', 2, { fileName: 'b.raw' })], removedIds: [] });
    expect(catalog.withFileName('a.raw')?.id).toBe('a');
    catalog.apply({ revision: 3, full: false, images: [image('a', 3, { fileName: 'renamed.raw' })], removedIds: ['b'] });
    expect([catalog.withFileName('a.raw'), catalog.withFileName('b.raw'), catalog.withFileName('renamed.raw')?.id]).toEqual([undefined, undefined, 'a']);
    catalog.apply({ revision: 4, full: true, images: [image('c', 4, { fileName: 'renamed.raw' })], removedIds: [] });
    expect(catalog.withFileName('renamed.raw')?.id).toBe('c');
    await catalog.flush();
    expect(new LocalCatalog(path).withFileName('renamed.raw')?.id).toBe('c');
  });

  it('tells its listeners once about images put together, and says when what it applied is on disk', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'imagelib-cat-')), 'catalog.json');
    const catalog = new LocalCatalog(path);
    const changes: string[][] = [];
    catalog.onChange((ids) => changes.push(ids));
    const records = catalog.putAll([image('a', 1), image('b', 1)]);
    expect(records.map((record) => record.id)).toEqual(['a', 'b']);
    expect(changes).toEqual([['a', 'b']]);
    for (let revision = 2; revision < 50; revision++) catalog.apply({ revision, full: false, images: [image(`i${revision}`, revision)], removedIds: [] });
    expect(existsSync(path)).toBe(false);
    await catalog.whenSaved();
    const saved = new LocalCatalog(path);
    expect([saved.revision, saved.all().length]).toEqual([49, 50]);
    await catalog.whenSaved();
  });

  it("lists its images in glance's default order, kept in order through changes", () => {
    const catalog = new LocalCatalog(join(mkdtempSync(join(tmpdir(), 'imagelib-cat-')), 'catalog.json'));
    const at = (second: number) => new Date(Date.UTC(2026, 10, 22, 0, 0, second)).toISOString();
    const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    catalog.apply({ revision: 1, full: true, images: ids.map((id, i) => image(id, 1, { createdAt: at(i % 7) })), removedIds: [] });
    const expected = () => [...catalog.all()].sort(compareInDefaultOrder).map((record) => record.id);
    expect(catalog.all().map((record) => record.id)).toEqual(expected());
    for (let revision = 2; revision < 30; revision++) {
      const id = ids[(revision * 7) % ids.length]!;
      if (revision % 3 === 0) catalog.apply({ revision, full: false, images: [], removedIds: [id] });
      else catalog.apply({ revision, full: false, images: [image(id, revision, { createdAt: at(revision % 5), name: `n${revision}` })], removedIds: [] });
      expect(catalog.all().map((record) => record.id)).toEqual(expected());
    }
    catalog.putAll([image('ffffffff-0000-4000-8000-000000000000', 40, { createdAt: at(99) })]);
    expect(catalog.all()[0]?.id).toBe('ffffffff-0000-4000-8000-000000000000');
  });
});
