import { describe, expect, it } from '@jest/globals';
import type { CatalogImage__Output } from '@imagelib/proto';
import { mkdtempSync } from 'node:fs';
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
});
