import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CatalogRepository, HostsRepository, type ImageEntity, type NewImage } from '@imagelib/store';
import { applyImagePatch, assertCanDelete, assertCanUpload, deactivatedStatus, GlanceError, parseCreateImage, parseJsonBody, reactivatedStatus } from '@imagelib/glance';
import type { AbortUploadRequest__Output, CompleteUploadRequest__Output, DiscoveredFile__Output } from '@imagelib/proto';
import { randomUUID } from 'node:crypto';
import { AgentSessions } from '../agents/agent-sessions.service.js';
import { FleetPresence, CONTROLLER_SILENCE_MS } from '../cluster/fleet-presence.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { ControllerEvents } from '../events/controller-events.js';
import { CatalogSync } from './catalog-sync.service.js';
import { toRecord, withFields } from './image-mapping.js';
import { StorageGroups } from './storage-groups.js';

const FILE_NAME = /^[^/\0]{1,255}$/;
/** Files one RegisterDiscoveredFiles call may carry (agents send at most 500). */
const MAX_DISCOVERED_FILES_PER_CALL = 1000;

/**
 * The catalog's single writer. Image API calls arriving from any host are applied here with
 * Glance's rules, and every change is streamed to the hosts.
 */
@Injectable()
export class CatalogService implements OnApplicationBootstrap {
  private readonly logger = new Logger(CatalogService.name);
  /** Image id → the host receiving its upload. */
  private readonly uploads = new Map<string, string>();
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly hosts: HostsRepository,
    private readonly sync: CatalogSync,
    sessions: AgentSessions,
    private readonly events: ControllerEvents,
    private readonly presence: FleetPresence,
  ) {
    // An upload whose host went away will not complete: the image can take data again.
    sessions.onDisconnect((hostId) => {
      for (const [imageId, uploader] of this.uploads) {
        if (uploader === hostId) void this.abortUpload({ id: imageId, reason: `host ${hostId} disconnected during the upload`, kill: false }).catch(() => undefined);
      }
    });
  }

  /**
   * Uploads under way when the controller stopped cannot be completed: their images go back to
   * queued. With several controllers, only when no other controller is alive (the whole control
   * plane started again): another one may be taking those uploads now.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.presence.soleController) return this.abandonUploads();
    setTimeout(() => {
      if (this.presence.otherControllers === 0) void this.abandonUploads().catch((error: unknown) => this.logger.warn(`could not abandon the uploads of before the start: ${String(error)}`));
    }, CONTROLLER_SILENCE_MS).unref();
  }

  /** Uploads begun before this controller started (not those begun through it since). */
  private async abandonUploads(): Promise<void> {
    for (const image of await this.catalog.listLive()) {
      if (image.status === 'saving' && image.updatedAt < this.startedAt) await this.abortUpload({ id: image.id, reason: 'the controller restarted during the upload', kill: false });
    }
  }

  async create(bodyJson: string, owner: string | null): Promise<ImageEntity> {
    const parsed = parseCreateImage(parseJsonBody(bodyJson), { owner });
    const id = parsed.id ?? randomUUID();
    if (await this.catalog.exists(id)) throw GlanceError.imageAlreadyExists(id);
    const now = new Date().toISOString();
    const image = await this.catalog.create({
      id,
      ...parsed.fields,
      status: 'queued',
      size: null,
      virtualSize: null,
      checksum: null,
      osHashAlgo: null,
      osHashValue: null,
      createdAt: now,
      updatedAt: now,
      fileName: null,
    });
    return this.changed(image, 'created');
  }

  patch(id: string, patchJson: string, contentType: string): Promise<ImageEntity> {
    const ops = parseJsonBody(patchJson);
    return this.change(id, 'updated', (current, now) => withFields(current, applyImagePatch(toRecord(current), ops, { contentType: contentType || undefined }), now));
  }

  deactivate(id: string): Promise<ImageEntity> {
    return this.change(id, 'deactivated', (current, now) => {
      const status = deactivatedStatus(toRecord(current));
      return status === current.status ? current : { ...current, status, updatedAt: now };
    });
  }

  reactivate(id: string): Promise<ImageEntity> {
    return this.change(id, 'reactivated', (current, now) => {
      const status = reactivatedStatus(toRecord(current));
      return status === current.status ? current : { ...current, status, updatedAt: now };
    });
  }

  delete(id: string): Promise<ImageEntity> {
    return this.change(id, 'deleted', (current, now) => {
      assertCanDelete(toRecord(current));
      return { ...current, status: 'deleted', updatedAt: now, filesPending: current.fileName !== null };
    });
  }

  async beginUpload(id: string, hostId: string): Promise<ImageEntity> {
    const image = await this.change(id, 'upload started', (current, now) => {
      assertCanUpload(toRecord(current));
      return { ...current, status: 'saving', updatedAt: now };
    });
    this.uploads.set(id, hostId);
    return image;
  }

  completeUpload(request: CompleteUploadRequest__Output): Promise<ImageEntity> {
    if (!FILE_NAME.test(request.fileName)) throw GlanceError.badRequest('invalid file name');
    this.uploads.delete(request.id);
    return this.change(request.id, 'uploaded', (current, now) => {
      if (current.status !== 'saving') throw GlanceError.gone(`Image ${request.id} was not being uploaded (status ${current.status}).`);
      return {
        ...current,
        status: 'active',
        size: request.size,
        virtualSize: request.virtualSize || request.size,
        checksum: request.checksum,
        osHashAlgo: 'sha512',
        osHashValue: request.osHashValue,
        fileName: request.fileName,
        updatedAt: now,
      };
    });
  }

  abortUpload(request: AbortUploadRequest__Output): Promise<ImageEntity> {
    this.uploads.delete(request.id);
    return this.change(request.id, request.kill ? 'upload killed' : 'upload abandoned', (current, now) => {
      if (current.status !== 'saving') return current;
      return { ...current, status: request.kill ? 'killed' : 'queued', updatedAt: now };
    });
  }

  /**
   * Complete files found in a host's repository, catalogued in one transaction. On shared storage
   * several hosts find the same file: it is catalogued once, by file name. A file whose content
   * changed takes its new size and hashes, unless a good copy is on another storage: then this one
   * is damaged, and is healed from there. A file whose image was deleted, while hosts are still
   * removing it, is not catalogued again. Answers, per file in order, its image or why it was refused.
   */
  async registerDiscoveredFiles(files: DiscoveredFile__Output[], hostId: string): Promise<DiscoveredFileOutcome[]> {
    if (files.length > MAX_DISCOVERED_FILES_PER_CALL) throw new DomainError(ErrorCode.InvalidInput, `at most ${MAX_DISCOVERED_FILES_PER_CALL} files per call, not ${files.length}`);
    const accepted = files.filter((file) => FILE_NAME.test(file.fileName) && !file.fileName.startsWith('.'));
    const damaged = await this.damagedCopies(accepted, hostId);
    const toRegister = accepted.filter((file) => !damaged.has(file.fileName));
    const before = await this.catalog.revision();
    const images = await this.catalog.updateByFileNames(toRegister, (file, current, beingRemoved) => (current || !beingRemoved ? discoveredImage(file, current) : null));
    const registered = new Map(toRegister.map((file, index) => [file, images[index] ?? null]));
    const changed = new Set(images.filter((image): image is ImageEntity => image !== null && image.revision > before));
    if (changed.size > 0) {
      this.logger.log(`host ${hostId} found ${files.length} files: ${changed.size} images catalogued or changed (revision ${[...changed][0]!.revision})`);
      this.sync.catalogChanged();
      this.events.publish('catalog');
    }
    return files.map((file) => {
      const image = registered.get(file) ?? damaged.get(file.fileName);
      if (image) return { fileName: file.fileName, image };
      // A file whose image was deleted is not catalogued again while its removal is under way.
      return { fileName: file.fileName, refusal: registered.has(file) ? 'its image was deleted and the file is being removed' : 'invalid file name' };
    });
  }

  /**
   * The images of files this host has with other content than the catalog, where a host on another
   * storage has the image ok: this host's copy is damaged, by file name.
   */
  private async damagedCopies(files: DiscoveredFile__Output[], hostId: string): Promise<Map<string, ImageEntity>> {
    const existing = await this.catalog.findLiveByFileNames(files.map((file) => file.fileName));
    const differing = files.flatMap((file) => {
      const image = existing.get(file.fileName);
      return image && image.osHashValue !== file.osHashValue ? [image] : [];
    });
    const damaged = new Map<string, ImageEntity>();
    if (differing.length === 0) return damaged;
    const storages = StorageGroups.of(await this.hosts.hostsWithRole('image-library'));
    const mine = storages.keyOf(hostId);
    for (const image of differing) {
      const statuses = await this.catalog.statusesOfImage(image.id);
      if (statuses.some((status) => status.state === 'ok' && storages.keyOf(status.hostId) !== mine)) {
        this.logger.warn(`host ${hostId} has ${image.fileName} with other content than image ${image.id}, which is good on another storage: treated as damaged`);
        damaged.set(image.fileName!, image);
      }
    }
    return damaged;
  }

  private async change(id: string, what: string, apply: (current: ImageEntity, now: string) => ImageEntity): Promise<ImageEntity> {
    const image = await this.catalog.update(id, (current) => {
      if (!current || current.status === 'deleted') throw GlanceError.imageNotFound(id);
      return apply(current, new Date().toISOString());
    });
    return this.changed(image, what);
  }

  private changed(image: ImageEntity, what: string): ImageEntity {
    this.logger.log(`image ${image.id} ${what} (revision ${image.revision}, status ${image.status})`);
    this.sync.catalogChanged();
    this.events.publish('catalog');
    return image;
  }
}

/** What became of one discovered file: the image it is catalogued as, or why it was refused. */
export type DiscoveredFileOutcome = { fileName: string; image: ImageEntity; refusal?: undefined } | { fileName: string; image?: undefined; refusal: string };

/** The image a discovered file makes: `current` unchanged when it has the file's content, else with the file's size and hashes. */
function discoveredImage(file: DiscoveredFile__Output, current: ImageEntity | null): NewImage {
  const data = {
    size: file.size,
    virtualSize: file.virtualSize || file.size,
    checksum: file.checksum,
    osHashAlgo: 'sha512',
    osHashValue: file.osHashValue,
    diskFormat: file.diskFormat,
  };
  const now = new Date().toISOString();
  if (current) {
    if (current.osHashValue === file.osHashValue && current.size === file.size) return current;
    return { ...current, ...data, status: 'active', updatedAt: now };
  }
  return {
    id: randomUUID(),
    name: file.fileName,
    status: 'active',
    visibility: 'public',
    protected: false,
    osHidden: false,
    containerFormat: 'bare',
    minRam: 0,
    minDisk: 0,
    owner: null,
    tags: [],
    properties: {},
    createdAt: now,
    updatedAt: now,
    fileName: file.fileName,
    ...data,
  };
}
