import type { Logger } from '@nestjs/common';
import { PeriodicSweep, POKE_COALESCE_MS } from '../catalog/periodic-sweep.js';
import type { ClusterBus } from './cluster-bus.js';
import type { OnceOnlyWork } from './cluster-messages.js';
import type { WorkLease } from './work-lease.js';

/**
 * A periodic sweep of work that must happen once in the cluster: it runs only on the controller
 * holding the work lease. A poke on another controller (an agent connected there reported
 * something the sweep acts on) goes to the holder over the cluster bus, at most one per
 * POKE_COALESCE_MS; a controller that takes the lease sweeps at once.
 */
export class LeasedSweep {
  private readonly sweeper: PeriodicSweep;
  private forwarding: NodeJS.Timeout | null = null;

  constructor(
    private readonly work: OnceOnlyWork,
    intervalMs: number,
    sweep: () => Promise<void>,
    logger: Logger,
    private readonly lease: WorkLease,
    private readonly bus: ClusterBus,
  ) {
    this.sweeper = new PeriodicSweep(`${work} sweep`, intervalMs, async () => (lease.held ? sweep() : undefined), logger);
    bus.on('poke', (message) => {
      if (message.work === work && lease.held) this.sweeper.poke();
    });
    lease.onAcquired(() => this.sweeper.poke());
  }

  /** Whether the sweep runs on this controller (it holds the lease). */
  get here(): boolean {
    return this.lease.held;
  }

  start(): void {
    this.sweeper.start();
  }

  stop(): void {
    this.sweeper.stop();
    if (this.forwarding) clearTimeout(this.forwarding);
  }

  poke(): void {
    if (this.lease.held) return this.sweeper.poke();
    this.forwarding ??= setTimeout(() => {
      this.forwarding = null;
      this.bus.publish({ kind: 'poke', work: this.work });
    }, POKE_COALESCE_MS);
  }
}
