import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { openStore } from './data-source.js';
import { ClusterSecretsRepository } from './repositories/cluster-secrets.repository.js';
import type { Store } from './store.js';
import { describeOnEngines } from './testing/engines.js';

/** Offers per caller in the race. */
const ROUNDS = 20;

describeOnEngines('cluster secrets', (databases) => {
  let stores: Store[];

  beforeEach(async () => {
    const options = await databases.fresh();
    // Two controllers on PostgreSQL; on sqlite, where one process writes at a time, two callers on one store.
    const first = await openStore(options);
    stores = databases.engine === 'postgres' ? [first, await openStore(options)] : [first, first];
  });

  afterEach(async () => {
    await Promise.all([...new Set(stores)].map((store) => store.close()));
  });

  it('keeps the first value offered and gives it back to every later offer', async () => {
    const secrets = new ClusterSecretsRepository(stores[0]!);
    expect(await secrets.find('ca')).toBeNull();
    expect(await secrets.keepFirst('ca', 'first')).toBe('first');
    expect(await secrets.keepFirst('ca', 'second')).toBe('first');
    expect(await secrets.keepFirst('other', 'x'.repeat(10_000))).toBe('x'.repeat(10_000));
    expect(await secrets.find('ca')).toBe('first');
  });

  it('gives every caller the same value when several offer one at once, one of those offered', async () => {
    const offers = await Promise.all(
      stores.flatMap((store, caller) => Array.from({ length: ROUNDS }, (_, round) => new ClusterSecretsRepository(store).keepFirst('ca', `caller-${caller}-${round}`))),
    );
    expect(new Set(offers).size).toBe(1);
    expect(offers[0]).toMatch(/^caller-[01]-\d+$/);
    expect(await new ClusterSecretsRepository(stores[1]!).find('ca')).toBe(offers[0]);
  });
});
