import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CatalogRepository, type HostEntity, HostsRepository, type ImageEntity } from '@imagelib/store';
import type { ReplicationResult__Output } from '@imagelib/proto';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { FleetPresence } from '../cluster/fleet-presence.js';
import { HostMessenger } from '../cluster/host-messenger.js';
import { LeasedSweep } from '../cluster/leased-sweep.js';
import { WorkLease } from '../cluster/work-lease.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { ImageTokenSigner } from '../image-tokens/image-token-signer.js';
import { shuffled } from '../shuffled.js';
import { StorageGroups } from './storage-groups.js';

const SWEEP_INTERVAL_MS = 2000;
/** Copies one host receives at once. */
const COPIES_PER_HOST = 2;
/** A copy not reported back within this time is asked for again. */
const COPY_TIMEOUT_MS = 15 * 60_000;
/** A finished copy counts as under way until the host reports the image ok, for at most this long. */
const SETTLE_AFTER_COPY_MS = 30_000;
/** After a failed copy, the image waits this long before the next try on that storage. */
const RETRY_AFTER_FAILURE_MS = 5000;
const SOURCE_TOKEN_TTL_S = 3600;

interface Copy {
  hostId: string;
  /** Until then no other copy of the image is sent to that storage. */
  until: number;
  /** The host reported the copy made: it no longer takes one of the host's slots, while its status catches up. */
  done: boolean;
}

/**
 * Keeps every image that has data on as many storage groups as configured (all by default): where
 * too few groups hold an image `ok`, one connected host of a group lacking it is told to copy it
 * from hosts where it is `ok`. The same sweep heals: a copy deleted, damaged (`corrupt`) or
 * missing makes its group lack the image. A group that holds the image is never sent a copy.
 * With several controllers, the holder of the work lease plans (results from hosts connected
 * elsewhere are handed to it); a new holder knows no copy under way and may ask again for one a
 * host is making: the host makes each copy once (it ignores a request for one it is making).
 */
