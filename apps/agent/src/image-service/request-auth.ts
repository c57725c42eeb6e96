import { authToken, type Caller, GlanceError, tokenRefused } from '@imagelib/glance';
import { ImageTokenError, verifyImageToken } from '@imagelib/image-token';
import type { IncomingMessage } from 'node:http';

/** Everyone is admin: the explicit development mode (`imageApiAuth: none`). */
const NO_AUTH_CALLER: Caller = { project: null, admin: true };

/**
 * Verifies X-Auth-Token locally with the controller's public key: no round trip, so the image API
 * keeps working while the controller is away.
 */
export class RequestAuth {
  private publicKeyPem: string | null = null;

  constructor(private readonly mode: 'token' | 'none') {}

  /** The key arrives with the controller's welcome; kept across reconnects. */
  setPublicKey(pem: string): void {
    if (pem) this.publicKeyPem = pem;
  }

  caller(request: IncomingMessage): Caller {
    if (this.mode === 'none') return NO_AUTH_CALLER;
    const token = authToken(request);
    if (!this.publicKeyPem) throw new GlanceError(503, 'This host has not yet learned how to verify tokens; try again shortly.');
    try {
      const claims = verifyImageToken(this.publicKeyPem, token, Math.floor(Date.now() / 1000));
      return { project: claims.project, admin: claims.admin };
    } catch (error) {
      if (error instanceof ImageTokenError) throw tokenRefused(error.message);
      throw error;
    }
  }
}
