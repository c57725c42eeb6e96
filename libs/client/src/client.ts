import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { download, type DownloadResult } from './download.js';
import { type ControllerDiscovery, EndpointDirectory, type ImageEndpoint } from './endpoints.js';
import { ImageLibraryError } from './errors.js';
import { Call, Failover, type JsonResult } from './failover.js';
import { errorText } from './http-exchange.js';
import type { CallOptions, ImageDocument, ImageFields, ImageListQuery, ImagePatchOperation, TransferOptions, UploadOptions } from './types.js';
import { FileSource, StreamSource, type UploadSource, upload } from './upload.js';

export interface ImageLibraryClientOptions {
  /** Image API token, sent as X-Auth-Token (POST /api/v1/image-tokens on the controller). */
  token: string;
  /** Fixed image endpoint URLs, `http://host-a:9292` (all taken as healthy). */
  endpoints?: readonly string[];
  /** Or learn them from the controller's GET /api/v1/endpoints. */
  controller?: ControllerDiscovery;
  /** Deadline of every metadata call (default 30 s). */
  deadlineMs?: number;
  /** Deadline of downloadImage and uploadImage (default 1 h): size it to the images. */
  transferDeadlineMs?: number;
  /** Longest wait for a connection (default 3 s). */
  connectTimeoutMs?: number;
  /** Longest wait for an answer, and longest silence while data flows (default 10 s). */
  responseTimeoutMs?: number;
  /** Longest wait for the answer to an upload once all its data was sent: the host fsyncs and commits (default 120 s). */
  commitTimeoutMs?: number;
  /** Attempts per call (default: every endpoint once, at least 3); attempts that moved a download forward are not counted. */
  maxAttempts?: number;
  /** A host that failed is tried after the others for this long (default 10 s). */
  failureCooldownMs?: number;
  /** Bytes of a stream upload kept to replay it on another host (default 16 MiB). */
  uploadReplayBytes?: number;
  /** Wait for an image left `saving` by a broken upload to go back to queued (default 10 s). */
  uploadSettleMs?: number;
  /** Source of [0, 1) numbers for shuffling the endpoints (default Math.random). */
  random?: () => number;
}

/**
 * A Glance v2 client for an Image Library cluster. Each call shuffles the healthy endpoints and tries
 * them in turn: connection errors, timeouts and 502/503/504 move to the next host; other error
 * answers end the call at once. Every call has a deadline, and its errors (ImageLibraryError) name
 * every host tried and what it answered.
 */
export class ImageLibraryClient {
  private readonly failover: Failover;
  private readonly deadlineMs: number;
  private readonly transferDeadlineMs: number;
  private readonly uploadReplayBytes: number;
  private readonly uploadSettleMs: number;

  constructor(options: ImageLibraryClientOptions) {
    if (!options.token) throw new TypeError('ImageLibraryClient needs an image API token');
    const random = options.random ?? Math.random;
    const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
    const responseTimeoutMs = options.responseTimeoutMs ?? 10_000;
    const directory = new EndpointDirectory({
      ...(options.endpoints ? { fixed: options.endpoints } : {}),
      ...(options.controller ? { controller: options.controller } : {}),
      random,
      failureCooldownMs: options.failureCooldownMs ?? 10_000,
      connectTimeoutMs,
      responseTimeoutMs,
    });
    this.failover = new Failover(directory, {
      token: options.token,
      connectTimeoutMs,
      responseTimeoutMs,
      commitTimeoutMs: options.commitTimeoutMs ?? 120_000,
      maxAttempts: options.maxAttempts,
      random,
    });
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.transferDeadlineMs = options.transferDeadlineMs ?? 3_600_000;
    this.uploadReplayBytes = options.uploadReplayBytes ?? 16 * 1024 * 1024;
    this.uploadSettleMs = options.uploadSettleMs ?? 10_000;
  }

  /** The endpoints as last known (healthy first), e.g. to show them. */
  endpoints(): ImageEndpoint[] {
    return this.failover.directory.snapshot();
  }

  /** Asks the controller for the endpoints now (keeps the old list if it cannot answer). */
  async refreshEndpoints(): Promise<ImageEndpoint[]> {
    await this.failover.directory.refresh(Date.now() + this.deadlineMs);
    return this.endpoints();
  }

  /** GET /v2/images, following `next` links (on the same host while it answers) until the last page. */
  async listImages(query: ImageListQuery = {}, options: CallOptions = {}): Promise<ImageDocument[]> {
    const call = this.call('GET /v2/images', options);
    const images: ImageDocument[] = [];
    const seen = new Set<string>();
    let path: string | null = `/v2/images${queryString(query)}`;
    let preferred: string | undefined;
    while (path !== null) {
      if (seen.has(path)) throw call.error('http', `the image list loops back to ${path}`);
      seen.add(path);
      const page: JsonResult<{ images?: ImageDocument[]; next?: string }> = await this.failover.json(call, { method: 'GET', path, repeatable: true, ...(preferred ? { preferred } : {}) });
      images.push(...(page.value.images ?? []));
      preferred = page.url;
      path = page.value.next ? nextPath(page.value.next) : null;
    }
    return images;
  }