@Injectable()
export class ReplicationPlanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReplicationPlanner.name);
  /** "<image>/<storage>" → the copy under way. */
  private readonly copies = new Map<string, Copy>();
  /** "<image>/<storage>" → not before this time (after a failure). */
  private readonly backoff = new Map<string, number>();
  private readonly sweeper: LeasedSweep<ReplicationResult__Output>;
  private wantedCopies = 0;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly hosts: HostsRepository,
    private readonly presence: FleetPresence,
    private readonly messenger: HostMessenger,
    bus: ClusterBus,
    lease: WorkLease,
    private readonly tokens: ImageTokenSigner,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {
    this.sweeper = new LeasedSweep('replication', SWEEP_INTERVAL_MS, () => this.sweep(), (hostId, result) => this.applyResult(hostId, result), this.logger, lease, bus);
  }

  onApplicationBootstrap(): void {
    // A receiver that went away lost its copies under way, and one that connects again may have
    // missed its last requests: they are asked for again (it resumes its partial files, and makes
    // no copy twice).
    const forgetCopiesOf = (hostId: string) => {
      for (const [key, copy] of this.copies) if (copy.hostId === hostId && !copy.done) this.copies.delete(key);
    };
    this.presence.onDisconnect(forgetCopiesOf);
    this.presence.onConnect(forgetCopiesOf);
    this.sweeper.start();
  }

  onApplicationShutdown(): void {
    this.sweeper.stop();
  }

  poke(): void {
    this.sweeper.poke();
  }

  /** Copies still wanted at the last sweep, under way or waiting (the metrics' replication backlog; 0 on a controller without the work lease). */
  get backlog(): number {
    return this.sweeper.here ? this.wantedCopies : 0;
  }

  /** A host's answer to a replicate command (applied by the lease holder). */
  result(hostId: string, result: ReplicationResult__Output): void {
    this.sweeper.result(hostId, result);
  }

  private async applyResult(hostId: string, result: ReplicationResult__Output): Promise<void> {
    const key = `${result.imageId}/${StorageGroups.of(await this.hosts.hostsWithRole('image-library')).keyOf(hostId)}`;
    const copy = this.copies.get(key);
    if (result.ok) {
      // Until its status says ok, the storage would look as lacking the image as before the copy.
      if (copy?.hostId === hostId) Object.assign(copy, { until: Date.now() + SETTLE_AFTER_COPY_MS, done: true });
      this.logger.log(`host ${hostId} copied image ${result.imageId}`);
    } else {
      if (copy?.hostId === hostId) this.copies.delete(key);
      this.backoff.set(key, Date.now() + RETRY_AFTER_FAILURE_MS);
      this.logger.warn(`host ${hostId} could not copy image ${result.imageId}: ${result.reason}`);
    }
    this.poke();
  }

  private async sweep(): Promise<void> {
    const imageLibraryHosts = await this.hosts.hostsWithRole('image-library');
    const serving = imageLibraryHosts.filter((host) => this.presence.isConnected(host.id) && host.roles[0]?.state === 'active' && host.roles[0].url);
    // Storages are told apart with every host's report; copies go to the storages with a host serving now.
    const groups = new Map(
      StorageGroups.of(imageLibraryHosts)
        .entries()
        .map(([storage, members]) => [storage, members.filter((host) => serving.includes(host))] as const)
        .filter(([, members]) => members.length > 0),
    );
    if (serving.length < 2 || groups.size < 2) {
      this.wantedCopies = 0;
      return;
    }
    const okOn = new Map<string, Set<string>>();
    for (const status of await this.catalog.allStatuses()) {
      if (status.state === 'ok') okOn.set(status.imageId, (okOn.get(status.imageId) ?? new Set()).add(status.hostId));
    }
    const load = new Map<string, number>();
    for (const copy of this.copies.values()) if (!copy.done) load.set(copy.hostId, (load.get(copy.hostId) ?? 0) + 1);
    const now = Date.now();
    let wantedCopies = 0;
    for (const image of await this.catalog.listLive()) {
      if (!hasData(image)) continue;
      const holders = serving.filter((host) => okOn.get(image.id)?.has(host.id));
      if (holders.length === 0) continue;
      const lacking = [...groups].filter(([storage, members]) => {
        const holds = members.some((host) => okOn.get(image.id)?.has(host.id));
        if (holds) this.copies.delete(`${image.id}/${storage}`);
        return !holds;
      });
      const wanted = Math.min(this.config.imageCopies, groups.size) - (groups.size - lacking.length);
      wantedCopies += Math.max(0, wanted);
      for (const [storage, members] of lacking.slice(0, Math.max(0, wanted))) {
        const key = `${image.id}/${storage}`;
        const copy = this.copies.get(key);
        if (copy && now < copy.until) continue;
        if ((this.backoff.get(key) ?? 0) > now) continue;
        const receiver = members.find((host) => (load.get(host.id) ?? 0) < COPIES_PER_HOST);
        if (!receiver) continue;
        this.send(image, receiver, holders);
        this.copies.set(key, { hostId: receiver.id, until: now + COPY_TIMEOUT_MS, done: false });
        load.set(receiver.id, (load.get(receiver.id) ?? 0) + 1);
      }
    }
    this.wantedCopies = wantedCopies;
  }

  private send(image: ImageEntity, receiver: HostEntity, holders: HostEntity[]): void {
    const sources = shuffled(holders.map((host) => host.roles[0]?.url ?? '').filter(Boolean));
    const token = this.tokens.sign({ subject: `replication:${receiver.id}`, project: null, admin: true, expiresAt: Math.floor(Date.now() / 1000) + SOURCE_TOKEN_TTL_S });
    this.messenger.send(receiver.id, {
      replicate: { copies: [{ imageId: image.id, fileName: image.fileName ?? '', size: image.size ?? 0, osHashValue: image.osHashValue ?? '', sources, token }] },
    });
    this.logger.log(`asked host ${receiver.hostname} to copy image ${image.id} from ${sources.join(', ')}`);
  }
}

function hasData(image: ImageEntity): boolean {
  return (image.status === 'active' || image.status === 'deactivated') && image.fileName !== null && image.osHashValue !== null && image.size !== null;
}
