import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GlanceError } from './glance-error.js';
import { mediaType, readSmallBody, sendError, sendJson, sendNoContent } from './glance-http.js';
import { type Caller, canChange, canSee } from './image-access.js';
import { toImageDocument } from './image-document.js';
import { assertCanUpload, checkDownload } from './image-lifecycle.js';
import { assertMayCreate, assertMayPatch } from './image-policy.js';
import type { ImageRecord } from './image-record.js';
import { addImageTag, removeImageTag } from './image-tags.js';
import { listImages, parseListQuery } from './list-images.js';
import { imagePatchContentType, unsupportedPatchMediaType } from './patch-image.js';
import { IMAGE_SCHEMA, IMAGES_SCHEMA, METADEFS_NAMESPACE_SCHEMA, METADEFS_RESOURCE_TYPE_SCHEMA } from './schemas.js';
import { versionsDocument } from './versions-document.js';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const IMAGE_PATH = new RegExp(`^/v2/images/(${UUID})(/file|/tags/([^/]+)|/actions/(deactivate|reactivate))?$`);
const ANY_IMAGE_PATH = /^\/v2\/images\/[^/]+(\/.*)?$/;

const SCHEMAS: Record<string, unknown> = {
  '/v2/schemas/image': IMAGE_SCHEMA,
  '/v2/schemas/images': IMAGES_SCHEMA,
  '/v2/schemas/metadefs/namespace': METADEFS_NAMESPACE_SCHEMA,
  '/v2/schemas/metadefs/resource_type': METADEFS_RESOURCE_TYPE_SCHEMA,
};

/**
 * Where an image API gets its catalog, applies writes and moves image data. A host reads its local
 * catalog copy and writes through the controller; the controller's front door reads and writes its
 * own catalog and sends the data to a host.
 */
