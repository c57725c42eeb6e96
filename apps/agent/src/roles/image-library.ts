import type { AgentMessage, Replication__Output } from '@imagelib/proto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogClient } from '../catalog/catalog-client.js';
import type { LocalCatalog } from '../catalog/local-catalog.js';
import { RepositoryDiscovery } from '../discovery/repository-discovery.js';
import { GlanceApi } from '../image-service/glance-api.js';
import type { UploadHasher } from '../image-service/image-upload.js';
import { removeLeftoverUploads } from '../image-service/upload-temporaries.js';
import { ImageService } from '../image-service/image-service.js';
import type { RequestAuth } from '../image-service/request-auth.js';
import type { Logger } from '../log.js';
import type { HashingPool } from '../media/hashing.js';
import { Replicator } from '../replication/replicator.js';
import { CorruptFiles } from '../status/corrupt-files.js';
import { isSafeFileName } from '../status/image-file-status.js';
import { ImageStatusReporter } from '../status/image-status-reporter.js';
import { Scrubber } from '../status/scrubber.js';
import { DiscoveryRegistrar } from './discovery-registrar.js';
import { checkRepository } from './mount-guard.js';
import { prepareRepository } from './repository-directory.js';
import { isRepositoryDirectory } from './repository-entry.js';
import { storageIdentity } from './storage-identity.js';
import { StorageProbe, type StorageProbeView } from './storage-probe.js';

const DRAIN_TIMEOUT_MS = 10_000;
const SAFETY_RECHECK_MS = 10_000;
/** How often the repository's usability (a required mount, its presence) is checked: a flap is seen within this. */
const MOUNT_CHECK_MS = 2000;
/** How often this host rewrites its probe file and reads the other hosts' (the live storage probe). */
const STORAGE_PROBE_MS = 2000;
/** After a restart, discovery's first scan waits for the link to the controller at most this long. */
const FIRST_SCAN_WAIT_MS = 3000;
/** Watcher hints arrive by the thousand while a file is copied: they are gathered for this long. */
const ACTIVITY_BATCH_MS = 300;

/** What the image-library role needs from the rest of the agent. */
export interface ImageLibraryDeps {
  hostId: string;
  bindAddress: string;
  advertisedHost: string;
  catalog: LocalCatalog;
  writes: CatalogClient;
  auth: RequestAuth;
  send: (message: AgentMessage) => boolean;
  /** Whether the link to the controller is up: when it is not, it asks for the complete picture once it is. */
  connected: () => boolean;
  /** The repository became usable or unusable: its facts changed. */
  onRepositoryChange: () => void;
  maxUploadBytes: number;
  hashing: HashingPool;
  /** Where discovery keeps the hashes of files it has read, so a restart does not read them again. */
  discoveryCachePath: string;
  /** Average rate at which stored files are re-hashed; 0 turns scrubbing off. */
  scrubBytesPerSecond: number;
  /** Limit for copies from other hosts; 0 for none. */
  replicationBandwidthBytesPerSecond: number;
  /** The image service's headers and idle timeouts. */
  httpLimits: { headersTimeoutMs: number; idleTimeoutMs: number };
  newHasher: () => UploadHasher;
  detectFormat: (path: string) => Promise<{ diskFormat: string; virtualSize: number }>;
  log: Logger;
}

/** The image-library role running on this host: repository, image service and image statuses. */
export class ImageLibrary {
  private unusable = '';
  /** Starts discovery's first scan, once. */
  private startDiscovery: () => void = () => undefined;

  private constructor(
    readonly repositoryPath: string,
    readonly storageId: string,
    readonly url: string,
    private readonly service: ImageService,
    private readonly reporter: ImageStatusReporter,
    private readonly discovery: RepositoryDiscovery,
    private readonly replicator: Replicator,
    private readonly probe: StorageProbe,
    private readonly cleanups: (() => void)[],
  ) {}

