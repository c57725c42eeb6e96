import {
  addImageTag,
  assertCanUpload,
  checkDownload,
  GlanceError,
  IMAGE_SCHEMA,
  IMAGES_SCHEMA,
  type ImageRecord,
  listImages,
  METADEFS_NAMESPACE_SCHEMA,
  METADEFS_RESOURCE_TYPE_SCHEMA,
  parseListQuery,
  removeImageTag,
  toImageDocument,
  unsupportedPatchMediaType,
  imagePatchContentType,
} from '@imagelib/glance';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatalogClient } from '../catalog/catalog-client.js';
import type { LocalCatalog } from '../catalog/local-catalog.js';
import type { Logger } from '../log.js';
import type { CorruptFiles } from '../status/corrupt-files.js';
import { mediaType, readSmallBody, sendError, sendJson, sendNoContent } from './http-io.js';
import { sendImageData } from './image-download.js';
import { type ImageUploadOptions, receiveUpload } from './image-upload.js';
import { type Caller, canChange, canSee, type RequestAuth } from './request-auth.js';
import { versionsDocument } from './versions-document.js';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const IMAGE_PATH = new RegExp(`^/v2/images/(${UUID})(/file|/tags/([^/]+)|/actions/(deactivate|reactivate))?$`);
const ANY_IMAGE_PATH = /^\/v2\/images\/[^/]+(\/.*)?$/;

export interface GlanceApiOptions {
  repositoryPath: string;
  corrupt: CorruptFiles;
  /** Why the repository cannot be used now ('' when it can): data is then neither written nor served. */
  unusable: () => string;
  catalog: LocalCatalog;
  writes: CatalogClient;
  auth: RequestAuth;
  upload: Omit<ImageUploadOptions, 'repositoryPath' | 'catalog' | 'log'>;
  log: Logger;
}

/** The Glance v2 API of this host: reads from the local catalog copy, writes through the controller. */
export class GlanceApi {
  constructor(private readonly options: GlanceApiOptions) {}

