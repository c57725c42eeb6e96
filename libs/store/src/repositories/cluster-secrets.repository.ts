import { ClusterSecretEntity } from '../entities/cluster-secret.entity.js';
import type { Store } from '../store.js';

/** The cluster's shared secrets: each written once and never changed. */
export class ClusterSecretsRepository {
  constructor(private readonly store: Store) {}

  find(name: string): Promise<string | null> {
    return this.store.dataSource
      .getRepository(ClusterSecretEntity)
      .findOneBy({ name })
      .then((secret) => secret?.value ?? null);
  }

  /**
   * Stores `value` under `name` unless a value is there already, and returns the one that is stored:
   * of several controllers offering a value at once, every one gets back the value of the first to
   * commit (the insert of the others waits for it, then does nothing).
   */
  async keepFirst(name: string, value: string): Promise<string> {
    await this.store.write((manager) => manager.createQueryBuilder().insert().into(ClusterSecretEntity).values({ name, value }).orIgnore().execute());
    const stored = await this.find(name);
    if (stored === null) throw new Error(`the cluster secret ${name} was not stored`);
    return stored;
  }
}
