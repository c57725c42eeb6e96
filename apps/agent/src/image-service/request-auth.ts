import { authToken, type Caller, GlanceError, verifiedCaller } from '@imagelib/glance';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Everyone is admin: the explicit development mode (`imageApiAuth: none`). */
const NO_AUTH_CALLER: Caller = { project: null, admin: true };

/**
 * Verifies X-Auth-Token locally with the controller's public key: no round trip, so the image API
 * keeps working while the controller is away.
 */
export class RequestAuth {
  private publicKey: KeyObject | null = null;

  constructor(private readonly mode: 'token' | 'none') {}

  /** The key arrives with the controller's welcome (parsed once here, not per request); kept across reconnects. */
  setPublicKey(pem: string): void {
    if (pem) this.publicKey = createPublicKey(pem);
  }

  caller(request: IncomingMessage): Caller {
    if (this.mode === 'none') return NO_AUTH_CALLER;
    if (!this.publicKey) {
      authToken(request);
      throw new GlanceError(503, 'This host has not yet learned how to verify tokens; try again shortly.');
    }
    return verifiedCaller(request, this.publicKey);
  }
}
