import type { Store } from '../store.js';
import { JoinTokenEntity } from '../entities/join-token.entity.js';

export interface NewJoinToken {
  id: string;
  secretHash: string;
  description: string;
  expiresAt: Date;
  maxUses: number;
}

export class JoinTokensRepository {
  constructor(private readonly store: Store) {}

  create(token: NewJoinToken): Promise<JoinTokenEntity> {
    return this.store.write(async (manager) => {
      await manager.insert(JoinTokenEntity, { ...token, uses: 0 });
      return manager.findOneByOrFail(JoinTokenEntity, { id: token.id });
    });
  }

  findById(id: string): Promise<JoinTokenEntity | null> {
    return this.store.dataSource.getRepository(JoinTokenEntity).findOneBy({ id });
  }

  list(): Promise<JoinTokenEntity[]> {
    return this.store.dataSource.getRepository(JoinTokenEntity).find({ order: { createdAt: 'DESC' } });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.store.write((manager) => manager.delete(JoinTokenEntity, { id }));
    return result.affected === 1;
  }
}
