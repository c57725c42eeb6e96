import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import type { Readable } from 'node:stream';
import type { ImageEndpoint } from './endpoints.js';
import { AttemptError, type Call, type Failover, type JsonResult, RETRY_STATUSES } from './failover.js';
import { type BodyWriter, describeAnswer, drained, errorCode, errorText, type Exchange, ExchangeFailure, readAll } from './http-exchange.js';
import type { ImageDocument, ImageFields, ProgressCallback } from './types.js';

interface ChunkReader {
  /** The next chunk, null at the end. */
  next(): Promise<Buffer | null>;
  close(): void;
}

/** Upload data that can be read again from the start for another host, as long as `replayable`. */
export interface UploadSource {
  readonly size: number | null;
  replayable(): boolean;
  reader(): ChunkReader;
}

/** A file: opened again for every attempt, so always replayable. */
export class FileSource implements UploadSource {
  private constructor(
    private readonly path: string,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileSource> {
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    return new FileSource(path, info.size);
  }

  replayable(): boolean {
    return true;
  }

  reader(): ChunkReader {
    const stream = createReadStream(this.path, { highWaterMark: 1024 * 1024 });
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    return {
      next: async () => {
        const result = await iterator.next();
        return result.done ? null : result.value;
      },
      close: () => stream.destroy(),
    };
  }
}

/**
 * A caller's stream. Its first `keepBytes` are kept so that an attempt that failed before the host
 * committed anything (503, connection refused or dropped with the image back to queued) can be
 * replayed on another host; once more than that was read it cannot be replayed any more.
 */
export class StreamSource implements UploadSource {
  /** Chunks read and still kept, from chunk number `base` on. */
  private readonly tape: Buffer[] = [];
  private base = 0;
  private keptBytes = 0;
  private overflowed = false;
  private ended = false;
  private readers = 0;
  private pulling: Promise<void> | null = null;
  private readonly iterator: AsyncIterator<Buffer | string>;

  constructor(
    stream: Readable,
    private readonly keepBytes: number,
    readonly size: number | null,
  ) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  }

  replayable(): boolean {
    return !this.overflowed;
  }

  reader(): ChunkReader {
    if (this.overflowed) throw new Error('the stream was read beyond what is kept for a replay');
    const generation = ++this.readers;
    let index = 0;
    return {
      next: async () => {
        for (;;) {
          // A newer reader took over (the attempt was abandoned): stop, never steal its chunks.
          if (generation !== this.readers) return null;
          if (index - this.base < this.tape.length) {
            const chunk = this.tape[index - this.base]!;
            index++;
            if (this.overflowed) {
              this.tape.splice(0, index - this.base);
              this.base = index;
            }
            return chunk;
          }
          if (this.ended) return null;
          await this.pull();
        }
      },
      close: () => undefined,
    };
  }

  /** Reads one chunk onto the tape (one read at a time, whoever asks). */
  private pull(): Promise<void> {
    this.pulling ??= (async () => {
      try {
        const result = await this.iterator.next();
        if (result.done) {
          this.ended = true;
          return;
        }
        const chunk = typeof result.value === 'string' ? Buffer.from(result.value) : result.value;
        this.tape.push(chunk);
        this.keptBytes += chunk.length;
        if (this.keptBytes > this.keepBytes) this.overflowed = true;
      } finally {
        this.pulling = null;
      }
    })();
    return this.pulling;
  }
}

export interface UploadRequest {
  call: Call;
  failover: Failover;
  fields: ImageFields;
  source: UploadSource;
  onProgress: ProgressCallback | undefined;
  /** POST /v2/images with failover. */
  create: (call: Call, fields: ImageFields) => Promise<JsonResult<ImageDocument>>;
  /** How long to wait for an image left `saving` by a broken upload to go back to queued. */
  settleMs: number;
}

interface Sent {
  bytes: number;
  sha512: string;
  url: string;
  /** The image document when the data turned out to be committed although the answer was lost. */
  document?: ImageDocument;
}

/**
 * Creates the image, then PUTs the data to a host (the one that created it first: it surely knows
 * the image). Another host gets the data only when nothing was committed: the connection was never
 * made, or the host refused (502/503/504; 404 from a host that has not caught up) or broke off and
 * the image is `queued` again — and only if the source can be read again from the start.
 */
