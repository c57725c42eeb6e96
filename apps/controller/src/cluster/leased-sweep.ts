import type { Logger } from '@nestjs/common';
import { PeriodicSweep, POKE_COALESCE_MS } from '../catalog/periodic-sweep.js';
import type { ClusterBus } from './cluster-bus.js';
import type { OnceOnlyWork, WorkResult } from './cluster-messages.js';
import type { WorkLease } from './work-lease.js';

/**
 * A periodic sweep of work that must happen once in the cluster: it runs only on the controller
 * holding the work lease. A poke on another controller (an agent connected there reported
 * something the sweep acts on) goes to the holder over the cluster bus, at most one per
 * POKE_COALESCE_MS; a controller that takes the lease sweeps at once. Results of the work's
 * commands reaching another controller are handed to the holder the same way.
 */
export class LeasedSweep<Result extends WorkResult> {
  private readonly sweeper: PeriodicSweep;
  private forwarding: NodeJS.Timeout | null = null;

  constructor(
    private readonly work: OnceOnlyWork,
    intervalMs: number,
    sweep: () => Promise<void>,
    private readonly applyResult: (hostId: string, result: Result) => Promise<void>,
    private readonly logger: Logger,
    private readonly lease: WorkLease,
    private readonly bus: ClusterBus,
  ) {
    this.sweeper = new PeriodicSweep(`${work} sweep`, intervalMs, async () => (lease.held ? sweep() : undefined), logger);
    bus.on('poke', (message) => {
      if (message.work === work && lease.held) this.sweeper.poke();
    });
    bus.on('work-result', (message) => {
      if (message.work === work && lease.held) this.applyHere(message.hostId, message.result as Result);
    });
    lease.onAcquired(() => this.sweeper.poke());
  }

  /** A host's result of one of the work's commands: applied here on the lease holder, handed to it otherwise. */
  result(hostId: string, result: Result): void {
    if (this.lease.held) this.applyHere(hostId, result);
    else this.bus.publish({ kind: 'work-result', work: this.work, hostId, result });
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

  private applyHere(hostId: string, result: Result): void {
    this.applyResult(hostId, result).catch((error: unknown) => this.logger.warn(`could not record a ${this.work} result of host ${hostId}: ${String(error)}`));
  }

  poke(): void {
    if (this.lease.held) return this.sweeper.poke();
    this.forwarding ??= setTimeout(() => {
      this.forwarding = null;
      this.bus.publish({ kind: 'poke', work: this.work });
    }, POKE_COALESCE_MS);
  }
}
