import type { Logger } from '@nestjs/common';
import pg from 'pg';

/** Reconnecting waits this long at first, doubling up to the cap. */
const RETRY_FIRST_MS = 200;
const RETRY_CAP_MS = 5000;
/** A connection attempt or a query gives up after this long. */
const TIMEOUT_MS = 5000;

/**
 * One PostgreSQL connection of its own, outside the store's pool, kept open for as long as the
 * controller runs: what lives with a session (LISTEN, advisory locks) needs the same connection
 * throughout. It reconnects by itself with capped backoff; `onUp` runs on every new connection
 * (to LISTEN again), `onDown` when one is lost (what lived with it is gone).
 */
export class PostgresSession {
  private client: pg.Client | null = null;
  private retryMs = RETRY_FIRST_MS;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  /** Queries run one after another (a pg client takes one at a time). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly logger: Logger,
    private readonly handlers: { onUp: (client: pg.Client) => Promise<void>; onDown: () => void; onNotification?: (message: pg.Notification) => void },
  ) {}

  get up(): boolean {
    return this.client !== null;
  }

  start(): void {
    void this.connect();
  }

  /** Runs a query on this session, after those asked before; rejects when it is down or the query fails (the session is then dropped). */
  query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
    const run = this.queue.then(() => this.run<Row>(text, values));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run<Row extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    const client = this.client;
    if (!client) throw new Error(`the ${this.name} connection to PostgreSQL is down`);
    try {
      return (await client.query<Row>({ text, values, query_timeout: TIMEOUT_MS } as pg.QueryConfig)).rows;
    } catch (error) {
      this.lost(client, error);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, connectionTimeoutMillis: TIMEOUT_MS, application_name: `imagelib-controller ${this.name}` });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    if (this.handlers.onNotification) client.on('notification', this.handlers.onNotification);
    try {
      await client.connect();
      if (this.closed) return void (await client.end());
      this.client = client;
      await this.handlers.onUp(client);
      this.retryMs = RETRY_FIRST_MS;
      this.logger.log(`${this.name}: connected to PostgreSQL`);
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    const wasUp = this.client === client;
    if (wasUp) this.client = null;
    if (this.closed || this.retry) return;
    this.logger.warn(`${this.name}: PostgreSQL connection lost (${error instanceof Error ? error.message : String(error)}); connecting again`);
    if (wasUp) this.handlers.onDown();
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_CAP_MS);
  }
}
