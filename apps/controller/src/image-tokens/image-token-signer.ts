import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type ImageTokenClaims, signImageToken } from '@imagelib/image-token';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { KeyMaterial, type SecretSpec } from '../pki/key-material.js';

const KEY_FILE = 'image-token.key';
const IMAGE_TOKEN_SECRET: SecretSpec = { name: 'image-token-key', files: { [KEY_FILE]: 0o600 } };

/** Signs image API tokens with an Ed25519 key kept with the controller's key material (created on first start). */
@Injectable()
export class ImageTokenSigner implements OnModuleInit {
  private privateKey!: KeyObject;
  publicKeyPem = '';

  constructor(private readonly keys: KeyMaterial) {}

  async onModuleInit(): Promise<void> {
    const parts = await this.keys.loadOrCreate(IMAGE_TOKEN_SECRET, async () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      return { [KEY_FILE]: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    });
    this.privateKey = createPrivateKey(parts[KEY_FILE] as string);
    this.publicKeyPem = createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(claims: ImageTokenClaims): string {
    return signImageToken(this.privateKey, claims);
  }
}
