import { GlanceError } from './glance-error.js';

/**
 * glance.common.wsgi.JSONRequestDeserializer for POST and PATCH bodies: no body (empty and not sent
 * chunked) is 400 `Body expected in request.`, unparsable JSON (an empty chunked body included) is
 * 400 `Malformed JSON in request body.`
 */
export function parseJsonBody(text: string | null | undefined, options: { chunked?: boolean } = {}): unknown {
  if ((text === null || text === undefined || text.length === 0) && options.chunked !== true) {
    throw GlanceError.badRequest('Body expected in request.');
  }
  try {
    return JSON.parse(text ?? '') as unknown;
  } catch {
    throw GlanceError.badRequest('Malformed JSON in request body.');
  }
}
