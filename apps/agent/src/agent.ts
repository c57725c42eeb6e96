import type { FileToDelete__Output } from '@imagelib/proto';
import { CatalogClient } from './catalog/catalog-client.js';
import { LocalCatalog } from './catalog/local-catalog.js';
import type { AgentConfig } from './config/agent-config.js';
import { ensureCredential } from './enrolment/enrol.js';
import { collectHostFacts } from './facts/host-facts.js';
import { RequestAuth } from './image-service/request-auth.js';
import { ControllerLink } from './link/controller-link.js';
import { createGatewayClient } from './link/gateway-client.js';
import type { Logger } from './log.js';
import { detectDiskFormat } from './media/disk-format.js';
import { HashingPool } from './media/hashing.js';
import { RoleManager } from './roles/role-manager.js';
import { returnFreeMemory } from '@imagelib/native-memory';

/** Exit status when the controller no longer accepts this host's credential: do not restart in a loop. */
export const EXIT_CREDENTIAL_REFUSED = 3;

/** The agent process: enrol once, then keep the link to the controller and run the roles it asks for. */
export class Agent {
  private link: ControllerLink | null = null;
  private roles: RoleManager | null = null;
  private catalog: LocalCatalog | null = null;
  private hashing: HashingPool | null = null;
  private closeClient: (() => void) | null = null;
  private closeWrites: (() => void) | null = null;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
    private readonly exit: (code: number) => void,
  ) {}

  async start(): Promise<void> {
    const credential = await ensureCredential(this.config, this.log);
    const client = createGatewayClient(this.config.controllerTarget, credential);
    this.closeClient = () => client.close();
    const catalog = new LocalCatalog(this.config.catalogPath);
    this.catalog = catalog;
    const writes = new CatalogClient(client, catalog);
    this.closeWrites = () => writes.close();
    // After a burst of uploads or discovered files, the C heap holds tens of MiB freed but not given back.
    const hashing = new HashingPool({ onIdleStop: () => returnFreeMemory() });
    this.hashing = hashing;
    const auth = new RequestAuth(this.config.imageApiAuth);
    const send = (message: Parameters<ControllerLink['send']>[0]) => this.link?.send(message) ?? false;
    const roles = new RoleManager(
      {
        desiredStatePath: this.config.desiredStatePath,
        imageLibrary: {
          hostId: credential.hostId,
          bindAddress: this.config.bindAddress,
          advertisedHost: advertisedHost(this.config),
          catalog,
          writes,
          auth,
          send,
          connected: () => this.link?.connected ?? false,
          onRepositoryChange: () => this.link?.sendFacts(),
          maxUploadBytes: this.config.maxUploadBytes,
          hashing,
          discoveryCachePath: this.config.discoveryCachePath,
          scrubBytesPerSecond: this.config.scrubBytesPerSecond,
          replicationBandwidthBytesPerSecond: this.config.replicationBandwidthBytesPerSecond,
          httpLimits: { headersTimeoutMs: this.config.httpHeadersTimeoutMs, idleTimeoutMs: this.config.httpIdleTimeoutMs },
          newHasher: () => hashing.streamHasher(),
          detectFormat: detectDiskFormat,
          log: this.log,
        },
        onStatus: (status) => {
          this.link?.send({ roleStatus: status });
          this.link?.sendFacts();
        },
      },
      this.log,
    );
    this.roles = roles;
    await roles.apply(roles.savedDesiredState(), false);
    this.link = new ControllerLink(
      client,
      { agentVersion: this.config.version, collectFacts: () => collectHostFacts(this.config.hostname, roles.repositories()) },
      {
        hello: () => ({ roles: roles.statuses(), catalogRevision: catalog.revision }),
        connected: (welcome) => {
          auth.setPublicKey(welcome.imageTokenPublicKeyPem);
          void roles.imageLibrary()?.reportAll();
        },
        desiredState: (assignments) => void roles.apply(assignments, true),
        catalog: (update) => {
          catalog.apply(update);
          const revision = catalog.revision;
          // The controller counts on an acknowledged revision surviving a restart: acknowledged once saved.
          catalog.whenSaved().then(
            () => send({ catalogAck: { revision } }),
            (error: unknown) => this.log.warn({ err: error, revision }, 'could not save the catalog copy; the update stays unacknowledged'),
          );
        },
        deleteFiles: (files) => void this.deleteFiles(files),
        replicate: (copies) => {
          const library = roles.imageLibrary();
          if (library) library.replicate(copies);
          else for (const copy of copies) send({ replication: { imageId: copy.imageId, ok: false, reason: 'the image-library role is not running here' } });
        },
        revoked: (reason) => {
          this.log.error({ reason }, "the controller refused this host's credential; enrol again with a new join token");
          void this.stop().then(() => this.exit(EXIT_CREDENTIAL_REFUSED));
        },
      },
      this.log,
    );
    this.link.start();
  }

  async stop(): Promise<void> {
    this.link?.stop();
    await this.roles?.stopAll();
    await this.catalog?.flush();
    await this.hashing?.close();
    this.closeWrites?.();
    this.closeClient?.();
  }

  private async deleteFiles(files: FileToDelete__Output[]): Promise<void> {
    for (const file of files) {
      const library = this.roles?.imageLibrary();
      const result = library ? await library.deleteFile(file.fileName) : { deleted: false, reason: 'the image-library role is not running here' };
      this.log.info({ imageId: file.imageId, fileName: file.fileName, ...result }, 'deleted image file');
      this.link?.send({ fileDeletion: { imageId: file.imageId, ...result } });
    }
  }
}

function advertisedHost(config: AgentConfig): string {
  if (config.bindAddress === '0.0.0.0' || config.bindAddress === '::') return config.hostname;
  return config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
}
