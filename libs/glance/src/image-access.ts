import { ImageTokenError, verifyImageToken } from '@imagelib/image-token';
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GlanceError } from './glance-error.js';
import type { ImageRecord } from './image-record.js';

/** Who is calling the image API (from a verified X-Auth-Token). */
export interface Caller {
  project: string | null;
  admin: boolean;
}

/** Glance's visibility rule, for a caller without image memberships: public and community for all, the rest for its owner. */
export function canSee(caller: Caller, image: ImageRecord): boolean {
  return caller.admin || image.visibility === 'public' || image.visibility === 'community' || (image.owner !== null && image.owner === caller.project);
}

export function canChange(caller: Caller, image: ImageRecord): boolean {
  return caller.admin || (image.owner !== null && image.owner === caller.project);
}

/** The request's X-Auth-Token; 401 as glance answers a request without one. */
export function authToken(request: IncomingMessage): string {
  const token = request.headers['x-auth-token'];
  if (typeof token !== 'string' || token === '') throw new GlanceError(401, 'This server could not verify that you are authorized to access the document you requested.');
  return token;
}

/** 401 for a token that does not verify (bad signature, expired, malformed). */
export function tokenRefused(reason: string): GlanceError {
  return new GlanceError(401, `Authentication failed: ${reason}.`);
}

/** The caller its X-Auth-Token names, once the token's signature (the controller's key) and expiry are checked; 401 otherwise. */
export function verifiedCaller(request: IncomingMessage, publicKey: KeyObject): Caller {
  const token = authToken(request);
  try {
    const claims = verifyImageToken(publicKey, token, Math.floor(Date.now() / 1000));
    return { project: claims.project, admin: claims.admin };
  } catch (error) {
    if (error instanceof ImageTokenError) throw tokenRefused(error.message);
    throw error;
  }
}
