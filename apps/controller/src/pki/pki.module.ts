import { Global, Module } from '@nestjs/common';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { CertificateAuthority } from './certificate-authority.js';

/** Loads the cluster CA from the data directory, creating it on first start. */
@Global()
@Module({
  providers: [
    {
      provide: CertificateAuthority,
      inject: [CONTROLLER_CONFIG],
      useFactory: (config: ControllerConfig) => CertificateAuthority.loadOrCreate(config.dataDir),
    },
  ],
  exports: [CertificateAuthority],
})
export class PkiModule {}
