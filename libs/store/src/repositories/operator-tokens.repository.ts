import { IsNull } from 'typeorm';
import type { Store } from '../data-source.js';
import { OperatorTokenEntity, type OperatorScope } from '../entities/operator-token.entity.js';

export interface NewOperatorToken {
  id: string;
  secretHash: string;
  name: string;
  scope: OperatorScope;
}

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
}
