import type { Logger } from '@nestjs/common';

/** Pokes within this window make one sweep. */
export const POKE_COALESCE_MS = 100;

/**
 * Runs a sweep on a timer and soon after being poked, never two at once. Pokes are coalesced: the
 * thousands of messages a large report or catalogue brings make a few sweeps, not thousands; a poke
 * during a sweep makes one more after it. Failures are logged, and the next run tries again.
 */
export class PeriodicSweep {
  private timer: NodeJS.Timeout | null = null;
  private poked: NodeJS.Timeout | null = null;
  private sweeping = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly sweep: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.run(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.poked) clearTimeout(this.poked);
  }

  /** Something changed that the sweep acts on: it runs within POKE_COALESCE_MS (or right after the one under way). */
  poke(): void {
    if (this.sweeping) {
      this.again = true;
      return;
    }
    this.poked ??= setTimeout(() => {
      this.poked = null;
      this.run();
    }, POKE_COALESCE_MS);
  }

  private run(): void {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    this.again = false;
    this.sweep()
      .catch((error: unknown) => this.logger.warn(`${this.what} failed: ${String(error)}`))
      .finally(() => {
        this.sweeping = false;
        if (this.again) this.poke();
      });
  }
}
