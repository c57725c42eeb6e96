import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A token is "<id>.<secret>": the id finds the record, only the secret's SHA-256 is stored. */
export interface SecretToken {
  id: string;
  secret: string;
}

export function generateSecretToken(idLength: number, secretLength: number): SecretToken {
  return { id: randomString(idLength), secret: randomString(secretLength) };
}

export function formatSecretToken(token: SecretToken): string {
  return `${token.id}.${token.secret}`;
}

/** Parses "<id>.<secret>" where both parts are lowercase letters and digits of the given lengths. */
export function parseSecretToken(value: string, idLength: number, secretLength: number): SecretToken | null {
  const pattern = new RegExp(`^([a-z0-9]{${idLength}})\\.([a-z0-9]{${secretLength}})$`);
  const match = pattern.exec(value);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
