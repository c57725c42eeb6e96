import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openStore, type StoreOptions } from './data-source.js';
import { HostRoleEntity } from './entities/host-role.entity.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';
import { HostsRepository } from './repositories/hosts.repository.js';
import { JoinTokensRepository } from './repositories/join-tokens.repository.js';
import { OperatorTokensRepository } from './repositories/operator-tokens.repository.js';
import type { Store } from './store.js';
import { describeOnEngines } from './testing/engines.js';

const HOUR = 3600_000;

describe('migrations', () => {
  it('are kept in step: one PostgreSQL migration for each sqlite one, of the same name, in the same order', () => {
    const names = (migrations: (new () => { name?: string })[]) => migrations.map((migration) => new migration().name);
    expect(names(POSTGRES_MIGRATIONS)).toEqual(names(SQLITE_MIGRATIONS));
  });
});

describeOnEngines('the store', (databases) => {
  let options: StoreOptions;
  let store: Store;
  let hosts: HostsRepository;
  let joinTokens: JoinTokensRepository;

  beforeEach(async () => {
    options = await databases.fresh();
    store = await openStore(options);
    hosts = new HostsRepository(store);
    joinTokens = new JoinTokensRepository(store);
  });

  afterEach(async () => {
    await store.close();
  });

  async function token(id: string, maxUses = 1, expiresAt = new Date(Date.now() + HOUR)) {
    return joinTokens.create({ id, secretHash: 'h'.repeat(64), description: '', expiresAt, maxUses });
  }

  function enrol(hostname: string, joinTokenId: string, hostId = `id-${hostname}`) {
    return hosts.enrol({
      hostId,
      hostname,
      region: 'default',
      agentVersion: '0.1.0',
      joinTokenId,
      credential: { fingerprint: `fp-${hostId}`.padEnd(64, '0'), notAfter: new Date(Date.now() + HOUR) },
      now: new Date(),
    });
  }

  it('has migrations that match the entities exactly', async () => {
    expect(store.engine).toBe(databases.engine);
    const pending = await store.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  if (databases.engine === 'sqlite') {
    it('keeps WAL journaling on, the log synced at checkpoints (NORMAL)', async () => {
      expect(await store.dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await store.dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    });
  }

  it('keeps times to the millisecond as UTC, whatever the zone of the controller (and of the PostgreSQL server)', async () => {
    expect(new Date('2031-03-04T05:06:07.089Z').getTimezoneOffset()).toBe(210); // jest.config.js: America/St_Johns
    if (databases.engine === 'postgres') {
      await store.dataSource.query(`ALTER DATABASE "${new URL((options as { postgresUrl: string }).postgresUrl).pathname.slice(1)}" SET timezone TO 'Pacific/Chatham'`);
      await store.close();
      store = await openStore(options);
    }
    const tokens = new JoinTokensRepository(store);
    const expiresAt = new Date('2031-03-04T05:06:07.089Z');
    const before = Date.now();
    await tokens.create({ id: 'zoned', secretHash: 'h'.repeat(64), description: '', expiresAt, maxUses: 1 });
    const stored = await tokens.findById('zoned');
    expect(stored?.expiresAt.toISOString()).toBe(expiresAt.toISOString());
    // The database's own clock (the createdAt default) agrees with this process's to within a minute, not hours.
    expect(Math.abs(stored!.createdAt.getTime() - before)).toBeLessThan(60_000);
  });

  it('lets a single-use join token enrol exactly one host, even when used concurrently', async () => {
    await token('tok1');
    const results = await Promise.all([enrol('a', 'tok1'), enrol('b', 'tok1'), enrol('c', 'tok1')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['join-token-unusable', 'join-token-unusable']);
    expect((await joinTokens.findById('tok1'))?.uses).toBe(1);
  });

  it('refuses an expired join token and a taken hostname without consuming a use', async () => {
    await token('old', 5, new Date(Date.now() - 1000));
    expect(await enrol('a', 'old')).toEqual({ ok: false, reason: 'join-token-unusable' });
    await token('tok', 5);
    expect((await enrol('a', 'tok')).ok).toBe(true);
    expect(await enrol('a', 'tok', 'other-id')).toEqual({ ok: false, reason: 'hostname-taken', existingHostId: 'id-a' });
    expect((await joinTokens.findById('tok'))?.uses).toBe(1);
  });

  it('walks a role through pending, active, removing and gone, ignoring stale generations', async () => {
    await token('tok', 2);
    await enrol('a', 'tok');
    const config = { repositoryPath: '/srv/images', port: 9292, requireMount: false };
    const assigned = await hosts.assignRole('id-a', 'image-library', config);
    expect(assigned).toMatchObject({ state: 'pending', generation: 1 });
    expect(await hosts.assignRole('id-a', 'image-library', config)).toMatchObject({ generation: 1 });

    const active = await hosts.applyRoleStatus({ hostId: 'id-a', role: 'image-library', generation: 1, outcome: 'active', reason: '', url: 'http://a:9292', storageId: 's1' });
    expect(active).toMatchObject({ state: 'active', url: 'http://a:9292', storageId: 's1' });
    expect((await hosts.hostsWithRole('image-library')).map((h) => h.id)).toEqual(['id-a']);

    const moved = await hosts.assignRole('id-a', 'image-library', { ...config, port: 9293 });
    expect(moved).toMatchObject({ state: 'pending', generation: 2, port: 9293 });
    const stale = await hosts.applyRoleStatus({ hostId: 'id-a', role: 'image-library', generation: 1, outcome: 'failed', reason: 'old', url: '', storageId: '' });
    expect(stale).toMatchObject({ state: 'pending', generation: 2 });

    expect(await hosts.markRoleRemoving('id-a', 'image-library')).toMatchObject({ state: 'removing', generation: 3 });
    expect(await hosts.hostsWithRole('image-library')).toEqual([]);
    expect(await hosts.applyRoleStatus({ hostId: 'id-a', role: 'image-library', generation: 3, outcome: 'stopped', reason: '', url: '', storageId: '' })).toBeNull();
    expect((await hosts.findById('id-a'))?.roles).toEqual([]);
  });

  it('revokes every credential of a removed host and drops its roles', async () => {
    await token('tok');
    await enrol('a', 'tok');
    expect(await hosts.trustedHostOf('fp-id-a'.padEnd(64, '0'))).toBe('id-a');
    await hosts.assignRole('id-a', 'image-library', { repositoryPath: '/srv/images', port: 9292, requireMount: false });
    expect(await hosts.remove('id-a', new Date())).toBe(true);
    expect(await hosts.trustedHostOf('fp-id-a'.padEnd(64, '0'))).toBeNull();
    expect(await hosts.findById('id-a')).toBeNull();
    expect((await hosts.findCredential('fp-id-a'.padEnd(64, '0')))?.revokedAt).toBeInstanceOf(Date);
    expect(await store.dataSource.getRepository(HostRoleEntity).count()).toBe(0);
  });

  it('counts only operator tokens that are not revoked', async () => {
    const operators = new OperatorTokensRepository(store);
    expect(await operators.countActive()).toBe(0);
    await operators.create({ id: 'op1', secretHash: 'x'.repeat(64), name: 'admin', scope: 'admin' });
    expect(await operators.countActive()).toBe(1);
  });

  it('revokes operator tokens but never the last active admin token', async () => {
    const operators = new OperatorTokensRepository(store);
    await operators.create({ id: 'admin1', secretHash: 'x'.repeat(64), name: 'admin', scope: 'admin' });
    await operators.create({ id: 'viewer1', secretHash: 'y'.repeat(64), name: 'viewer', scope: 'read-only' });
    expect(await operators.revoke('admin1', new Date())).toBe('last-admin');
    expect(await operators.revoke('viewer1', new Date())).toBe('revoked');
    expect(await operators.revoke('viewer1', new Date())).toBe('revoked');
    expect(await operators.revoke('nobody', new Date())).toBe('not-found');
    await operators.create({ id: 'admin2', secretHash: 'z'.repeat(64), name: 'second admin', scope: 'admin' });
    expect(await operators.revoke('admin1', new Date())).toBe('revoked');
    expect((await operators.list()).map((t) => [t.id, t.revokedAt !== null]).sort()).toEqual([
      ['admin1', true],
      ['admin2', false],
      ['viewer1', true],
    ]);
  });

  it('keeps what it wrote across a reopen', async () => {
    await token('tok');
    await enrol('a', 'tok');
    await store.close();
    store = await openStore(options);
    expect((await new HostsRepository(store).findById('id-a'))?.hostname).toBe('a');
  });
});
