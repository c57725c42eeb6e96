import { Injectable, Logger } from '@nestjs/common';
import { CatalogRepository } from '@imagelib/store';
import { AgentSessions } from '../agents/agent-sessions.service.js';
import { toCatalogImage } from './image-mapping.js';

/**
 * Keeps every connected host's copy of the catalog current: on hello, what changed since the
 * host's revision (everything when it has none or is ahead of this controller); after each change,
 * what changed since what it was last sent. Applying an update twice is harmless on the host.
 */
@Injectable()
export class CatalogSync {
  private readonly logger = new Logger(CatalogSync.name);
  private flushing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly sessions: AgentSessions,
  ) {}

  async helloFrom(hostId: string, agentRevision: number): Promise<void> {
    const revision = await this.catalog.revision();
    if (agentRevision === 0 || agentRevision > revision) {
      const images = await this.catalog.listLive();
      this.sessions.send(hostId, { catalog: { revision, full: true, images: images.map(toCatalogImage), removedIds: [] } });
      this.sessions.recordCatalogSent(hostId, revision);
      return;
    }
    this.sessions.recordCatalogSent(hostId, agentRevision);
    await this.sendChanges([hostId], agentRevision);
  }

  /** Called after every catalog write; coalesces bursts into as few updates as it can. */
  catalogChanged(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = this.flush()
      .catch((error: unknown) => this.logger.warn(`could not stream catalog changes: ${String(error)}`))
      .finally(() => {
        this.flushing = null;
        if (this.again) {
          this.again = false;
          this.catalogChanged();
        }
      });
  }

  private async flush(): Promise<void> {
    const bySent = new Map<number, string[]>();
    for (const hostId of this.sessions.connectedHostIds()) {
      const sent = this.sessions.catalogProgress(hostId)?.sent ?? 0;
      bySent.set(sent, [...(bySent.get(sent) ?? []), hostId]);
    }
    for (const [sent, hostIds] of bySent) await this.sendChanges(hostIds, sent);
  }

  private async sendChanges(hostIds: string[], since: number): Promise<void> {
    const changes = await this.catalog.changesSince(since);
    if (changes.revision <= since) return;
    const update = { revision: changes.revision, full: false, images: changes.images.map(toCatalogImage), removedIds: changes.removedIds };
    for (const hostId of hostIds) {
      if (this.sessions.send(hostId, { catalog: update })) this.sessions.recordCatalogSent(hostId, changes.revision);
    }
  }
}
