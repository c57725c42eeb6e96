import { createHash, type Hash, randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { ImageEndpoint } from './endpoints.js';
import { ImageLibraryError } from './errors.js';
import { AttemptError, type Call, type Failover, RETRY_STATUSES } from './failover.js';
import { classify, describeAnswer, drained, errorText, type Exchange, ExchangeFailure, readAll } from './http-exchange.js';
import type { ImageDocument, ProgressCallback } from './types.js';

export interface DownloadResult {
  image: ImageDocument;
  /** Bytes written to the destination (the image's size). */
  bytes: number;
  /** The algorithm checked (`sha512`, or `md5` for an image without os_hash_value), null when the image has no hash. */
  hashAlgo: string | null;
  /** The digest of what was written, in hex. */
  hashValue: string;
  /** Which hosts served which bytes, in order: more than one when the download resumed elsewhere. */
  segments: { url: string; from: number; to: number }[];
  /** Range requests that continued a broken download on another host. */
  resumes: number;
  /** Times a host answered a range request with the whole image and the download began again. */
  restarts: number;
}

interface Sink {
  /** A file can go back to zero bytes; a caller's stream cannot. */
  readonly rewindable: boolean;
  write(chunk: Buffer, position: number): Promise<void>;
  rewind(): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** A temporary file beside the destination, fsynced and renamed over it at the end. */
class FileSink implements Sink {
  readonly rewindable = true;

  private constructor(
    private readonly file: FileHandle,
    private readonly temporary: string,
    private readonly destination: string,
  ) {}

  static async create(destination: string): Promise<FileSink> {
    const temporary = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.part`);
    return new FileSink(await open(temporary, 'wx'), temporary, destination);
  }

  async write(chunk: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < chunk.length) {
      const { bytesWritten } = await this.file.write(chunk, done, chunk.length - done, position + done);
      done += bytesWritten;
    }
  }

  async rewind(): Promise<void> {
    await this.file.truncate(0);
  }

  async commit(): Promise<void> {
    await this.file.sync();
    await this.file.close();
    await rename(this.temporary, this.destination);
    const directory = await open(dirname(this.destination), 'r').catch(() => null);
    await directory?.sync().catch(() => undefined);
    await directory?.close();
  }

  async discard(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await unlink(this.temporary).catch(() => undefined);
  }
}

/** The caller's stream: written with backpressure, never ended (the caller owns it), never rewound. */
class StreamSink implements Sink {
  readonly rewindable = false;

  constructor(private readonly stream: Writable) {}

  async write(chunk: Buffer): Promise<void> {
    if (this.stream.destroyed || this.stream.writableEnded) throw new Error('the destination stream is closed');
    if (!this.stream.write(chunk)) {
      await drained(this.stream);
      if (this.stream.destroyed) throw (this.stream.errored as Error | null) ?? new Error('the destination stream closed');
    }
  }

  async rewind(): Promise<void> {
    throw new Error('a stream cannot be rewound');
  }

  async commit(): Promise<void> {}

  async discard(): Promise<void> {}
}

const SUPPORTED_HASHES = new Set(['sha512', 'sha384', 'sha256', 'sha1', 'md5']);

/** What the data is checked against: os_hash_value (sha512 here), else the MD5 checksum, else nothing. */
function expectedHash(image: ImageDocument): { algo: string; value: string } | null {
  const algo = typeof image.os_hash_algo === 'string' ? image.os_hash_algo.toLowerCase() : null;
  if (algo && typeof image.os_hash_value === 'string' && image.os_hash_value !== '' && SUPPORTED_HASHES.has(algo)) return { algo, value: image.os_hash_value.toLowerCase() };
  if (typeof image.checksum === 'string' && image.checksum !== '') return { algo: 'md5', value: image.checksum.toLowerCase() };
  return null;
}

/** `bytes 10-99/100` */
function parseContentRange(value: string | string[] | undefined): { start: number; end: number; total: number | null } | null {
  const match = typeof value === 'string' ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim()) : null;
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]), total: match[3] === '*' ? null : Number(match[3]) };
}

export interface DownloadRequest {
  call: Call;
  failover: Failover;
  image: ImageDocument;
  /** The endpoint that served the image document: tried first, it surely knows the image. */
  documentUrl: string;
  destination: string | Writable;
  onProgress: ProgressCallback | undefined;
}

/**
 * Streams an image's data into the destination, hashing as it goes. When a host fails mid-stream the
 * download continues on another host with `Range: bytes=<received>-` (206 with a matching
 * Content-Range); a host that answers 200 instead starts it again from zero (a file is truncated; on
 * a caller's stream the bytes already written are skipped). Size and hash are checked at the end.
 */
export async function download(request: DownloadRequest): Promise<DownloadResult> {
  const { call, failover, image, onProgress } = request;
  const id = image.id;
  const size = typeof image.size === 'number' ? image.size : null;
  const expected = expectedHash(image);
  const newHash = (): Hash => createHash(expected?.algo ?? 'sha512');
  let sink: Sink;
  try {
    sink = typeof request.destination === 'string' ? await FileSink.create(request.destination) : new StreamSink(request.destination);
  } catch (error) {
    throw call.error('io', `cannot write ${String(request.destination)}: ${errorText(error)}`, { cause: error });
  }
  const state = { received: 0, hash: newHash(), resumes: 0, restarts: 0, segments: [] as DownloadResult['segments'] };
  const path = `/v2/images/${encodeURIComponent(id)}/file`;

  const attempt = async (endpoint: ImageEndpoint): Promise<void> => {
    const start = state.received;
    const headers: Record<string, string> = { 'X-Auth-Token': failover.settings.token, Accept: '*/*' };
    if (start > 0) headers.Range = `bytes=${start}-`;
    const answer = await failover.exchange(call, endpoint, { method: 'GET', path, headers });
    let skip = 0;
    try {
      await checkAnswer(answer, endpoint, start);
      if (answer.status === 200 && start > 0) {
        if (sink.rewindable) {
          await sink.rewind().catch((error: unknown) => Promise.reject(call.error('io', `cannot truncate the destination: ${errorText(error)}`, { cause: error })));
          state.received = 0;
          state.hash = newHash();
          state.segments = [];
          onProgress?.(0, size);
        } else {
          skip = start;
        }
        state.restarts++;
      } else if (start > 0) {
        state.resumes++;
      }
      const from = state.received;
      try {
        for await (const chunk of answer.body as AsyncIterable<Buffer>) {
          let data = chunk;
          if (skip > 0) {
            const n = Math.min(skip, data.length);
            skip -= n;
            data = data.subarray(n);
            if (data.length === 0) continue;
          }
          if (size !== null && state.received + data.length > size) {
            throw call.error('integrity', `${endpoint.url} sent more than the image's ${size} bytes`);
          }
          try {
            await sink.write(data, state.received);
          } catch (error) {
            throw call.error('io', `writing the destination failed: ${errorText(error)}`, { cause: error });
          }
          state.hash.update(data);
          state.received += data.length;
          onProgress?.(state.received, size);
        }
      } catch (error) {
        if (error instanceof ImageLibraryError) throw error;
        if (size !== null && state.received === size) return;
        const failure = answer.failure ?? classify(error, 'response');
        throw AttemptError.fromFailure(failure, failure.retryable, state.received > from);
      } finally {
        if (state.received > from) state.segments.push({ url: endpoint.url, from, to: state.received });
      }
      if (size !== null && state.received < size) {
        throw new AttemptError({ outcome: `the answer ended after ${state.received} of ${size} bytes` }, true, 'unavailable', state.received > from);
      }
    } finally {
      answer.close();
    }
  };

  async function checkAnswer(answer: Exchange, endpoint: ImageEndpoint, start: number): Promise<void> {
    if (answer.status === 200) return;
    if (answer.status === 206 && start > 0) {
      const range = parseContentRange(answer.headers['content-range']);
      const total = size ?? range?.total ?? null;
      if (range && range.start === start && range.total !== null && range.total === total && range.end === total - 1) return;
      throw new AttemptError({ outcome: `206 with Content-Range ${String(answer.headers['content-range'])}, expected bytes ${start}-${total === null ? '…' : total - 1}/${total ?? '*'}`, status: 206 }, true);
    }
    if (answer.status === 206) throw new AttemptError({ outcome: '206 to a request without Range', status: 206 }, true);
    const body = await readAll(answer, 64 * 1024).catch(() => Buffer.alloc(0));
    const outcome = describeAnswer(answer.status, answer.statusMessage, answer.headers, body);
    if (answer.status === 204) {
      throw new AttemptError({ outcome, status: 204 }, false, 'state', false, `image ${id} has no data to download (status ${image.status})`);
    }
    if (RETRY_STATUSES.has(answer.status)) throw new AttemptError({ outcome, status: answer.status }, true);
    // The image document came from another host a moment ago: a 404 here is a host that has not
    // caught up with the catalog yet, so another host may serve it.
    if (answer.status === 404 && endpoint.url !== request.documentUrl) throw new AttemptError({ outcome, status: 404 }, true);
    throw new AttemptError({ outcome, status: answer.status }, false, 'http', false, `${endpoint.url} answered ${outcome}`);
  }

  try {
    await failover.run(call, attempt, () => request.documentUrl);
    const hashValue = state.hash.digest('hex');
    if (size !== null && state.received !== size) {
      throw call.error('integrity', `received ${state.received} bytes, the image has ${size}`);
    }
    if (expected && hashValue !== expected.value) {
      const served = state.segments.map((s) => `${s.url} bytes ${s.from}-${s.to - 1}`).join(', ');
      throw call.error('integrity', `the data's ${expected.algo} is ${hashValue}, the image's is ${expected.value} (served by ${served})`);
    }
    try {
      await sink.commit();
    } catch (error) {
      throw call.error('io', `cannot finish ${String(request.destination)}: ${errorText(error)}`, { cause: error });
    }
    return {
      image,
      bytes: state.received,
      hashAlgo: expected?.algo ?? null,
      hashValue,
      segments: state.segments,
      resumes: state.resumes,
      restarts: state.restarts,
    };
  } catch (error) {
    await sink.discard();
    if (error instanceof ExchangeFailure) throw call.error('unavailable', error.message, { cause: error });
    throw error;
  }
}
