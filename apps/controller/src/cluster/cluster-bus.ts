import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import type { ClusterMessage, ClusterMessageKind, ClusterMessageOf } from './cluster-messages.js';
import { PostgresSession } from './postgres-session.js';

const CHANNEL = 'imagelib_cluster';
/** Messages published within this window go out together. */
const COALESCE_MS = 10;
/** Messages that only signal: one of each in the outbox says as much as many. */
const SIGNALS = new Set<ClusterMessageKind>(['catalog', 'poke', 'hello']);
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;

interface Envelope {
  from: string;
  messages: ClusterMessage[];
}

type Handler<K extends ClusterMessageKind> = (message: ClusterMessageOf<K>, from: string) => void;

/**
 * How controllers sharing one PostgreSQL tell each other what lives in their memory: LISTEN/NOTIFY
 * on a connection of its own. Messages published within COALESCE_MS go out as few notifications as
 * fit PostgreSQL's payload limit; a controller never hears its own. While the connection is down
 * messages are dropped (counted in the log): whoever needs them again asks when it rejoins
 * (`onJoined`). On sqlite there is one controller: publishing does nothing, `enabled` is false.
 */
@Injectable()
export class ClusterBus implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClusterBus.name);
  /** This process among the controllers: new at every start. */
  readonly controllerId = randomUUID();
  private readonly session: PostgresSession | null;
  private readonly handlers = new Map<ClusterMessageKind, Set<Handler<ClusterMessageKind>>>();
  private readonly joinedListeners = new Set<() => void>();
  private outbox: ClusterMessage[] = [];
  /** The signals in the outbox (kind and work), each queued once. */
  private readonly queuedSignals = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private dropped = 0;

  constructor(@Inject(CONTROLLER_CONFIG) config: ControllerConfig) {
    const url = 'postgresUrl' in config.database ? config.database.postgresUrl : null;
    this.session = url
      ? new PostgresSession(url, 'cluster bus', this.logger, {
          onUp: (client) => this.joined(client),
          onDown: () => undefined,
          onNotification: (notification) => this.received(notification.payload ?? ''),
        })
      : null;
  }

  /** Whether other controllers may exist (the store is PostgreSQL). */
  get enabled(): boolean {
    return this.session !== null;
  }

  on<K extends ClusterMessageKind>(kind: K, handler: Handler<K>): void {
    const set = this.handlers.get(kind) ?? new Set();
    set.add(handler as unknown as Handler<ClusterMessageKind>);
    this.handlers.set(kind, set);
  }

  /** Calls the listener each time this controller (re)joins the channel, after its hello went out. */
  onJoined(listener: () => void): void {
    this.joinedListeners.add(listener);
  }

  publish(message: ClusterMessage): void {
    if (!this.session) return;
    if (SIGNALS.has(message.kind)) {
      const signal = message.kind === 'poke' ? `poke:${message.work}` : message.kind;
      if (this.queuedSignals.has(signal)) return;
      this.queuedSignals.add(signal);
    }
    this.outbox.push(message);
    this.timer ??= setTimeout(() => void this.flush(), COALESCE_MS);
  }

  onApplicationBootstrap(): void {
    this.session?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
    await this.session?.close();
  }

  private async joined(client: pg.Client): Promise<void> {
    await client.query(`LISTEN ${CHANNEL}`);
    this.publish({ kind: 'hello' });
    for (const listener of this.joinedListeners) listener();
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const messages = this.outbox;
    this.outbox = [];
    this.queuedSignals.clear();
    for (const payload of payloads(this.controllerId, messages, (message) => this.logger.warn(`a ${message.kind} message is too large for a notification; not sent`))) {
      try {
        await this.session!.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
      } catch {
        this.dropped++;
      }
    }
    if (this.dropped > 0 && this.session?.up) {
      this.logger.warn(`${this.dropped} notifications to the other controllers were lost while the connection was down`);
      this.dropped = 0;
    }
  }

  private received(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === this.controllerId || !Array.isArray(envelope.messages)) return;
    for (const message of envelope.messages) {
      for (const handler of this.handlers.get(message.kind) ?? []) {
        try {
          handler(message, envelope.from);
        } catch (error) {
          this.logger.warn(`a ${message.kind} message from controller ${envelope.from} failed: ${String(error)}`);
        }
      }
    }
  }
}

/** The messages as notification payloads of at most MAX_PAYLOAD_BYTES each, in order. */
export function payloads(from: string, messages: ClusterMessage[], tooLarge: (message: ClusterMessage) => void): string[] {
  const out: string[] = [];
  const head = `{"from":${JSON.stringify(from)},"messages":[`;
  let body: string[] = [];
  let size = head.length + 2;
  for (const message of messages) {
    const json = JSON.stringify(message);
    if (head.length + 2 + Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
      tooLarge(message);
      continue;
    }
    if (body.length > 0 && size + 1 + Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
      out.push(`${head}${body.join(',')}]}`);
      body = [];
      size = head.length + 2;
    }
    body.push(json);
    size += Buffer.byteLength(json) + 1;
  }
  if (body.length > 0) out.push(`${head}${body.join(',')}]}`);
  return out;
}
