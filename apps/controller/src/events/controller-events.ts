import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';

/** What changed in the controller's state. */
export type ChangeKind = 'host-connected' | 'host-disconnected' | 'host-removed' | 'roles' | 'facts' | 'catalog' | 'statuses';

/** The parts of the operators' view that a change makes stale (each is one REST resource). */
export type View = 'hosts' | 'images' | 'endpoints';

export const ALL_VIEWS: readonly View[] = ['hosts', 'images', 'endpoints'];

const VIEWS_OF: Record<ChangeKind, readonly View[]> = {
  'host-connected': ALL_VIEWS,
  'host-disconnected': ALL_VIEWS,
  'host-removed': ALL_VIEWS,
  roles: ALL_VIEWS,
  facts: ['hosts', 'endpoints'],
  catalog: ['images'],
  statuses: ['images'],
};

/** What each message on an agent's stream may change, once applied. */
const CHANGES_OF_AGENT_MESSAGE: Partial<Record<string, readonly ChangeKind[]>> = {
  hello: ['roles', 'facts'],
  facts: ['facts'],
  roleStatus: ['roles'],
  imageStatus: ['statuses'],
  fileDeletion: ['catalog'],
};

/** Changes published within this window go out as one batch. */
export const COALESCE_MS = 250;

/** One coalesced notification: which changes happened since the last batch, and which views they affect. */
export interface ChangeBatch {
  seq: number;
  changes: ChangeKind[];
  views: View[];
}

export type ChangeListener = (batch: ChangeBatch) => void;

/**
 * The controller's change bus. Services publish what they changed; listeners (the dashboard's
 * event streams) receive at most one batch per COALESCE_MS however many changes happened, so
 * 10,000 status reports in a burst make a handful of notifications, not 10,000. With several
 * controllers, each batch of changes made here is told to the others (the cluster bus), and theirs
 * reach this controller's listeners in the same batches.
 */
@Injectable()
export class ControllerEvents implements OnApplicationShutdown {
  private readonly logger = new Logger(ControllerEvents.name);
  private readonly listeners = new Set<ChangeListener>();
  private readonly pending = new Set<ChangeKind>();
  /** The pending changes made on this controller (the others learn of them). */
  private readonly pendingHere = new Set<ChangeKind>();
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;

  constructor(private readonly bus: ClusterBus) {
    bus.on('changes', (message) => this.publishedElsewhere(message.changes));
  }

  publish(change: ChangeKind): void {
    this.pendingHere.add(change);
    this.publishedElsewhere([change]);
  }

  /** Changes another controller made (or that every controller sees for itself): for this controller's listeners only. */
  publishedElsewhere(changes: readonly ChangeKind[]): void {
    for (const change of changes) if (change in VIEWS_OF) this.pending.add(change);
    this.timer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  /** Publishes what an applied message from an agent's stream may have changed. */
  agentMessageApplied(body: string | undefined): void {
    for (const change of CHANGES_OF_AGENT_MESSAGE[body ?? ''] ?? []) this.publish(change);
  }

  /** Calls the listener with every batch from now on; returns the function that stops it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    this.timer = null;
    const changes = [...this.pending].sort();
    this.pending.clear();
    if (this.pendingHere.size > 0) this.bus.publish({ kind: 'changes', changes: [...this.pendingHere].sort() });
    this.pendingHere.clear();
    const views = ALL_VIEWS.filter((view) => changes.some((change) => VIEWS_OF[change].includes(view)));
    const batch: ChangeBatch = { seq: ++this.seq, changes, views };
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.warn(`a change listener failed: ${String(error)}`);
      }
    }
  }
}
