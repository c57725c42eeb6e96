import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CatalogRepository, type HostEntity, HostsRepository, type ImageEntity } from '@imagelib/store';
import type { FileDeletionResult__Output } from '@imagelib/proto';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { FleetPresence } from '../cluster/fleet-presence.js';
import { HostMessenger } from '../cluster/host-messenger.js';
import { LeasedSweep } from '../cluster/leased-sweep.js';
import { WorkLease } from '../cluster/work-lease.js';
import { StorageGroups } from './storage-groups.js';

const SWEEP_INTERVAL_MS = 2000;
const RESEND_AFTER_MS = 30_000;

/**
 * Removes the data files of deleted images from the hosts. Hosts that report the same storage id
 * share one storage: there the file is deleted once, by one host, and only after every connected
 * host of that storage has applied the deletion to its catalog (so none still serves the image).
 * Hosts on their own storage each delete their copy. Deletion is idempotent on the host. With
 * several controllers, the holder of the work lease does it (results from hosts connected elsewhere
 * are handed to it); a new holder starts with nothing sent and sends again what is not done.
 */
@Injectable()
export class FileReaper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FileReaper.name);
  /** "<image>/<storage>" → when the delete command was sent, and to which host. */
  private readonly sent = new Map<string, { at: number; hostId: string }>();
  /** "<image>/<storage>" done. */
  private readonly done = new Set<string>();
  private readonly sweeper: LeasedSweep<FileDeletionResult__Output>;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly hosts: HostsRepository,
    private readonly presence: FleetPresence,
    private readonly messenger: HostMessenger,
    bus: ClusterBus,
    lease: WorkLease,
  ) {
    this.sweeper = new LeasedSweep('file-deletion', SWEEP_INTERVAL_MS, () => this.sweep(), (hostId, result) => this.applyResult(hostId, result), this.logger, lease, bus);
    // A command to a host that connects again may have been lost with its old stream: it goes again now.
    presence.onConnect((hostId) => {
      for (const [key, sent] of this.sent) if (sent.hostId === hostId) this.sent.delete(key);
      this.poke();
    });
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  onApplicationShutdown(): void {
    this.sweeper.stop();
  }

  /** Re-examines pending deletions now (after an ack, a result, a reconnect). */
  poke(): void {
    this.sweeper.poke();
  }

  /** A host's answer to a delete command (applied by the lease holder). */
  result(hostId: string, result: FileDeletionResult__Output): void {
    this.sweeper.result(hostId, result);
  }

  private async applyResult(hostId: string, result: FileDeletionResult__Output): Promise<void> {
    const image = await this.catalog.findById(result.imageId);
    if (!image || !image.filesPending) return;
    const key = `${image.id}/${StorageGroups.of(await this.hosts.hostsWithRole('image-library')).keyOf(hostId)}`;
    this.sent.delete(key);
    if (!result.deleted) {
      await this.catalog.recordHostStatuses(hostId, [{ imageId: image.id, state: 'cannot-delete', reason: result.reason }], false, new Date().toISOString());
      this.logger.warn(`host ${hostId} could not delete the file of image ${image.id}: ${result.reason}`);
      return;
    }
    this.done.add(key);
    await this.catalog.forgetHostStatus(hostId, image.id);
    this.poke();
  }

  private async sweep(): Promise<void> {
    const pending = await this.catalog.filesPendingDeletion();
    if (pending.length === 0) return;
    const groups = StorageGroups.of(await this.hosts.hostsWithRole('image-library')).entries();
    for (const image of pending) {
      let complete = true;
      for (const [storage, members] of groups) {
        const key = `${image.id}/${storage}`;
        if (this.done.has(key)) continue;
        complete = false;
        this.dispatch(image, key, members);
      }
      if (complete) {
        await this.catalog.markFilesDeleted(image.id);
        for (const [storage] of groups) this.done.delete(`${image.id}/${storage}`);
        this.logger.log(`the file of deleted image ${image.id} is gone from every storage`);
      }
    }
  }

  private dispatch(image: ImageEntity, key: string, members: HostEntity[]): void {
    const sent = this.sent.get(key);
    if (sent && Date.now() - sent.at < RESEND_AFTER_MS) return;
    const connected = members.filter((host) => this.presence.isConnected(host.id));
    if (connected.length === 0) return;
    // Nobody on this storage may still list the image as theirs to serve.
    if (!connected.every((host) => (this.presence.catalogAcked(host.id) ?? 0) >= image.revision)) return;
    // Only a host running the role can delete: one whose role failed or is going would refuse, every sweep.
    const deleter = connected.find((host) => host.roles.find((role) => role.role === 'image-library')?.state === 'active');
    if (!deleter) return;
    if (this.messenger.send(deleter.id, { deleteFiles: { files: [{ imageId: image.id, fileName: image.fileName ?? '' }] } })) this.sent.set(key, { at: Date.now(), hostId: deleter.id });
  }
}