export async function upload(request: UploadRequest): Promise<ImageDocument> {
  const { call, failover, source, onProgress } = request;
  const created = await request.create(call, request.fields);
  const id = created.value.id;
  const path = `/v2/images/${encodeURIComponent(id)}/file`;

  const imageState = async (avoid: string): Promise<ImageDocument> => {
    const until = Math.min(call.deadlineAt, Date.now() + request.settleMs);
    for (;;) {
      const preferred = avoid === created.url ? undefined : created.url;
      const { value } = await failover.json<ImageDocument>(call, { method: 'GET', path: `/v2/images/${encodeURIComponent(id)}`, repeatable: true, ...(preferred ? { preferred } : {}) });
      if (value.status !== 'saving' || Date.now() + 250 >= until) return value;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  const attempt = async (endpoint: ImageEndpoint): Promise<Sent> => {
    const reader = source.reader();
    const hash = createHash('sha512');
    let bytes = 0;
    let finished = false;
    // With Content-Length a host may answer as soon as the last byte arrived, before end() is called.
    const complete = () => finished || (source.size !== null && bytes === source.size);
    const writer: BodyWriter = async (http: ClientRequest) => {
      for (;;) {
        if (http.destroyed) return;
        let chunk: Buffer | null;
        try {
          chunk = await reader.next();
        } catch (error) {
          throw new ExchangeFailure('source', 'request', `reading the upload source failed: ${errorText(error)}`, errorCode(error), { cause: error });
        }
        if (chunk === null) break;
        if (http.destroyed) return;
        hash.update(chunk);
        bytes += chunk.length;
        onProgress?.(bytes, source.size);
        if (!http.write(chunk)) await drained(http);
      }
      finished = true;
      http.end();
    };
    const headers: Record<string, string> = { 'X-Auth-Token': failover.settings.token, 'Content-Type': 'application/octet-stream' };
    if (source.size !== null) headers['Content-Length'] = String(source.size);
    let answer: Exchange;
    try {
      answer = await failover.exchange(call, endpoint, { method: 'PUT', path, headers, body: writer, commit: true });
    } catch (error) {
      reader.close();
      if (!(error instanceof ExchangeFailure)) throw error;
      if (error.kind === 'source') throw call.error('io', error.message, { cause: error });
      if (error.phase === 'connect' || !error.retryable) throw AttemptError.fromFailure(error);
      // The data went (partly) out and no answer came: what did the host do with it?
      const digest = hash.digest('hex');
      const image = await imageState(endpoint.url);
      if (image.status === 'active' && complete() && image.size === bytes && (!image.os_hash_value || image.os_hash_value === digest)) {
        return { bytes, sha512: digest, url: endpoint.url, document: image };
      }
      throw notCommitted(endpoint, error.message, error.code, undefined, bytes, image);
    }
    try {
      if (answer.status >= 200 && answer.status < 300) {
        await readAll(answer, 64 * 1024).catch(() => Buffer.alloc(0));
        if (!complete()) throw new AttemptError({ outcome: `${answer.status} before the data was sent`, status: answer.status }, false, 'state', false, `${endpoint.url} answered ${answer.status} before the data was sent`);
        return { bytes, sha512: hash.digest('hex'), url: endpoint.url };
      }
      const body = await readAll(answer, 64 * 1024).catch(() => Buffer.alloc(0));
      const outcome = describeAnswer(answer.status, answer.statusMessage, answer.headers, body);
      answer.close(); // stop sending
      const notThere = answer.status === 404 && endpoint.url !== created.url;
      if (!RETRY_STATUSES.has(answer.status) && !notThere) {
        throw new AttemptError({ outcome, status: answer.status }, false, 'http', false, `${endpoint.url} answered ${outcome}`);
      }
      // Refused: nothing committed. Unless nothing was sent, make sure the image is queued again.
      const image = bytes > 0 && !notThere ? await imageState(endpoint.url) : null;
      throw notCommitted(endpoint, outcome, undefined, answer.status, bytes, image);
    } finally {
      answer.close();
      reader.close();
    }
  };

  function notCommitted(endpoint: ImageEndpoint, outcome: string, code: string | undefined, status: number | undefined, bytes: number, image: ImageDocument | null): Error {
    const record = { outcome: bytes > 0 ? `${outcome} after ${bytes} bytes` : outcome, ...(code ? { code } : {}), ...(status !== undefined ? { status } : {}) };
    if (image && image.status !== 'queued') {
      call.attempts.push({ url: endpoint.url, ...record });
      const stuck = image.status === 'saving' ? ` after ${request.settleMs} ms (the host may have died during the upload)` : '';
      return call.error('state', `the upload to ${endpoint.url} broke off and image ${id} is ${image.status}${stuck}, not queued: it cannot be sent again`);
    }
    if (!source.replayable()) {
      call.attempts.push({ url: endpoint.url, ...record });
      return call.error('unavailable', `the upload to ${endpoint.url} failed after ${bytes} bytes were read from the stream, which cannot be read again for another host`);
    }
    return new AttemptError(record, true);
  }

  const sent = await failover.run(call, attempt, () => created.url);
  const image = sent.document ?? (await failover.json<ImageDocument>(call, { method: 'GET', path: `/v2/images/${encodeURIComponent(id)}`, repeatable: true, preferred: sent.url })).value;
  if (image.status !== 'active') throw call.error('state', `image ${id} is ${image.status} after its data was accepted by ${sent.url}`);
  if (image.size !== sent.bytes) throw call.error('integrity', `image ${id} has ${image.size} bytes, ${sent.bytes} were sent`);
  if (image.os_hash_value && image.os_hash_value !== sent.sha512) throw call.error('integrity', `image ${id}'s sha512 is ${image.os_hash_value}, the data sent has ${sent.sha512}`);
  return image;
}
