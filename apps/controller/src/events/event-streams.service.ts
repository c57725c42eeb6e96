import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { OperatorIdentity } from '../auth/operator-tokens.service.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { ALL_VIEWS, type ChangeBatch, ControllerEvents } from './controller-events.js';

/** Open event streams at once; more are refused with 503. */
export const MAX_STREAMS = 200;
/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
const PING_MS = 15_000;
/** A stream ends after this long; the page reconnects with a new ticket, so a revoked token stops being served. */
export const MAX_STREAM_LIFETIME_MS = 10 * 60_000;
/** A reader this far behind is cut off rather than buffered for. */
const MAX_BUFFERED_BYTES = 64 * 1024;

/**
 * The dashboard's server-sent event streams. Each carries `hello` once, then one `change` event
 * per coalesced batch naming the stale views; the data itself is read from the REST API with
 * the operator's token, so a stream reveals nothing but that something changed.
 */
@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventStreams.name);
  private readonly open = new Set<() => void>();

  constructor(private readonly events: ControllerEvents) {}

  get openCount(): number {
    return this.open.size;
  }

  start(response: Response, operator: OperatorIdentity): void {
    if (this.open.size >= MAX_STREAMS) throw new DomainError(ErrorCode.Unavailable, `too many event streams are open (${MAX_STREAMS}); try again later`);
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    response.flushHeaders();
    const send = (text: string) => {
      if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
      else response.write(text);
    };
    send(`event: hello\ndata: ${JSON.stringify({ views: ALL_VIEWS })}\n\n`);
    const unsubscribe = this.events.subscribe((batch: ChangeBatch) => send(`id: ${batch.seq}\nevent: change\ndata: ${JSON.stringify(batch)}\n\n`));
    const ping = setInterval(() => send(': ping\n\n'), PING_MS);
    const lifetime = setTimeout(() => response.end(), MAX_STREAM_LIFETIME_MS);
    const close = () => {
      unsubscribe();
      clearInterval(ping);
      clearTimeout(lifetime);
      this.open.delete(close);
      if (!response.writableEnded) response.end();
    };
    this.open.add(close);
    response.once('close', close);
    this.logger.debug(`event stream opened for operator ${operator.name} (${this.open.size} open)`);
  }

  /** Ends every stream, so that the HTTP server can close. */
  beforeApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}
