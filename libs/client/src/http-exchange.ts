import http, { type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/**
 * Where a request was when it failed:
 * - `connect`: no connection was made, so the host saw nothing (always safe to try another host);
 * - `request`: connected, the request (maybe part of it) went out, no answer yet (a write may have happened);
 * - `response`: the host answered and the answer broke off.
 */
export type Phase = 'connect' | 'request' | 'response';

export type FailureKind = 'connect' | 'timeout' | 'reset' | 'protocol' | 'deadline' | 'aborted' | 'source';

/** Why one exchange with one host failed. `retryable` says whether another host may help. */
export class ExchangeFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly phase: Phase,
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExchangeFailure';
  }

  get retryable(): boolean {
    return this.kind === 'connect' || this.kind === 'timeout' || this.kind === 'reset' || this.kind === 'protocol';
  }
}

/** Writes the request body (and ends the request); the exchange starts it once connected. */
export type BodyWriter = (request: ClientRequest) => Promise<void>;

export interface ExchangeOptions {
  baseUrl: string;
  method: string;
  /** Absolute path with query, `/v2/images?limit=2`. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer | BodyWriter;
  connectTimeoutMs: number;
  /** Longest wait for the answer once the request is out, and longest silence while data flows. */
  responseTimeoutMs: number;
  /** Longest wait for the answer once a body was fully sent (uploads: the host fsyncs and commits). */
  commitTimeoutMs?: number;
  /** Epoch ms after which the exchange is destroyed (Infinity: none). */
  deadlineAt: number;
  signal?: AbortSignal;
}

/** An answer whose headers arrived; read `body`, then always `close()`. */
export interface Exchange {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
  /** Set when the exchange itself ended the body (timeout, deadline, abort): a better reason than the stream error. */
  readonly failure: ExchangeFailure | null;
  /** Stops everything: timers, the request, the socket. Idempotent. */
  close(): void;
}

// No keep-alive: every request has its own connection, so a stale pooled socket never turns into
// a spurious failure and each failure is really the host's. A TCP handshake per call is cheap next
// to what image calls cost.
const httpAgent = new http.Agent({ keepAlive: false });
const httpsAgent = new https.Agent({ keepAlive: false });

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);
const MAX_TIMER_MS = 2 ** 31 - 1;

export function joinUrl(baseUrl: string, path: string): URL {
  return new URL(baseUrl.replace(/\/+$/, '') + path);
}

/** One request to one host; resolves when the answer's headers arrive, rejects with an ExchangeFailure. */
export function exchange(options: ExchangeOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = joinUrl(options.baseUrl, options.path);
    } catch (error) {
      reject(new ExchangeFailure('connect', 'connect', `bad URL ${options.baseUrl}${options.path}`, 'ERR_INVALID_URL', { cause: error }));
      return;
    }
    // Checked before a request exists: a request destroyed before it has an 'error' listener would throw.
    if (options.signal?.aborted) {
      reject(new ExchangeFailure('aborted', 'connect', 'the call was aborted', 'ABORT_ERR'));
      return;
    }
    const untilDeadline = options.deadlineAt - Date.now();
    if (untilDeadline <= 0) {
      reject(new ExchangeFailure('deadline', 'connect', 'the deadline passed before the request was sent', 'ETIMEDOUT'));
      return;
    }
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: options.method,
      headers: options.headers,
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
    });
    let phase: Phase = 'connect';
    let settled = false;
    let failure: ExchangeFailure | null = null;
    const timers: NodeJS.Timeout[] = [];

    const cleanup = () => {
      for (const timer of timers) clearTimeout(timer);
      timers.length = 0;
      options.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (reason: ExchangeFailure) => {
      failure ??= reason;
      if (!settled) {
        settled = true;
        cleanup();
        reject(reason);
      }
      request.destroy();
    };
    const onAbort = () => fail(new ExchangeFailure('aborted', phase, 'the call was aborted', 'ABORT_ERR'));

    request.on('error', (error) => fail(classify(error, phase)));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(untilDeadline)) {
      timers.push(setTimeout(() => fail(new ExchangeFailure('deadline', phase, `the deadline passed ${describeWait(phase)}`, 'ETIMEDOUT')), Math.min(untilDeadline, MAX_TIMER_MS)));
    }
    const connectTimer = setTimeout(
      () => fail(new ExchangeFailure('timeout', 'connect', `no connection within ${options.connectTimeoutMs} ms`, 'ETIMEDOUT')),
      options.connectTimeoutMs,
    );
    timers.push(connectTimer);

    const onIdle = () => {
      const wait = phase === 'request' && request.writableFinished && options.commitTimeoutMs ? options.commitTimeoutMs : options.responseTimeoutMs;
      fail(new ExchangeFailure('timeout', phase, `no activity for ${wait} ms ${describeWait(phase)}`, 'ETIMEDOUT'));
    };
    const connected = () => {
      clearTimeout(connectTimer);
      if (phase !== 'connect') return;
      phase = 'request';
      request.setTimeout(options.responseTimeoutMs, onIdle);
      if (typeof options.body === 'function') {
        options.body(request).catch((error: unknown) => {
          fail(error instanceof ExchangeFailure ? error : new ExchangeFailure('source', 'request', `reading the request body failed: ${errorText(error)}`, errorCode(error), { cause: error }));
        });
      }
    };
    request.on('socket', (socket: Socket) => {
      const event = 'encrypted' in socket ? 'secureConnect' : 'connect';
      if (socket.connecting || event === 'secureConnect') socket.once(event, connected);
      else connected();
    });
    request.on('finish', () => {
      if (options.commitTimeoutMs && phase === 'request') request.setTimeout(options.commitTimeoutMs, onIdle);
    });
    request.on('response', (response) => {
      if (settled) {
        response.destroy();
        return;
      }
      phase = 'response';
      clearTimeout(connectTimer);
      request.setTimeout(options.responseTimeoutMs, onIdle);
      settled = true;
      resolve({
        status: response.statusCode ?? 0,
        statusMessage: response.statusMessage ?? '',
        headers: response.headers,
        body: response,
        get failure() {
          return failure;
        },
        close() {
          cleanup();
          request.destroy();
        },
      });
    });
    // Keep the deadline and abort armed while the body is read: only close() clears them.
    if (options.body === undefined) request.end();
    else if (Buffer.isBuffer(options.body)) request.end(options.body);
  });
}