  /**
   * Prepares the repository and starts the image service; rejects with the reason it cannot run.
   * A repository that requires a mounted share is never created or written while the share is
   * absent: the service then runs, refuses data with the reason, and recovers when the share is back.
   */
  static async start(deps: ImageLibraryDeps, repositoryPath: string, port: number, requireMount: boolean): Promise<ImageLibrary> {
    // Without a required share, a repository that cannot be made fails the role, with the reason.
    const problemAtStart = requireMount ? (await checkRepository(repositoryPath, true)).problem : '';
    if (!problemAtStart) {
      await prepareRepository(repositoryPath);
      // Before the service takes uploads: what is left is what a crash of this agent left behind.
      const leftovers = await removeLeftoverUploads(repositoryPath, deps.hostId);
      if (leftovers.length) deps.log.info({ repositoryPath, files: leftovers }, 'removed uploads an earlier run of this agent left unfinished');
    }
    const storageId = problemAtStart ? '' : await storageIdentity(repositoryPath);
    const corrupt = new CorruptFiles();
    let library: ImageLibrary | null = null;
    const unusable = () => library?.unusable ?? problemAtStart;
    const api = new GlanceApi({
      repositoryPath,
      corrupt,
      unusable,
      catalog: deps.catalog,
      writes: deps.writes,
      auth: deps.auth,
      upload: { hostId: deps.hostId, maxUploadBytes: deps.maxUploadBytes, newHasher: deps.newHasher, detectFormat: deps.detectFormat },
      log: deps.log,
    });
    const service = new ImageService({ bindAddress: deps.bindAddress, port, drainTimeoutMs: DRAIN_TIMEOUT_MS, limits: deps.httpLimits }, (request, response, fallbackHost) => api.handle(request, response, fallbackHost), deps.log);
    await service.start();
    const reporter = new ImageStatusReporter(
      { repositoryPath, images: () => deps.catalog.all(), image: (id) => deps.catalog.get(id), corrupt, unusable, send: (report) => deps.send({ imageStatus: report }) },
      deps.log,
    );
    const scrubber = new Scrubber(
      { repositoryPath, images: () => deps.catalog.all(), hashing: deps.hashing, corrupt, bytesPerSecond: deps.scrubBytesPerSecond, onVerdict: (id) => void reporter.recheck([id]) },
      deps.log,
    );
    const replicator = new Replicator(
      {
        repositoryPath,
        hashing: deps.hashing,
        bandwidthBytesPerSecond: deps.replicationBandwidthBytesPerSecond,
        report: (result) => deps.send({ replication: result }),
        onCopied: (id) => void reporter.recheck([id]),
      },
      deps.log,
    );
    const stopWatching = deps.catalog.onChange((ids) => void reporter.recheck(ids));
    // Images checked lately (something happened to them) wait for the next round.
    const timer = setInterval(() => void reporter.recheckStale(SAFETY_RECHECK_MS / 2), SAFETY_RECHECK_MS);
    const imagesOf = (fileNames: Iterable<string>) => [...fileNames].flatMap((fileName) => deps.catalog.withFileName(fileName)?.id ?? []);
    const active = new Set<string>();
    let activityTimer: NodeJS.Timeout | null = null;
    const noteActivity = (fileName: string) => {
      active.add(fileName);
      activityTimer ??= setTimeout(() => {
        activityTimer = null;
        const ids = imagesOf(active);
        active.clear();
        if (ids.length > 0) void reporter.recheck(ids);
      }, ACTIVITY_BATCH_MS);
    };
    const registrar = new DiscoveryRegistrar(
      {
        writes: deps.writes,
        isCatalogued: (found) => {
          const image = deps.catalog.withFileName(found.fileName);
          return image !== undefined && image.size === found.size && image.osHashValue === found.sha512 && image.checksum === found.md5;
        },
        onRegistered: (images) => void reporter.recheck(images.map((image) => image.id)),
      },
      deps.log,
    );
    const discovery = new RepositoryDiscovery(
      {
        repositoryPath,
        cachePath: deps.discoveryCachePath,
        hash: (file, signal) => deps.hashing.hashFileHandle(file, { signal }),
        // Uploads and copies are named by image id and already hashed: discovery need not read them.
        isOwnFile: (fileName) => deps.catalog.get(fileName) !== undefined,
        listener: {
          onDiscovered: (found) => {
            if (!unusable()) registrar.add(found);
          },
          onRemoved: (fileName) => {
            registrar.withdraw(fileName);
            void reporter.recheck(imagesOf([fileName]));
          },
          onRefused: (fileName, reason) => {
            deps.log.warn({ fileName, reason }, 'refused an entry of the repository');
            void reporter.recheck(imagesOf([fileName]));
          },
          onUnavailable: (reason) => {
            deps.log.warn({ repositoryPath, reason }, 'the repository is unavailable');
            void reporter.recheck();
          },
          onAvailable: () => void reporter.recheck(),
          onActivity: noteActivity,
        },
      },
      deps.log,
    );
    const mountTimer = setInterval(() => {
      void usability(repositoryPath, requireMount).then((problem) => {
        if (!library || problem === library.unusable) return;
        library.unusable = problem;
        if (problem) deps.log.error({ repositoryPath, problem }, 'the repository cannot be used; nothing is written or served from it');
        else deps.log.info({ repositoryPath }, 'the repository can be used again');
        void reporter.recheck();
        deps.onRepositoryChange();
      });
    }, MOUNT_CHECK_MS);
    const probe = new StorageProbe({ repositoryPath, hostId: deps.hostId, intervalMs: STORAGE_PROBE_MS, unusable, onChange: deps.onRepositoryChange }, deps.log);
    library = new ImageLibrary(repositoryPath, storageId, `http://${deps.advertisedHost}:${service.port}`, service, reporter, discovery, replicator, probe, [
      () => clearInterval(mountTimer),
      stopWatching,
      () => scrubber.stop(),
      () => clearInterval(timer),
      () => registrar.close(),
      () => activityTimer && clearTimeout(activityTimer),
    ]);
    library.unusable = problemAtStart;
    // The first scan of a large repository takes its hashing time; the service answers meanwhile.
    let firstScanTimer: NodeJS.Timeout | null = null;
    library.startDiscovery = () => {
      library!.startDiscovery = () => undefined;
      if (firstScanTimer) clearTimeout(firstScanTimer);
      discovery.start().catch((error: unknown) => deps.log.error({ err: error }, 'repository discovery failed to start'));
    };
    scrubber.start();
    probe.start();
    if (deps.connected()) {
      void reporter.reportAll();
      library.startDiscovery();
    } else {
      // A restart: the link asks for the complete picture once connected, and the first scan starts
      // then (or after FIRST_SCAN_WAIT_MS), so that neither delays the host's return to the controller.
      firstScanTimer = setTimeout(() => library?.startDiscovery(), FIRST_SCAN_WAIT_MS);
      library.cleanups.push(() => firstScanTimer && clearTimeout(firstScanTimer));
    }
    return library;
  }

