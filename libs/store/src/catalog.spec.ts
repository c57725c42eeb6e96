import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { openStore } from './data-source.js';
import type { ImageEntity } from './entities/image.entity.js';
import { CatalogRepository } from './repositories/catalog.repository.js';
import { HostsRepository } from './repositories/hosts.repository.js';
import { JoinTokensRepository } from './repositories/join-tokens.repository.js';
import type { Store } from './store.js';
import { describeOnEngines } from './testing/engines.js';

const NOW = '2026-11-22T00:00:00.000Z';

function image(id: string, overrides: Partial<ImageEntity> = {}): Omit<ImageEntity, 'revision' | 'filesPending'> {
  return {
    id, name: id, status: 'queued', visibility: 'shared', protected: false, osHidden: false, diskFormat: 'raw', containerFormat: 'bare',
    size: null, virtualSize: null, checksum: null, osHashAlgo: null, osHashValue: null, minRam: 0, minDisk: 0, owner: null,
    tags: [], properties: {}, createdAt: NOW, updatedAt: NOW, fileName: null, ...overrides,
  };
}

describeOnEngines('the catalog', (databases) => {
  const statusesOfHost = async (hostId: string) => (await catalog.allStatuses()).filter((status) => status.hostId === hostId);
  let store: Store;
  let catalog: CatalogRepository;

  beforeEach(async () => {
    store = await openStore(await databases.fresh());
    catalog = new CatalogRepository(store);
  });

  afterEach(async () => {
    await store.close();
  });

  it('stamps every change with the next revision and tells a host what changed since its own', async () => {
    expect(await catalog.revision()).toBe(0);
    await catalog.create(image('a'));
    const created = await catalog.create(image('b', { tags: ['t'], properties: { k: 'v' }, protected: true }));
    expect(await catalog.findById('b')).toEqual(created);
    expect([await catalog.exists('b'), await catalog.exists('zz')]).toEqual([true, false]);
    const grown = await catalog.update('a', (current) => ({ ...current!, size: 6_000_000_000, status: 'active' }));
    expect(grown).toMatchObject({ revision: 3, size: 6_000_000_000 });
    expect(await catalog.findById('a')).toEqual(grown);
    expect(await catalog.update('a', (current) => current!)).toMatchObject({ revision: 3 });
    await catalog.update('b', (current) => ({ ...current!, status: 'deleted', filesPending: true }));

    const since1 = await catalog.changesSince(1);
    expect(since1.revision).toBe(4);
    expect(since1.changed.map((i) => [i.id, i.status, i.revision])).toEqual([['a', 'active', 3], ['b', 'deleted', 4]]);
    expect((await catalog.changesSince(4)).changed).toEqual([]);
    expect((await catalog.listLive()).map((i) => i.id)).toEqual(['a']);
    expect((await catalog.filesPendingDeletion()).map((i) => i.id)).toEqual(['b']);
  });

  it('makes one image of a file found by several hosts at once, and updates it when its content changes', async () => {
    const register = (sha: string) =>
      catalog.updateByFileNames([{ fileName: 'cirros.qcow2', sha }], (file, current) =>
        current ? (current.osHashValue === file.sha ? current : { ...current, osHashValue: file.sha }) : { ...image(`img-${Math.random()}`), fileName: file.fileName, osHashValue: file.sha },
      );
    const found = (await Promise.all([register('s1'), register('s1'), register('s1')])).flat();
    expect(new Set(found.map((i) => i!.id)).size).toBe(1);
    expect(await catalog.revision()).toBe(1);
    const [replaced] = await register('s2');
    expect(replaced).toMatchObject({ id: found[0]!.id, osHashValue: 's2', revision: 2 });
    expect(await catalog.findById(found[0]!.id)).toEqual(replaced);
  });

  it('catalogues a batch of files in one transaction under one revision, leaving unchanged ones alone', async () => {
    const files = Array.from({ length: 1234 }, (_, i) => ({ fileName: `f${String(i).padStart(4, '0')}.raw`, sha: 'a' }));
    const register = (batch: typeof files) =>
      catalog.updateByFileNames(batch, (file, current) =>
        current ? (current.osHashValue === file.sha ? current : { ...current, osHashValue: file.sha }) : { ...image(`id-${file.fileName}`), fileName: file.fileName, osHashValue: file.sha },
      );
    const first = await register(files);
    expect(first).toHaveLength(1234);
    expect(new Set(first.map((i) => i!.revision))).toEqual(new Set([1]));
    expect(await catalog.revision()).toBe(1);
    expect(await catalog.findById('id-f1233.raw')).toEqual(first[1233]);

    // Mostly unchanged, one replaced, one new, and a file named twice: the second sees the first.
    const again = await register([
      ...files.slice(0, 600),
      { fileName: 'f0007.raw', sha: 'b' },
      { fileName: 'new.raw', sha: 'c' },
      { fileName: 'new.raw', sha: 'd' },
    ]);
    expect(await catalog.revision()).toBe(2);
    expect(again[0]).toEqual(first[0]);
    expect(again[600]).toMatchObject({ id: 'id-f0007.raw', osHashValue: 'b', revision: 2 });
    expect(again[601]!.id).toBe(again[602]!.id);
    expect(await catalog.findById('id-new.raw')).toMatchObject({ osHashValue: 'd', revision: 2 });
    const changes = await catalog.changesSince(1);
    expect(changes.changed.map((i) => i.id).sort()).toEqual(['id-f0007.raw', 'id-new.raw']);
    expect((await register(files.slice(10, 20))).every((i) => i!.revision === 1)).toBe(true);
    expect(await catalog.revision()).toBe(2);
  });

  it("tells whether a deleted image's file of the same name is being removed, and leaves out what the change refuses", async () => {
    await catalog.create(image('gone', { fileName: 'gone.raw', status: 'active' }));
    await catalog.update('gone', (current) => ({ ...current!, status: 'deleted', filesPending: true }));
    const seen: [string, boolean][] = [];
    const outcome = await catalog.updateByFileNames([{ fileName: 'gone.raw' }, { fileName: 'fresh.raw' }], (file, _current, beingRemoved) => {
      seen.push([file.fileName, beingRemoved]);
      return beingRemoved ? null : { ...image(`id-${file.fileName}`), fileName: file.fileName };
    });
    expect(seen).toEqual([['gone.raw', true], ['fresh.raw', false]]);
    expect(outcome.map((i) => i?.id ?? null)).toEqual([null, 'id-fresh.raw']);
    await catalog.markFilesDeleted('gone');
    const [again] = await catalog.updateByFileNames([{ fileName: 'gone.raw' }], (file, _current, beingRemoved) => (beingRemoved ? null : { ...image('id-again'), fileName: file.fileName }));
    expect(again?.id).toBe('id-again');
  });

  it('rolls back a batch whose change throws, keeping nothing of it', async () => {
    await expect(
      catalog.updateByFileNames([{ fileName: 'a.raw' }, { fileName: 'b.raw' }], (file) => {
        if (file.fileName === 'b.raw') throw new Error('refused');
        return { ...image('a'), fileName: file.fileName };
      }),
    ).rejects.toThrow('refused');
    expect(await catalog.revision()).toBe(0);
    expect(await catalog.listLive()).toEqual([]);
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
    expect((await statusesOfHost('h1')).map((s) => [s.imageId, s.state]).sort()).toEqual([['a', 'ok'], ['b', 'no-access']]);
    await catalog.recordHostStatuses('h1', [{ imageId: 'a', state: 'ok', reason: '' }], true, NOW);
    expect((await catalog.statusesOfImage('b'))).toEqual([]);

    // Thousands at once; a repeated report changes nothing, a status keeps the time it last changed.
    const ids = Array.from({ length: 1500 }, (_, i) => `many-${i}`);
    await catalog.updateByFileNames(ids.map((id) => ({ fileName: id })), (file) => ({ ...image(file.fileName), fileName: file.fileName }));
    const report = ids.map((imageId) => ({ imageId, state: 'ok' as const, reason: '' }));
    await catalog.recordHostStatuses('h1', report, true, NOW);
    const later = '2026-11-22T01:00:00.000Z';
    await catalog.recordHostStatuses('h1', [...report.slice(1), { imageId: 'many-0', state: 'missing', reason: 'ENOENT' }], true, later);
    const stored = new Map((await statusesOfHost('h1')).map((s) => [s.imageId, s]));
    expect(stored.size).toBe(1500);
    expect(stored.get('many-0')).toMatchObject({ state: 'missing', reason: 'ENOENT', updatedAt: later });
    expect(stored.get('many-1')).toMatchObject({ state: 'ok', updatedAt: NOW });
    const column = await catalog.liveImagesOnHost('h1');
    expect(column).toHaveLength(1502);
    expect(column[0]).toEqual({ imageId: 'a', name: 'a', status: 'queued', state: null, reason: null });
    expect(column.find((image) => image.imageId === 'many-0')).toEqual({ imageId: 'many-0', name: 'many-0', status: 'queued', state: 'missing', reason: 'ENOENT' });
    await catalog.recordHostStatuses('h1', [{ imageId: 'many-1', state: 'no-access', reason: 'EACCES' }], false, later);
    expect((await catalog.statusesOfImage('many-1'))[0]).toMatchObject({ state: 'no-access', updatedAt: later });
  });
});
