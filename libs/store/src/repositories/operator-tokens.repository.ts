import { IsNull } from 'typeorm';
import type { Store } from '../store.js';
import { OperatorTokenEntity, type OperatorScope } from '../entities/operator-token.entity.js';

export interface NewOperatorToken {
  id: string;
  secretHash: string;
  name: string;
  scope: OperatorScope;
}

/** What a revocation did: a token that was already revoked counts as revoked. */
export type RevokeOutcome = 'revoked' | 'not-found' | 'last-admin';

export class OperatorTokensRepository {
  constructor(private readonly store: Store) {}

  create(token: NewOperatorToken): Promise<OperatorTokenEntity> {
    return this.store.write(async (manager) => {
      await manager.insert(OperatorTokenEntity, { ...token, revokedAt: null });
      return manager.findOneByOrFail(OperatorTokenEntity, { id: token.id });
    });
  }

  findById(id: string): Promise<OperatorTokenEntity | null> {
    return this.store.dataSource.getRepository(OperatorTokenEntity).findOneBy({ id });
  }

  countActive(): Promise<number> {
    return this.store.dataSource.getRepository(OperatorTokenEntity).countBy({ revokedAt: IsNull() });
  }

  list(): Promise<OperatorTokenEntity[]> {
    return this.store.dataSource.getRepository(OperatorTokenEntity).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Revokes the token, unless it is the last active admin token (nobody could manage the controller
   * then). The active admin tokens are locked first (on PostgreSQL): two controllers revoking the
   * last two at once cannot both count two.
   */
  revoke(id: string, at: Date): Promise<RevokeOutcome> {
    return this.store.write(async (manager) => {
      await this.store.lock(manager, OperatorTokenEntity, { scope: 'admin', revokedAt: IsNull() }, 'pessimistic_write');
      const token = await manager.findOneBy(OperatorTokenEntity, { id });
      if (!token) return 'not-found';
      if (token.revokedAt) return 'revoked';
      if (token.scope === 'admin' && (await manager.countBy(OperatorTokenEntity, { scope: 'admin', revokedAt: IsNull() })) <= 1) return 'last-admin';
      await manager.update(OperatorTokenEntity, { id }, { revokedAt: at });
      return 'revoked';
    });
  }
}