  handle(request: IncomingMessage, response: ServerResponse, fallbackHost: string): void {
    const requestId = `req-${randomUUID()}`;
    const url = new URL(request.url ?? '/', 'http://localhost');
    this.route(request, response, url, fallbackHost, requestId).catch((error: unknown) => {
      const glanceError = error instanceof GlanceError ? error : this.internal(error, requestId);
      sendError(response, glanceError, { 'X-Openstack-Request-Id': requestId, ...glanceError.headers });
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse, url: URL, fallbackHost: string, requestId: string): Promise<void> {
    const method = request.method ?? 'GET';
    const path = url.pathname;
    if (path === '/' || path === '/versions') {
      if (method !== 'GET') throw GlanceError.methodNotAllowed(method, ['GET']);
      return sendJson(response, path === '/' ? 300 : 200, versionsDocument(request.headers.host, fallbackHost));
    }
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    response.setHeader('X-Openstack-Request-Id', requestId);
    const caller = this.options.auth.caller(request);
    const schema = SCHEMAS[path];
    if (schema) {
      if (method !== 'GET') throw GlanceError.methodNotAllowed(method, ['GET']);
      return sendJson(response, 200, schema);
    }
    if (path === '/v2/images') {
      if (method === 'GET') return sendJson(response, 200, listImages(this.visible(caller), parseListQuery(url.searchParams), { basePath: '/v2/images' }));
      if (method === 'POST') return this.create(caller, request, response);
      throw GlanceError.methodNotAllowed(method, ['GET', 'POST']);
    }
    const match = IMAGE_PATH.exec(path);
    if (!match) {
      if (ANY_IMAGE_PATH.test(path)) throw GlanceError.imageNotFound(safeDecode(path.split('/')[3] ?? ''));
      throw GlanceError.notFound('The resource could not be found.');
    }
    const [, id, sub, tag, action] = match as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    const image = this.find(caller, id);
    if (sub === undefined) return this.image(caller, image, method, request, response);
    if (sub === '/file') return this.file(caller, image, method, request, response);
    if (tag !== undefined) return this.tag(caller, image, method, safeDecode(tag), response);
    if (action !== undefined && method === 'POST') {
      this.requireChange(caller, image);
      await this.options.writes.changeStatus(image.id, action as 'deactivate' | 'reactivate');
      return sendNoContent(response);
    }
    throw GlanceError.methodNotAllowed(method, ['POST']);
  }

  private async create(caller: Caller, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (mediaType(request) !== 'application/json') throw GlanceError.unsupportedMediaType(mediaType(request));
    const body = await readSmallBody(request);
    const image = await this.options.writes.create(body, caller.project);
    response.setHeader('Location', `${hostUrl(request)}/v2/images/${image.id}`);
    sendJson(response, 201, toImageDocument(image));
  }

  private async image(caller: Caller, image: ImageRecord, method: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (method === 'GET') return sendJson(response, 200, toImageDocument(image));
    if (method === 'PATCH') {
      const contentType = imagePatchContentType(mediaType(request));
      if (!contentType) throw unsupportedPatchMediaType(mediaType(request));
      this.requireChange(caller, image);
      const updated = await this.options.writes.patch(image.id, await readSmallBody(request), contentType);
      return sendJson(response, 200, toImageDocument(updated));
    }
    if (method === 'DELETE') {
      this.requireChange(caller, image);
      await this.options.writes.delete(image.id);
      return sendNoContent(response);
    }
    throw GlanceError.methodNotAllowed(method, ['GET', 'PATCH', 'DELETE']);
  }

  private async file(caller: Caller, image: ImageRecord, method: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const problem = this.options.unusable();
    if (method === 'GET') {
      if (checkDownload(image, { isAdmin: caller.admin }) === 'no-content') return sendNoContent(response);
      if (problem) throw GlanceError.serviceUnavailable(`The data of image ${image.id} is not available on this host (${problem}); try another host.`);
      return sendImageData(this.options.repositoryPath, this.options.corrupt, image, request, response);
    }
    if (method === 'PUT') {
      this.requireChange(caller, image);
      if (mediaType(request) !== 'application/octet-stream') throw GlanceError.unsupportedMediaType(mediaType(request));
      assertCanUpload(image);
      if (problem) throw GlanceError.serviceUnavailable(`This host cannot store image data now: ${problem}.`);
      await receiveUpload({ ...this.options.upload, repositoryPath: this.options.repositoryPath, catalog: this.options.writes, log: this.options.log }, image, request);
      return sendNoContent(response);
    }
    throw GlanceError.methodNotAllowed(method, ['GET', 'PUT']);
  }

  private async tag(caller: Caller, image: ImageRecord, method: string, tag: string, response: ServerResponse): Promise<void> {
    if (method !== 'PUT' && method !== 'DELETE') throw GlanceError.methodNotAllowed(method, ['PUT', 'DELETE']);
    this.requireChange(caller, image);
    const tags = method === 'PUT' ? addImageTag(image, tag) : removeImageTag(image, tag);
    await this.options.writes.patch(image.id, JSON.stringify([{ op: 'replace', path: '/tags', value: tags }]), 'application/openstack-images-v2.1-json-patch');
    return sendNoContent(response);
  }

  private visible(caller: Caller): ImageRecord[] {
    return this.options.catalog.all().filter((image) => canSee(caller, image));
  }

  private find(caller: Caller, id: string): ImageRecord {
    const image = this.options.catalog.get(id.toLowerCase());
    if (!image || !canSee(caller, image)) throw GlanceError.imageNotFound(id);
    return image;
  }

  private requireChange(caller: Caller, image: ImageRecord): void {
    if (!canChange(caller, image)) throw GlanceError.forbidden(`You are not authorized to change image ${image.id}.`);
  }

  private internal(error: unknown, requestId: string): GlanceError {
    this.options.log.error({ err: error, requestId }, 'image API request failed');
    return GlanceError.internalServerError();
  }
}

const SCHEMAS: Record<string, unknown> = {
  '/v2/schemas/image': IMAGE_SCHEMA,
  '/v2/schemas/images': IMAGES_SCHEMA,
  '/v2/schemas/metadefs/namespace': METADEFS_NAMESPACE_SCHEMA,
  '/v2/schemas/metadefs/resource_type': METADEFS_RESOURCE_TYPE_SCHEMA,
};

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function hostUrl(request: IncomingMessage): string {
  const host = request.headers.host;
  return host && /^[A-Za-z0-9.:[\]-]{1,260}$/.test(host) ? `http://${host}` : '';
}