  /** Why the repository must not be used now ('' when it may). */
  get unusableReason(): string {
    return this.unusable;
  }

  /** Which hosts the live probe sees writing into this storage. */
  get storageProbe(): StorageProbeView {
    return this.probe.current();
  }

  /** After (re)connecting: the controller gets the complete picture (and a first scan waiting for the link starts). */
  reportAll(): Promise<void> {
    this.startDiscovery();
    return this.reporter.reportAll();
  }

  recheck(imageIds?: string[]): Promise<void> {
    return this.reporter.recheck(imageIds);
  }

  /** Copies images this storage lacks, as the controller asks. */
  replicate(copies: Replication__Output[]): void {
    this.replicator.enqueue(copies);
  }

  /** Removes a deleted image's data file; a file already gone counts as deleted. */
  async deleteFile(fileName: string): Promise<{ deleted: boolean; reason: string }> {
    if (!isSafeFileName(fileName)) return { deleted: false, reason: `unsafe file name ${JSON.stringify(fileName)} refused` };
    const path = join(this.repositoryPath, fileName);
    // Through a repository path swapped for a symlink, the unlink would remove a name elsewhere.
    if (!(await isRepositoryDirectory(this.repositoryPath))) return { deleted: false, reason: `${this.repositoryPath} is not the repository directory now (a symlink?): nothing removed` };
    try {
      await unlink(path);
      return { deleted: true, reason: '' };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return code === 'ENOENT' ? { deleted: true, reason: 'already gone' } : { deleted: false, reason: `${code} on ${path}` };
    }
  }

  async stop(): Promise<void> {
    this.startDiscovery = () => undefined;
    for (const cleanup of this.cleanups) cleanup();
    this.replicator.stop();
    await this.probe.stop();
    await this.discovery.close();
    await this.service.stop();
  }
}

/** The repository's problem now; a missing directory on a share that is back is created again. */
async function usability(repositoryPath: string, requireMount: boolean): Promise<string> {
  const check = await checkRepository(repositoryPath, requireMount);
  if (!check.creatable) return check.problem;
  try {
    await prepareRepository(repositoryPath);
    return '';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