  /** GET /v2/images/{id} */
  async getImage(id: string, options: CallOptions = {}): Promise<ImageDocument> {
    const call = this.call(`GET /v2/images/${id}`, options);
    return (await this.failover.json<ImageDocument>(call, { method: 'GET', path: imagePath(id), repeatable: true })).value;
  }

  /**
   * POST /v2/images. Without `fields.id` the client picks a UUID, so a create repeated after a lost
   * answer cannot make a second image: a 409 then means the first one worked, and its image is returned.
   */
  async createImage(fields: ImageFields, options: CallOptions = {}): Promise<ImageDocument> {
    return (await this.create(this.call('POST /v2/images', options), fields)).value;
  }

  /** DELETE /v2/images/{id}; a 404 after an attempt whose answer was lost counts as deleted. */
  async deleteImage(id: string, options: CallOptions = {}): Promise<void> {
    const call = this.call(`DELETE /v2/images/${id}`, options);
    await this.failover.json(call, {
      method: 'DELETE',
      path: imagePath(id),
      repeatable: true,
      recover: async (status, _endpoint, ambiguous) => (status === 404 && ambiguous ? null : undefined),
    });
  }

  /**
   * PATCH /v2/images/{id} with an `application/openstack-images-v2.1-json-patch` document. Not
   * repeated once sent without an answer (a patch applied twice may differ): that fails as `ambiguous`.
   */
  async updateImage(id: string, operations: readonly ImagePatchOperation[], options: CallOptions = {}): Promise<ImageDocument> {
    const call = this.call(`PATCH /v2/images/${id}`, options);
    const result = await this.failover.json<ImageDocument>(call, {
      method: 'PATCH',
      path: imagePath(id),
      body: operations,
      contentType: 'application/openstack-images-v2.1-json-patch',
      repeatable: false,
    });
    return result.value;
  }

  /**
   * Downloads the image's data into a file (written beside it as a temporary file, renamed at the end)
   * or into a stream (written, not ended). A host that fails mid-stream is replaced by another one that
   * continues with a Range request; size and hash (os_hash_value, sha512) are verified at the end, and
   * on a mismatch the call fails and no file is left behind.
   */
  async downloadImage(id: string, destination: string | Writable, options: TransferOptions = {}): Promise<DownloadResult> {
    const call = this.call(`download of image ${id}`, options, this.transferDeadlineMs);
    const document = await this.failover.json<ImageDocument>(call, { method: 'GET', path: imagePath(id), repeatable: true });
    return download({ call, failover: this.failover, image: document.value, documentUrl: document.url, destination, onProgress: options.onProgress });
  }

  /**
   * Creates the image (POST /v2/images) and uploads its data (PUT …/file, application/octet-stream)
   * from a file or a stream; returns the image once active, after checking its size and sha512
   * against what was sent. Another host takes over only when the failed one committed nothing.
   */
  async uploadImage(fields: ImageFields, source: string | Readable, options: UploadOptions = {}): Promise<ImageDocument> {
    const call = this.call(`upload of image ${fields.name ?? fields.id ?? ''}`.trim(), options, this.transferDeadlineMs);
    let data: UploadSource;
    try {
      data = typeof source === 'string' ? await FileSource.open(source) : new StreamSource(source, this.uploadReplayBytes, options.size ?? null);
    } catch (error) {
      throw call.error('io', `cannot read ${String(source)}: ${errorText(error)}`, { cause: error });
    }
    return upload({
      call,
      failover: this.failover,
      fields,
      source: data,
      onProgress: options.onProgress,
      create: (c, f) => this.create(c, f),
      settleMs: this.uploadSettleMs,
    });
  }

  private call(operation: string, options: CallOptions, defaultDeadlineMs = this.deadlineMs): Call {
    const deadlineMs = options.deadlineMs ?? defaultDeadlineMs;
    return new Call(operation, Date.now() + deadlineMs, deadlineMs, options.signal, options.onRetry);
  }

  private async create(call: Call, fields: ImageFields): Promise<JsonResult<ImageDocument>> {
    const body: ImageFields = { ...fields, id: fields.id ?? randomUUID() };
    return this.failover.json<ImageDocument>(call, {
      method: 'POST',
      path: '/v2/images',
      body,
      repeatable: true,
      recover: async (status, endpoint, ambiguous) => {
        if (status !== 409 || !ambiguous) return undefined;
        // An earlier attempt whose answer was lost may have created it: if so, that image is ours.
        const found = await this.failover
          .json<ImageDocument>(call, { method: 'GET', path: imagePath(body.id!), repeatable: true, preferred: endpoint.url })
          .catch((error: unknown) => (error instanceof ImageLibraryError ? null : Promise.reject(error)));
        const image = found?.value;
        return image && image.id === body.id && image.status === 'queued' && image.name === (fields.name ?? null) ? image : undefined;
      },
    });
  }
}

function imagePath(id: string): string {
  return `/v2/images/${encodeURIComponent(id)}`;
}

function queryString(query: ImageListQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A `next` link (`/v2/images?marker=…`, or absolute) as a path on whichever host answers. */
function nextPath(next: string): string {
  const url = new URL(next, 'http://next.invalid');
  return `${url.pathname}${url.search}`;
}
