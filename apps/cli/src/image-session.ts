import { ImageLibraryClient } from '@imagelib/client';
import type { CliConfig } from './config.js';
import type { ControllerApi } from './controller-api.js';

/** How long an image token lives and a transfer may take: a day (Ctrl-C ends a transfer sooner). */
export const TRANSFER_LIMIT_SECONDS = 86_400;
/** Who the image hosts see in their logs. */
export const IMAGE_TOKEN_SUBJECT = 'imagelib-cli';

/**
 * The failover client for the image hosts: an admin image token issued by the controller
 * (POST /api/v1/image-tokens, needs an admin operator token) and the endpoints it lists.
 */
export async function openImageClient(api: ControllerApi, config: CliConfig): Promise<ImageLibraryClient> {
  const { token } = await api.createImageToken({ subject: IMAGE_TOKEN_SUBJECT, admin: true, ttlSeconds: TRANSFER_LIMIT_SECONDS });
  return new ImageLibraryClient({
    token,
    controller: { url: config.controllerUrl, token: config.token },
    transferDeadlineMs: TRANSFER_LIMIT_SECONDS * 1000,
  });
}
