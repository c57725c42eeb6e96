import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { openStore } from './data-source.js';
import type { ImageEntity } from './entities/image.entity.js';
import { CatalogRepository } from './repositories/catalog.repository.js';
import { HostsRepository } from './repositories/hosts.repository.js';
import { JoinTokensRepository } from './repositories/join-tokens.repository.js';
import { OperatorTokensRepository } from './repositories/operator-tokens.repository.js';
import type { Store } from './store.js';
import { describeOnEngines } from './testing/engines.js';

const NOW = '2026-11-22T00:00:00.000Z';
const HOUR = 3600_000;
/** Operations per controller in each race. */
const ROUNDS = 25;

function image(id: string, overrides: Partial<ImageEntity> = {}): Omit<ImageEntity, 'revision' | 'filesPending'> {
  return {
    id, name: id, status: 'queued', visibility: 'shared', protected: false, osHidden: false, diskFormat: 'raw', containerFormat: 'bare',
    size: null, virtualSize: null, checksum: null, osHashAlgo: null, osHashValue: null, minRam: 0, minDisk: 0, owner: null,
    tags: [], properties: {}, createdAt: NOW, updatedAt: NOW, fileName: null, ...overrides,
  };
}

/** Runs `operation` ROUNDS times on each controller's store, both at once; the results of each, in order. */
function race<T>(stores: Store[], operation: (store: Store, round: number, controller: number) => Promise<T>): Promise<T[][]> {
  return Promise.all(stores.map(async (store, controller) => Promise.all(Array.from({ length: ROUNDS }, (_, round) => operation(store, round, controller)))));
}

