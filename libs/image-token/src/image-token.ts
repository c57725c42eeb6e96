import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

const PREFIX = 'ilt1';

/** What an image API token says about its bearer. */
export interface ImageTokenClaims {
  /** Who the token was issued to (a name for logs and audit). */
  subject: string;
  /** The project (Glance owner) the bearer acts for; null for none. */
  project: string | null;
  /** Admin tokens see and change every image, as Glance's admin role. */
  admin: boolean;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

export class ImageTokenError extends Error {}

/** "ilt1.<claims, base64url JSON>.<Ed25519 signature of 'ilt1.<claims>', base64url>". */
export function signImageToken(privateKey: KeyObject, claims: ImageTokenClaims): string {
  const payload = Buffer.from(JSON.stringify({ sub: claims.subject, prj: claims.project, adm: claims.admin, exp: claims.expiresAt })).toString('base64url');
  const signed = `${PREFIX}.${payload}`;
  return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`;
}

/** Checks the signature and expiry; throws ImageTokenError saying what is wrong. */
export function verifyImageToken(publicKey: KeyObject | string, token: string, nowSeconds: number): ImageTokenClaims {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || token.length > 4096) throw new ImageTokenError('malformed token');
  const [, payload, signature] = parts as [string, string, string];
  if (!verify(null, Buffer.from(`${PREFIX}.${payload}`), key, Buffer.from(signature, 'base64url'))) throw new ImageTokenError('bad token signature');
  let raw: { sub?: unknown; prj?: unknown; adm?: unknown; exp?: unknown };
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof raw;
  } catch {
    throw new ImageTokenError('malformed token');
  }
  if (typeof raw.sub !== 'string' || (raw.prj !== null && typeof raw.prj !== 'string') || typeof raw.adm !== 'boolean' || typeof raw.exp !== 'number') {
    throw new ImageTokenError('malformed token');
  }
  if (raw.exp <= nowSeconds) throw new ImageTokenError('token expired');
  return { subject: raw.sub, project: raw.prj, admin: raw.adm, expiresAt: raw.exp };
}
