/** Route templates of the image API, so that metrics are labelled by route and never by image id or tag. */
const ROUTES: readonly (readonly [RegExp, string])[] = [
  [/^\/$/, '/'],
  [/^\/versions$/, '/versions'],
  [/^\/healthz$/, '/healthz'],
  [/^\/metrics$/, '/metrics'],
  [/^\/v2\/schemas\/(?:image|images|metadefs\/namespace|metadefs\/resource_type)$/, '/v2/schemas/{name}'],
  [/^\/v2\/images$/, '/v2/images'],
  [/^\/v2\/images\/[^/]+$/, '/v2/images/{id}'],
  [/^\/v2\/images\/[^/]+\/file$/, '/v2/images/{id}/file'],
  [/^\/v2\/images\/[^/]+\/tags\/[^/]+$/, '/v2/images/{id}/tags/{tag}'],
  [/^\/v2\/images\/[^/]+\/actions\/deactivate$/, '/v2/images/{id}/actions/deactivate'],
  [/^\/v2\/images\/[^/]+\/actions\/reactivate$/, '/v2/images/{id}/actions/reactivate'],
];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The template of the request's path (query left out); `other` for paths the API does not have. */
export function imageApiRoute(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0] as string;
  return ROUTES.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';
}

/** The method, or `other` for anything unusual, so that clients cannot mint label values. */
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'other';
}