export interface ImageApiBackend {
  /** Who is calling; throws a GlanceError (401, 503) when that cannot be known. */
  caller(request: IncomingMessage): Caller;
  /** Every live image; the API keeps those the caller may see. */
  images(): ImageRecord[] | Promise<ImageRecord[]>;
  /** images() lists them in glance's default order (compareInDefaultOrder): listings in that order read only their page. */
  readonly imagesInDefaultOrder?: boolean;
  /** The live image with this (lowercase) id. */
  image(id: string): ImageRecord | undefined | Promise<ImageRecord | undefined>;
  create(bodyJson: string, owner: string | null): Promise<ImageRecord>;
  patch(id: string, patchJson: string, contentType: string): Promise<ImageRecord>;
  delete(id: string): Promise<unknown>;
  changeStatus(id: string, action: 'deactivate' | 'reactivate'): Promise<unknown>;
  /** GET …/file of an image that has data and that the caller may download: answers the request. */
  sendData(caller: Caller, image: ImageRecord, request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** PUT …/file once the caller may change the image, the body is octet-stream and the image can take data: answers the request. */
  receiveData(caller: Caller, image: ImageRecord, request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** A failure that is not a Glance answer: logged once; the client gets a bare 500. */
  failed(error: unknown, requestId: string): void;
}

/** The Glance v2 API (versions, schemas, images, tags, actions, data) over a backend. */
export class ImageApi {
  constructor(private readonly backend: ImageApiBackend) {}

  /** `fallbackHost` names this server in version links when the request's Host header is unusable. */
  handle(request: IncomingMessage, response: ServerResponse, fallbackHost: string): void {
    const requestId = `req-${randomUUID()}`;
    this.route(request, response, fallbackHost, requestId).catch((error: unknown) => {
      if (!(error instanceof GlanceError)) this.backend.failed(error, requestId);
      const glanceError = error instanceof GlanceError ? error : GlanceError.internalServerError();
      sendError(response, glanceError, { 'X-Openstack-Request-Id': requestId, ...glanceError.headers });
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse, fallbackHost: string, requestId: string): Promise<void> {
    const url = requestUrl(request);
    const method = request.method ?? 'GET';
    const path = url.pathname;
    if (path === '/' || path === '/versions') {
      if (method !== 'GET') throw GlanceError.methodNotAllowed(method, ['GET']);
      return sendJson(response, path === '/' ? 300 : 200, versionsDocument(request.headers.host, fallbackHost));
    }
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    response.setHeader('X-Openstack-Request-Id', requestId);
    const caller = this.backend.caller(request);
    const schema = SCHEMAS[path];
    if (schema) {
      if (method !== 'GET') throw GlanceError.methodNotAllowed(method, ['GET']);
      return sendJson(response, 200, schema);
    }
    if (path === '/v2/images') {
      if (method === 'GET') return sendJson(response, 200, listImages(await this.visible(caller), parseListQuery(url.searchParams), { basePath: '/v2/images', owner: caller.project, inDefaultOrder: this.backend.imagesInDefaultOrder }));
      if (method === 'POST') return this.create(caller, request, response);
      throw GlanceError.methodNotAllowed(method, ['GET', 'POST']);
    }
    const match = IMAGE_PATH.exec(path);
    if (!match) {
      if (ANY_IMAGE_PATH.test(path)) throw GlanceError.imageNotFound(safeDecode(path.split('/')[3] ?? ''));
      throw GlanceError.notFound('The resource could not be found.');
    }
    const [, id, sub, tag, action] = match as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    const image = await this.find(caller, id);
    if (sub === undefined) return this.image(caller, image, method, request, response);
    if (sub === '/file') return this.file(caller, image, method, request, response);
    if (tag !== undefined) return this.tag(caller, image, method, safeDecode(tag), response);
    if (action !== undefined && method === 'POST') {
      this.requireChange(caller, image);
      await this.backend.changeStatus(image.id, action as 'deactivate' | 'reactivate');
      return sendNoContent(response);
    }
    throw GlanceError.methodNotAllowed(method, ['POST']);
  }

  private async create(caller: Caller, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (mediaType(request) !== 'application/json') throw GlanceError.unsupportedMediaType(mediaType(request));
    const body = await readSmallBody(request);
    assertMayCreate(caller, body);
    const image = await this.backend.create(body, caller.project);
    response.setHeader('Location', `${hostUrl(request)}/v2/images/${image.id}`);
    sendJson(response, 201, toImageDocument(image));
  }

  private async image(caller: Caller, image: ImageRecord, method: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (method === 'GET') return sendJson(response, 200, toImageDocument(image));
    if (method === 'PATCH') {
      const contentType = imagePatchContentType(mediaType(request));
      if (!contentType) throw unsupportedPatchMediaType(mediaType(request));
      this.requireChange(caller, image);
      const patch = await readSmallBody(request);
      assertMayPatch(caller, patch, contentType);
      const updated = await this.backend.patch(image.id, patch, contentType);
      return sendJson(response, 200, toImageDocument(updated));
    }
    if (method === 'DELETE') {
      this.requireChange(caller, image);
      await this.backend.delete(image.id);
      return sendNoContent(response);
    }
    throw GlanceError.methodNotAllowed(method, ['GET', 'PATCH', 'DELETE']);
  }

  private async file(caller: Caller, image: ImageRecord, method: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (method === 'GET') {
      if (checkDownload(image, { isAdmin: caller.admin }) === 'no-content') return sendNoContent(response);
      return this.backend.sendData(caller, image, request, response);
    }
    if (method === 'PUT') {
      this.requireChange(caller, image);
      if (mediaType(request) !== 'application/octet-stream') throw GlanceError.unsupportedMediaType(mediaType(request));
      assertCanUpload(image);
      return this.backend.receiveData(caller, image, request, response);
    }
    throw GlanceError.methodNotAllowed(method, ['GET', 'PUT']);
  }

  private async tag(caller: Caller, image: ImageRecord, method: string, tag: string, response: ServerResponse): Promise<void> {
    if (method !== 'PUT' && method !== 'DELETE') throw GlanceError.methodNotAllowed(method, ['PUT', 'DELETE']);
    this.requireChange(caller, image);
    const tags = method === 'PUT' ? addImageTag(image, tag) : removeImageTag(image, tag);
    await this.backend.patch(image.id, JSON.stringify([{ op: 'replace', path: '/tags', value: tags }]), 'application/openstack-images-v2.1-json-patch');
    return sendNoContent(response);
  }

  private async visible(caller: Caller): Promise<ImageRecord[]> {
    return (await this.backend.images()).filter((image) => canSee(caller, image));
  }

  private async find(caller: Caller, id: string): Promise<ImageRecord> {
    const image = await this.backend.image(id.toLowerCase());
    if (!image || !canSee(caller, image)) throw GlanceError.imageNotFound(id);
    return image;
  }

  private requireChange(caller: Caller, image: ImageRecord): void {
    if (!canChange(caller, image)) throw GlanceError.forbidden(`You are not authorized to change image ${image.id}.`);
  }
}

/**
 * The request target as a path and query. It is always read as a path: `//host/x` is the path
 * `//host/x`, not another host (read as a URL, `//%F3/` threw outside any handler and took the
 * process down); should a target still not parse, the client gets a 400.
 */
function requestUrl(request: IncomingMessage): URL {
  const target = request.url ?? '/';
  try {
    return new URL(`http://localhost${target.startsWith('/') ? '' : '/'}${target}`);
  } catch {
    throw GlanceError.badRequest('The request target is not a valid path.');
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `http://<Host header>` when the header is a plain host[:port]; '' otherwise (a relative Location). */
function hostUrl(request: IncomingMessage): string {
  const host = request.headers.host;
  return host && /^[A-Za-z0-9.:[\]-]{1,260}$/.test(host) ? `http://${host}` : '';
}
