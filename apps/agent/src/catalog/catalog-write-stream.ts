import { type ClientDuplexStream, type ServiceError, status } from '@grpc/grpc-js';
import { GlanceError } from '@imagelib/glance';
import type { CatalogWriteError__Output, CatalogWriteReply__Output, CatalogWriteRequest } from '@imagelib/proto';

const DEADLINE_MS = 10_000;

/** One write: a CatalogWriteRequest without its id. */
export type CatalogWrite = Omit<CatalogWriteRequest, 'id'>;

export type WritesStream = Pick<ClientDuplexStream<CatalogWriteRequest, CatalogWriteReply__Output>, 'write' | 'on' | 'cancel'>;

interface Pending {
  stream: WritesStream;
  resolve: (reply: CatalogWriteReply__Output) => void;
  reject: (error: GlanceError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Catalog writes to the controller over one long-lived stream, opened with the first write and
 * again after it broke: a write is a request with an id, answered by the reply with that id, so a
 * write costs two messages on a stream already there instead of a call of its own. A refusal
 * comes back as the Glance error the controller gave; a write not answered within 10 s, or whose
 * stream broke, answers 503, as an unreachable catalog does.
 */
export class CatalogWriteStream {
  private stream: WritesStream | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly open: () => WritesStream) {}

  write(write: CatalogWrite): Promise<CatalogWriteReply__Output> {
    const stream = this.stream ?? this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, unreachable(`no answer within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
      this.pending.set(id, { stream, resolve, reject, timer });
      stream.write({ ...write, id });
    });
  }

  /** Ends the stream; writes awaiting their reply answer 503. */
  close(): void {
    const stream = this.stream;
    if (!stream) return;
    this.broken(stream, 'the agent is stopping');
    stream.cancel();
  }

  private connect(): WritesStream {
    const stream = this.open();
    this.stream = stream;
    stream.on('data', (reply: CatalogWriteReply__Output) => this.answer(reply));
    stream.on('error', (error: ServiceError) => this.broken(stream, error.details || error.message));
    stream.on('end', () => this.broken(stream, 'the stream ended'));
    return stream;
  }

  private answer(reply: CatalogWriteReply__Output): void {
    const pending = this.take(reply.id);
    if (!pending) return;
    if (reply.error) pending.reject(refused(reply.error));
    else pending.resolve(reply);
  }

  private fail(id: number, error: GlanceError): void {
    this.take(id)?.reject(error);
  }

  private take(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  /** The stream is over: its writes awaiting a reply will get none. */
  private broken(stream: WritesStream, why: string): void {
    if (this.stream === stream) this.stream = null;
    for (const [id, pending] of this.pending) if (pending.stream === stream) this.fail(id, unreachable(why));
  }
}

/** The controller's refusal: a Glance refusal as the controller told it; anything else means the catalog cannot take the write now. */
function refused(error: CatalogWriteError__Output): GlanceError {
  if (error.code === status.FAILED_PRECONDITION) return new GlanceError(error.glanceStatus || 400, error.message);
  return unreachable(error.message);
}

function unreachable(why: string): GlanceError {
  return new GlanceError(503, `The image catalog is unreachable (${why}); try again later or another host.`);
}
