import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './data-source.js';
import type { ImageEntity } from './entities/image.entity.js';
import { CatalogRepository } from './repositories/catalog.repository.js';
import { HostsRepository } from './repositories/hosts.repository.js';
import { JoinTokensRepository } from './repositories/join-tokens.repository.js';

const NOW = '2026-11-22T00:00:00.000Z';

function image(id: string, overrides: Partial<ImageEntity> = {}): Omit<ImageEntity, 'revision' | 'filesPending'> {
  return {
    id, name: id, status: 'queued', visibility: 'shared', protected: false, osHidden: false, diskFormat: 'raw', containerFormat: 'bare',
    size: null, virtualSize: null, checksum: null, osHashAlgo: null, osHashValue: null, minRam: 0, minDisk: 0, owner: null,
    tags: [], properties: {}, createdAt: NOW, updatedAt: NOW, fileName: null, ...overrides,
  };
}

describe('the catalog on a real sqlite file', () => {
  let dir: string;
  let store: Store;
  let catalog: CatalogRepository;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagelib-catalog-'));
    store = await openStore({ sqlitePath: join(dir, 'imagelib.sqlite') });
    catalog = new CatalogRepository(store);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stamps every change with the next revision and tells a host what changed since its own', async () => {
    expect(await catalog.revision()).toBe(0);
    await catalog.create(image('a'));
    await catalog.create(image('b'));
    const grown = await catalog.update('a', (current) => ({ ...current!, size: 6_000_000_000, status: 'active' }));
    expect(grown).toMatchObject({ revision: 3, size: 6_000_000_000 });
    expect(await catalog.update('a', (current) => current!)).toMatchObject({ revision: 3 });
    await catalog.update('b', (current) => ({ ...current!, status: 'deleted', filesPending: true }));

    const since1 = await catalog.changesSince(1);
    expect(since1).toMatchObject({ revision: 4, removedIds: ['b'] });
    expect(since1.images.map((i) => i.id)).toEqual(['a']);
    expect((await catalog.changesSince(4)).images).toEqual([]);
    expect((await catalog.listLive()).map((i) => i.id)).toEqual(['a']);
    expect((await catalog.filesPendingDeletion()).map((i) => i.id)).toEqual(['b']);
  });

  it('makes one image of a file found by several hosts at once, and updates it when its content changes', async () => {
    const register = (sha: string) =>
      catalog.updateByFileName('cirros.qcow2', (current) => (current ? (current.osHashValue === sha ? current : { ...current, osHashValue: sha }) : { ...image(`img-${Math.random()}`), fileName: 'cirros.qcow2', osHashValue: sha }));
    const found = await Promise.all([register('s1'), register('s1'), register('s1')]);
    expect(new Set(found.map((i) => i.id)).size).toBe(1);
    expect(await catalog.revision()).toBe(1);
    const replaced = await register('s2');
    expect(replaced).toMatchObject({ id: found[0]!.id, osHashValue: 's2', revision: 2 });
  });

  it('rolls back a change that throws', async () => {
    await catalog.create(image('a'));
    await expect(catalog.update('a', () => { throw new Error('refused'); })).rejects.toThrow('refused');
    expect(await catalog.revision()).toBe(1);
  });

  it('keeps per-host statuses: complete reports replace, partial ones update, unknown images are ignored', async () => {
    const tokens = new JoinTokensRepository(store);
    await tokens.create({ id: 't', secretHash: 'h'.repeat(64), description: '', expiresAt: new Date(Date.now() + 60_000), maxUses: 1 });
    await new HostsRepository(store).enrol({
      hostId: 'h1', hostname: 'h1', region: 'default', agentVersion: '', joinTokenId: 't',
      credential: { fingerprint: 'f'.repeat(64), notAfter: new Date(Date.now() + 60_000) }, now: new Date(),
    });
    await catalog.create(image('a'));
    await catalog.create(image('b'));
    await catalog.recordHostStatuses('h1', [{ imageId: 'a', state: 'ok', reason: '' }, { imageId: 'b', state: 'missing', reason: 'ENOENT' }, { imageId: 'zz', state: 'ok', reason: '' }], true, NOW);
    await catalog.recordHostStatuses('h1', [{ imageId: 'b', state: 'no-access', reason: 'EACCES' }], false, NOW);
    expect((await catalog.statusesOfHost('h1')).map((s) => [s.imageId, s.state]).sort()).toEqual([['a', 'ok'], ['b', 'no-access']]);
    await catalog.recordHostStatuses('h1', [{ imageId: 'a', state: 'ok', reason: '' }], true, NOW);
    expect((await catalog.statusesOfImage('b'))).toEqual([]);
  });
});
