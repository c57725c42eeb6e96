import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ClusterSecretsRepository, openStore, OperatorTokensRepository, type Store } from '@imagelib/store';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControllerConfig } from '../config/controller-config.js';
import { OperatorTokensService } from './operator-tokens.service.js';

describe('the first operator admin token', () => {
  let root: string;
  let store: Store;

  /** A controller's token service on the shared store, with a data directory of its own. */
  const controller = (name: string) => {
    const dataDir = join(root, name);
    mkdirSync(dataDir, { recursive: true });
    return new OperatorTokensService(new OperatorTokensRepository(store), new ClusterSecretsRepository(store), { dataDir } as ControllerConfig);
  };
  const fileOf = (service: OperatorTokensService) => readFileSync(service.adminTokenPath, 'utf8').trim();

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'imagelib-admin-token-'));
    store = await openStore({ sqlitePath: join(root, 'store.sqlite') });
  });

  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('is created by one of several controllers starting at once, whose data directory alone has the file', async () => {
    const services = ['a', 'b', 'c'].map(controller);
    await Promise.all(services.map((service) => service.onApplicationBootstrap()));
    const holders = services.filter((service) => existsSync(service.adminTokenPath));
    expect(holders).toHaveLength(1);
    expect((await services[0]!.list()).map((token) => token.scope)).toEqual(['admin']);
    expect((await services[1]!.verify(fileOf(holders[0]!))).scope).toBe('admin');
    await Promise.all(services.map((service) => service.onApplicationBootstrap()));
    expect(await services[0]!.list()).toHaveLength(1);
  });

  it('is the token already in the file: a controller that stopped after its claim, or that kept its tokens elsewhere before', async () => {
    const service = controller('a');
    writeFileSync(service.adminTokenPath, 'abcd1234.0123456789abcdef0123456789abcdef\n', { mode: 0o600 });
    await new ClusterSecretsRepository(store).keepFirst('first-admin-token', 'abcd1234');
    await service.onApplicationBootstrap();
    expect((await service.verify('abcd1234.0123456789abcdef0123456789abcdef')).tokenId).toBe('abcd1234');
    expect(fileOf(service)).toBe('abcd1234.0123456789abcdef0123456789abcdef');
  });

  it('is not created by a controller whose file holds a token that lost the claim; that file is removed', async () => {
    await new ClusterSecretsRepository(store).keepFirst('first-admin-token', 'zzzz9999');
    const service = controller('a');
    writeFileSync(service.adminTokenPath, 'abcd1234.0123456789abcdef0123456789abcdef\n', { mode: 0o600 });
    await service.onApplicationBootstrap();
    expect({ file: existsSync(service.adminTokenPath), tokens: await service.list() }).toEqual({ file: false, tokens: [] });
  });
});
