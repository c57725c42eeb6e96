import type { Logger } from '@nestjs/common';

/**
 * Runs a sweep on a timer and whenever poked, never two at once; a poke during a sweep is not
 * lost (the timer's next run covers it). Failures are logged, and the next run tries again.
 */
export class PeriodicSweep {
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly sweep: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poke(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  poke(): void {
    if (this.sweeping) return;
    this.sweeping = true;
    this.sweep()
      .catch((error: unknown) => this.logger.warn(`${this.what} failed: ${String(error)}`))
      .finally(() => {
        this.sweeping = false;
      });
  }
}
