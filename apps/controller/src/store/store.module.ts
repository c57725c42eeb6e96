import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CatalogRepository, ClusterSecretsRepository, HostsRepository, JoinTokensRepository, openStore, OperatorTokensRepository, Store } from '@imagelib/store';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';

/** Opens the store at start-up (sqlite, or PostgreSQL with IMAGELIB_DATABASE_URL; running migrations) and provides its repositories. */
@Global()
@Module({
  providers: [
    {
      provide: Store,
      inject: [CONTROLLER_CONFIG],
      useFactory: (config: ControllerConfig) => openStore(config.database),
    },
    { provide: HostsRepository, inject: [Store], useFactory: (store: Store) => new HostsRepository(store) },
    { provide: JoinTokensRepository, inject: [Store], useFactory: (store: Store) => new JoinTokensRepository(store) },
    { provide: OperatorTokensRepository, inject: [Store], useFactory: (store: Store) => new OperatorTokensRepository(store) },
    { provide: CatalogRepository, inject: [Store], useFactory: (store: Store) => new CatalogRepository(store) },
    { provide: ClusterSecretsRepository, inject: [Store], useFactory: (store: Store) => new ClusterSecretsRepository(store) },
  ],
  exports: [Store, HostsRepository, JoinTokensRepository, OperatorTokensRepository, CatalogRepository, ClusterSecretsRepository],
})
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(Store) private readonly store: Store) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
