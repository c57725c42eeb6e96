import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ClusterSecretsRepository, openStore, type Store } from '@imagelib/store';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseKeyMaterial, DataDirectoryKeyMaterial, keyMaterialFor, type SecretSpec } from './key-material.js';

const SECRET: SecretSpec = { name: 'pair', files: { 'pair.pub': 0o644, 'pair.key': 0o600 } };

describe('key material', () => {
  let root: string;
  let store: Store;
  const dir = (name: string) => join(root, name);
  /** A creator that makes distinct parts on every call, and counts them. */
  const creator = () => {
    let calls = 0;
    const create = async () => {
      calls += 1;
      return { 'pair.pub': `public ${calls}`, 'pair.key': `private ${calls}` };
    };
    return { create, calls: () => calls };
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'imagelib-keys-'));
    store = await openStore({ sqlitePath: join(root, 'store.sqlite') });
  });

  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('is the data directory on sqlite', () => {
    expect(keyMaterialFor(store, new ClusterSecretsRepository(store), root)).toBeInstanceOf(DataDirectoryKeyMaterial);
  });

  it('in the data directory: creates the files once, with their modes, and reads them afterwards', async () => {
    const { create, calls } = creator();
    const first = await new DataDirectoryKeyMaterial(dir('a')).loadOrCreate(SECRET, create);
    const again = await new DataDirectoryKeyMaterial(dir('a')).loadOrCreate(SECRET, create);
    expect({ first, again, calls: calls() }).toEqual({ first: { 'pair.pub': 'public 1', 'pair.key': 'private 1' }, again: first, calls: 1 });
    expect(statSync(join(dir('a'), 'pair.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir('a'), 'pair.pub')).mode & 0o777).toBe(0o644);
    expect(statSync(dir('a')).mode & 0o777).toBe(0o700);
  });

  it('in the database: one value for every controller whatever its data directory, and no files written', async () => {
    const { create, calls } = creator();
    const secrets = new ClusterSecretsRepository(store);
    const loaded = await Promise.all(['a', 'b', 'c'].map((name) => new DatabaseKeyMaterial(secrets, dir(name)).loadOrCreate(SECRET, create)));
    expect(new Set(loaded.map((parts) => JSON.stringify(parts))).size).toBe(1);
    expect(calls()).toBeGreaterThanOrEqual(1);
    expect(await new DatabaseKeyMaterial(secrets, dir('d')).loadOrCreate(SECRET, create)).toEqual(loaded[0]);
    expect(['a', 'b', 'c', 'd'].filter((name) => existsSync(join(dir(name), 'pair.key')))).toEqual([]);
  });

  it('in the database: the first start stores the data directory files; files that differ later are not used', async () => {
    const { create, calls } = creator();
    const secrets = new ClusterSecretsRepository(store);
    const old = new DataDirectoryKeyMaterial(dir('old'));
    const kept = await old.loadOrCreate(SECRET, create);
    expect(await new DatabaseKeyMaterial(secrets, dir('old')).loadOrCreate(SECRET, create)).toEqual(kept);
    const other = await new DataDirectoryKeyMaterial(dir('other')).loadOrCreate(SECRET, create);
    expect(other).not.toEqual(kept);
    expect(await new DatabaseKeyMaterial(secrets, dir('other')).loadOrCreate(SECRET, create)).toEqual(kept);
    expect(calls()).toBe(2);
    expect(readFileSync(join(dir('other'), 'pair.key'), 'utf8')).toBe('private 2');
  });

  it('in the database: a value without one of the parts is refused', async () => {
    const secrets = new ClusterSecretsRepository(store);
    await secrets.keepFirst(SECRET.name, JSON.stringify({ 'pair.pub': 'only the public part' }));
    await expect(new DatabaseKeyMaterial(secrets, dir('a')).loadOrCreate(SECRET, creator().create)).rejects.toThrow('pair has no pair.key');
  });
});
