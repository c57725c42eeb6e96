import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { writeFileAtomic } from '@imagelib/durable-fs';
import { type ImageTokenClaims, signImageToken } from '@imagelib/image-token';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';

/** Signs image API tokens with an Ed25519 key kept in the data directory (created on first start). */
@Injectable()
export class ImageTokenSigner implements OnModuleInit {
  private privateKey!: KeyObject;
  publicKeyPem = '';

  constructor(@Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig) {}

  async onModuleInit(): Promise<void> {
    const path = join(this.config.dataDir, 'image-token.key');
    if (!existsSync(path)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      await writeFileAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
    }
    this.privateKey = createPrivateKey(readFileSync(path));
    this.publicKeyPem = createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(claims: ImageTokenClaims): string {
    return signImageToken(this.privateKey, claims);
  }
}