function describeWait(phase: Phase): string {
  if (phase === 'connect') return 'while connecting';
  if (phase === 'request') return 'while waiting for the answer';
  return 'while reading the answer';
}

/** A socket or HTTP error as an ExchangeFailure of the phase it happened in. */
export function classify(error: unknown, phase: Phase): ExchangeFailure {
  if (error instanceof ExchangeFailure) return error;
  const code = errorCode(error);
  const text = errorText(error);
  if (phase === 'connect' || (code !== undefined && CONNECT_CODES.has(code))) {
    const what = code === 'ECONNREFUSED' ? 'connection refused' : 'could not connect';
    return new ExchangeFailure('connect', 'connect', `${what} (${code ?? text})`, code, { cause: error });
  }
  if (code?.startsWith('HPE_') || code === 'ERR_HTTP_CONTENT_LENGTH_MISMATCH') {
    return new ExchangeFailure('protocol', phase, `invalid HTTP answer (${code}: ${text})`, code, { cause: error });
  }
  const what = text === 'socket hang up' ? 'socket hang up' : text === 'aborted' ? 'connection dropped' : 'connection error';
  const where = phase === 'response' ? ' while reading the answer' : ' before an answer';
  return new ExchangeFailure('reset', phase, `${what}${where} (${code ?? text})`, code, { cause: error });
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads a whole (small) answer, refusing more than `limit` bytes. Errors are ExchangeFailures. */
export async function readAll(answer: Exchange, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new ExchangeFailure('protocol', 'response', `the answer is larger than ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (error) {
    throw answer.failure ?? classify(error, 'response');
  }
  if (!answer.body.complete) throw answer.failure ?? new ExchangeFailure('reset', 'response', 'the answer broke off', 'ECONNRESET');
  return Buffer.concat(chunks);
}

/**
 * The message of an error answer: glance's HTML page (title, heading, explanation) reduced to its
 * text, or a JSON `message`, or the start of whatever it is. `503 Service Unavailable: …`.
 */
export function describeAnswer(status: number, statusMessage: string, headers: IncomingHttpHeaders, body: Buffer): string {
  const statusLine = `${status}${statusMessage ? ` ${statusMessage}` : ''}`;
  const text = body.toString('utf8');
  let detail: string;
  const type = String(headers['content-type'] ?? '');
  if (type.includes('json')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const inner = (parsed.error ?? parsed) as Record<string, unknown>;
      detail = String(inner.message ?? inner.explanation ?? inner.title ?? text);
    } catch {
      detail = text;
    }
  } else {
    const afterHeading = /<\/h1>([\s\S]*)/i.exec(text)?.[1] ?? text;
    detail = afterHeading
      .replace(/<[^>]*>/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/&amp;/g, '&');
  }
  detail = detail.replace(/\s+/g, ' ').trim();
  if (detail.length > 300) detail = `${detail.slice(0, 297)}...`;
  return detail ? `${statusLine}: ${detail}` : statusLine;
}

/** Resolves when a writable drained, or closed/errored (then the caller sees it is destroyed); leaves no listener behind. */
export function drained(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
