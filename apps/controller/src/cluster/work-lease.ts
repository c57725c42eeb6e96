import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { PostgresSession } from './postgres-session.js';

/** The advisory lock whose holder does the work that must happen once (any 64-bit number no other lock uses). */
const LEASE_LOCK_KEY = 7_420_315_526;
/** How often a controller without the lease tries for it, and the holder checks it still has its session. */
const CHECK_INTERVAL_MS = 1000;

/**
 * The lease for work that must happen once in the cluster (file deletion, replication planning):
 * with several controllers on PostgreSQL, a session-level advisory lock held on a connection of
 * its own. A controller that dies loses its connection, the server releases the lock, and another
 * controller takes it at its next try (within CHECK_INTERVAL_MS); the holder checks its session
 * every interval and stops its work at once when it is gone. On sqlite there is one controller,
 * which always holds it.
 */
@Injectable()
export class WorkLease implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkLease.name);
  private readonly session: PostgresSession | null;
  private readonly acquiredListeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private holding: boolean;
  private checking = false;

  constructor(@Inject(CONTROLLER_CONFIG) config: ControllerConfig) {
    const url = 'postgresUrl' in config.database ? config.database.postgresUrl : null;
    this.holding = url === null;
    this.session = url ? new PostgresSession(url, 'work lease', this.logger, { onUp: async () => this.check(), onDown: () => this.lose('its PostgreSQL session ended') }) : null;
  }

  /** Whether this controller does the once-only work now. */
  get held(): boolean {
    return this.holding;
  }

  /** Calls the listener each time this controller takes the lease. */
  onAcquired(listener: () => void): void {
    this.acquiredListeners.add(listener);
  }

  onApplicationBootstrap(): void {
    if (!this.session) return;
    this.session.start();
    this.timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.holding = this.session === null;
    await this.session?.close();
  }

  private async check(): Promise<void> {
    if (!this.session?.up || this.checking) return;
    this.checking = true;
    try {
      if (this.holding) {
        await this.session.query('SELECT 1');
        return;
      }
      const [row] = await this.session.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [LEASE_LOCK_KEY]);
      if (!row?.taken) return;
      this.holding = true;
      this.logger.log('took the work lease: this controller now does file deletion and replication planning');
      for (const listener of this.acquiredListeners) listener();
    } catch {
      // The session is dropped on a failed query (onDown says so when it was up).
    } finally {
      this.checking = false;
    }
  }

  private lose(why: string): void {
    if (!this.holding) return;
    this.holding = false;
    this.logger.warn(`lost the work lease: ${why}`);
  }
}
