import { parseCreateImage } from './create-image.js';
import { GlanceError } from './glance-error.js';
import type { Caller } from './image-access.js';
import { parseImagePatch } from './patch-image.js';
import { parseJsonBody } from './request-body.js';

/**
 * Glance's default rules for who may create what, checked where the caller is known, before a
 * write goes to the catalog (which is not told who asked): only admins may make an image public
 * (`publicize_image`: `role:admin`), and a project may only create images it owns
 * (ImageFactoryProxy.new_image). The body is parsed as the catalog parses it, so a bad one gets the
 * same 400 and nothing the catalog would accept slips past these checks.
 */
export function assertMayCreate(caller: Caller, bodyJson: string): void {
  if (caller.admin) return;
  const { fields } = parseCreateImage(parseJsonBody(bodyJson), { owner: caller.project });
  if (fields.visibility === 'public') throw publicizeRefused();
  if (fields.owner === null || fields.owner !== caller.project) {
    throw GlanceError.forbidden(`You are not permitted to create images owned by '${fields.owner ?? 'None'}'.`);
  }
}

/** A PATCH that would make the image public is an admin's alone. */
export function assertMayPatch(caller: Caller, patchJson: string, contentType: string): void {
  if (caller.admin) return;
  const changes = parseImagePatch(parseJsonBody(patchJson), { contentType });
  if (changes.some((change) => change.op !== 'remove' && change.path[0] === 'visibility' && change.value === 'public')) throw publicizeRefused();
}

function publicizeRefused(): GlanceError {
  return GlanceError.forbidden('You are not authorized to complete publicize_image action.');
}