// Two stores on one database, each with its own pool, as two controllers have. (On sqlite one
// process writes at a time and a controller's Store.write serialises its own writes: nothing races.)
describeOnEngines(
  'two controllers writing at once',
  (databases) => {
    let stores: Store[];

    beforeEach(async () => {
      const options = await databases.fresh();
      // Two controllers starting together: migrations run once, one after the other waits.
      stores = await Promise.all([openStore(options), openStore(options)]);
    });

    afterEach(async () => {
      await Promise.all(stores.map((store) => store.close()));
    });

    it('give every catalog change its own revision, in commit order, and lose no read-modify-write', async () => {
      const [catalog] = stores.map((store) => new CatalogRepository(store));
      await catalog!.create(image('counter'));
      const results = await race(stores, (store, round, controller) =>
        round % 2 === 0
          ? new CatalogRepository(store).create(image(`c${controller}-${round}`))
          : new CatalogRepository(store).update('counter', (current) => ({ ...current!, minRam: current!.minRam + 1 })),
      );
      const revisions = results.flat().map((changed) => changed.revision);
      expect(new Set(revisions).size).toBe(2 * ROUNDS);
      for (const ofOne of results) {
        const own = ofOne.map((changed) => changed.revision);
        expect(own).toEqual([...own].sort((a, b) => a - b)); // each controller's writes, in its order
      }
      expect(await catalog!.revision()).toBe(2 * ROUNDS + 1);
      expect((await catalog!.findById('counter'))?.minRam).toBe(2 * Math.floor(ROUNDS / 2));
      const changes = await catalog!.changesSince(0);
      expect(changes.changed).toHaveLength(2 * Math.ceil(ROUNDS / 2) + 1);
      expect(changes.changed.map((changed) => changed.revision)).toEqual([...new Set(changes.changed.map((changed) => changed.revision))].sort((a, b) => a - b));
    });

    it('make one image per file when hosts on shared storage report the same files through two controllers', async () => {
      const files = Array.from({ length: 20 }, (_, i) => ({ fileName: `shared-${i}.raw` }));
      await race(stores, (store, round, controller) =>
        new CatalogRepository(store).updateByFileNames(files.slice(round % 10), (file, current) => current ?? { ...image(`img-${controller}-${round}-${file.fileName}`), fileName: file.fileName }),
      );
      const live = await new CatalogRepository(stores[0]!).listLive();
      expect(live.map((found) => found.fileName).sort()).toEqual(files.map((file) => file.fileName).sort());
    });

    it('give every role change its own generation, and apply a status only to its generation', async () => {
      const tokens = new JoinTokensRepository(stores[0]!);
      await tokens.create({ id: 'tok', secretHash: 'h'.repeat(64), description: '', expiresAt: new Date(Date.now() + HOUR), maxUses: 1 });
      await new HostsRepository(stores[0]!).enrol({ hostId: 'h1', hostname: 'h1', region: 'default', agentVersion: '', joinTokenId: 'tok', credential: { fingerprint: 'f'.repeat(64), notAfter: new Date(Date.now() + HOUR) }, now: new Date() });
      const results = await race(stores, (store, round, controller) =>
        round % 3 === 2
          ? new HostsRepository(store).applyRoleStatus({ hostId: 'h1', role: 'image-library', generation: round, outcome: 'active', reason: '', url: 'http://h1:9292', storageId: 's' })
          : new HostsRepository(store).assignRole('h1', 'image-library', { repositoryPath: '/srv/images', port: 10_000 + controller * 1000 + round, requireMount: false }),
      );
      const assigned = results.flatMap((ofOne) => ofOne.filter((_, round) => round % 3 !== 2)).map((role) => role!.generation);
      expect(new Set(assigned).size).toBe(assigned.length);
      expect(Math.max(...assigned)).toBe(assigned.length);
      const role = (await new HostsRepository(stores[1]!).findById('h1'))!.roles[0]!;
      expect(role.generation).toBe(assigned.length);
    });

    it('let a join token enrol as many hosts as it allows, and a hostname be taken once', async () => {
      const tokens = new JoinTokensRepository(stores[0]!);
      await tokens.create({ id: 'three', secretHash: 'h'.repeat(64), description: '', expiresAt: new Date(Date.now() + HOUR), maxUses: 3 });
      await tokens.create({ id: 'many', secretHash: 'h'.repeat(64), description: '', expiresAt: new Date(Date.now() + HOUR), maxUses: 1000 });
      const enrol = (store: Store, hostname: string, joinTokenId: string, hostId: string) =>
        new HostsRepository(store).enrol({ hostId, hostname, region: 'default', agentVersion: '', joinTokenId, credential: { fingerprint: hostId.padEnd(64, '0'), notAfter: new Date(Date.now() + HOUR) }, now: new Date() });
      const limited = (await race(stores, (store, round, controller) => enrol(store, `l-${controller}-${round}`, 'three', `l-${controller}-${round}`))).flat();
      expect(limited.filter((result) => result.ok)).toHaveLength(3);
      const sameName = (await race(stores, (store, round, controller) => enrol(store, `same-${round % 5}`, 'many', `s-${controller}-${round}`))).flat();
      expect(sameName.filter((result) => result.ok)).toHaveLength(5);
      expect(new Set(sameName.filter((result) => !result.ok).map((result) => !result.ok && result.reason))).toEqual(new Set(['hostname-taken']));
      expect((await tokens.findById('three'))?.uses).toBe(3);
      expect((await tokens.findById('many'))?.uses).toBe(5);
    });

    it('never revoke the last admin token, however the revocations meet', async () => {
      const operators = new OperatorTokensRepository(stores[0]!);
      await operators.create({ id: 'admin-0', secretHash: 'x'.repeat(64), name: 'admin 0', scope: 'admin' });
      let survivor = 'admin-0';
      for (let round = 1; round <= ROUNDS; round += 1) {
        await operators.create({ id: `admin-${round}`, secretHash: 'x'.repeat(64), name: `admin ${round}`, scope: 'admin' });
        const both = [survivor, `admin-${round}`];
        const outcomes = await Promise.all(both.map((id, i) => new OperatorTokensRepository(stores[i]!).revoke(id, new Date())));
        expect([...outcomes].sort()).toEqual(['last-admin', 'revoked']);
        survivor = both[outcomes.indexOf('last-admin')]!;
      }
      expect(await operators.countActive()).toBe(1);
    });

    it('record status reports of a host through both controllers while images are deleted, without a deadlock', async () => {
      const tokens = new JoinTokensRepository(stores[0]!);
      await tokens.create({ id: 'tok', secretHash: 'h'.repeat(64), description: '', expiresAt: new Date(Date.now() + HOUR), maxUses: 1 });
      await new HostsRepository(stores[0]!).enrol({ hostId: 'h1', hostname: 'h1', region: 'default', agentVersion: '', joinTokenId: 'tok', credential: { fingerprint: 'f'.repeat(64), notAfter: new Date(Date.now() + HOUR) }, now: new Date() });
      const ids = Array.from({ length: 10 }, (_, i) => `img-${i}`);
      for (const id of ids) await new CatalogRepository(stores[0]!).create(image(id));
      await race(stores, async (store, round, controller) => {
        const catalog = new CatalogRepository(store);
        if (controller === 0 && round % 5 === 0) return catalog.update(ids[round / 5]!, (current) => ({ ...current!, status: 'deleted', filesPending: true }));
        if (controller === 0 && round % 5 === 1) return catalog.markFilesDeleted(ids[(round - 1) / 5]!);
        return catalog.recordHostStatuses('h1', ids.map((imageId) => ({ imageId, state: round % 2 ? 'ok' : 'missing', reason: '' })), round % 4 === 0, NOW);
      });
      const catalog = new CatalogRepository(stores[1]!);
      await catalog.recordHostStatuses('h1', ids.map((imageId) => ({ imageId, state: 'ok', reason: '' })), true, NOW);
      const live = new Set((await catalog.listLive()).map((found) => found.id));
      expect(live).toEqual(new Set(ids.slice(5)));
      expect((await catalog.allStatuses()).filter((status) => live.has(status.imageId)).map((status) => status.state)).toEqual(Array(5).fill('ok'));
    });
  },
  ['postgres'],
);
