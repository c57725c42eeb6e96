import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CatalogRepository } from '@imagelib/store';
import { AgentSessions } from '../agents/agent-sessions.service.js';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { catalogUpdates } from './catalog-updates.js';

/** Catalog writes within this window go to the hosts as one update. */
const COALESCE_MS = 5;
/** With several controllers, each also looks this often for changes it was not told of. */
const CATCH_UP_INTERVAL_MS = 1000;

/**
 * Keeps every connected host's copy of the catalog current: on hello, what changed since the
 * host's revision (everything when it has none or is ahead of this controller); after changes,
 * what changed since what it was last sent, bursts coalesced. Applying an update twice is
 * harmless on the host. With several controllers, each streams to its own agents, and a change
 * made through one is announced to the others (the cluster bus), which stream it to theirs; a
 * change whose announcement was lost (its controller died first) goes out within
 * CATCH_UP_INTERVAL_MS all the same.
 */
@Injectable()
export class CatalogSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CatalogSync.name);
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private again = false;
  private catchUp: NodeJS.Timeout | null = null;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly sessions: AgentSessions,
    private readonly bus: ClusterBus,
  ) {
    bus.on('catalog', () => this.stream());
  }

  onApplicationBootstrap(): void {
    if (this.bus.enabled) this.catchUp = setInterval(() => this.stream(), CATCH_UP_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    if (this.catchUp) clearInterval(this.catchUp);
  }

  async helloFrom(hostId: string, agentRevision: number): Promise<void> {
    let changes = await this.catalog.changesSince(agentRevision);
    // A host ahead of this controller (restored from an older backup) takes the whole catalog.
    const full = agentRevision === 0 || agentRevision > changes.revision;
    if (full && agentRevision !== 0) changes = await this.catalog.changesSince(0);
    if (!full) {
      // A hello's revision is what the host applied (and serves from): as good as an ack for it.
      this.sessions.recordCatalogSent(hostId, agentRevision);
      this.sessions.recordCatalogAck(hostId, agentRevision);
    }
    if (full || changes.revision > agentRevision) this.send([hostId], catalogUpdates(changes.changed, changes.revision, full));
  }

  /** Called after catalog writes on this controller. */
  catalogChanged(): void {
    this.bus.publish({ kind: 'catalog' });
    this.stream();
  }

  /** Streams what changed to this controller's agents; coalesces bursts into as few updates as it can. */
  private stream(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush()
        .catch((error: unknown) => this.logger.warn(`could not stream catalog changes: ${String(error)}`))
        .finally(() => {
          this.flushing = null;
          if (this.again) {
            this.again = false;
            this.stream();
          }
        });
    }, COALESCE_MS);
  }

  private async flush(): Promise<void> {
    const bySent = new Map<number, string[]>();
    for (const hostId of this.sessions.connectedHostIds()) {
      const sent = this.sessions.catalogProgress(hostId)?.sent ?? 0;
      bySent.set(sent, [...(bySent.get(sent) ?? []), hostId]);
    }
    for (const [sent, hostIds] of bySent) {
      const changes = await this.catalog.changesSince(sent);
      if (changes.revision > sent) this.send(hostIds, catalogUpdates(changes.changed, changes.revision, false));
    }
  }

  private send(hostIds: string[], updates: ReturnType<typeof catalogUpdates>): void {
    for (const hostId of hostIds) {
      for (const update of updates) {
        if (!this.sessions.send(hostId, { catalog: update })) break;
        this.sessions.recordCatalogSent(hostId, Number(update.revision));
      }
    }
  }
}
