import { Global, Module } from '@nestjs/common';
import { ClusterSecretsRepository, Store } from '@imagelib/store';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { CertificateAuthority } from './certificate-authority.js';
import { KeyMaterial, keyMaterialFor } from './key-material.js';

/** Where key material is kept (decided here, once), and the cluster CA, created on first start. */
@Global()
@Module({
  providers: [
    {
      provide: KeyMaterial,
      inject: [Store, ClusterSecretsRepository, CONTROLLER_CONFIG],
      useFactory: (store: Store, secrets: ClusterSecretsRepository, config: ControllerConfig) => keyMaterialFor(store, secrets, config.dataDir),
    },
    { provide: CertificateAuthority, inject: [KeyMaterial], useFactory: (keys: KeyMaterial) => CertificateAuthority.loadOrCreate(keys) },
  ],
  exports: [KeyMaterial, CertificateAuthority],
})
export class PkiModule {}
