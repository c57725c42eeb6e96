import { writeFileAtomic } from '@imagelib/durable-fs';
import { existsSync, readFileSync } from 'node:fs';

/** What enrolment gives the host: its identity and its TLS client credential. Kept 0600 in the state directory. */
export interface Credential {
  hostId: string;
  privateKeyPem: string;
  certificatePem: string;
  caCertificatePem: string;
}

export function readCredential(path: string): Credential | null {
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Credential>;
  if (!parsed.hostId || !parsed.privateKeyPem || !parsed.certificatePem || !parsed.caCertificatePem) {
    throw new Error(`${path} is not a complete credential; remove it and enrol again with a new join token`);
  }
  return parsed as Credential;
}

export function saveCredential(path: string, credential: Credential): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(credential, null, 2), 0o600);
}
