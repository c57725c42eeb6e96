import type { ImageEndpoint } from './endpoints.js';
import { EndpointDirectory } from './endpoints.js';
import { type AttemptRecord, ImageLibraryError, type ImageLibraryErrorKind } from './errors.js';
import { type BodyWriter, describeAnswer, type Exchange, exchange, ExchangeFailure, readAll } from './http-exchange.js';
import type { RetryCallback } from './types.js';

/** Answers that mean "this host cannot do it now, another may": retried on the next host. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export interface FailoverSettings {
  token: string;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  commitTimeoutMs: number;
  /** Tries per call; undefined: every endpoint once, at least 3 (wrapping round with a short backoff). */
  maxAttempts: number | undefined;
  random: () => number;
}

/** One public call: its name for messages, its deadline, and every attempt made so far. */
export class Call {
  readonly attempts: AttemptRecord[] = [];

  constructor(
    readonly operation: string,
    readonly deadlineAt: number,
    readonly deadlineMs: number,
    readonly signal: AbortSignal | undefined,
    readonly onRetry?: RetryCallback,
  ) {}

  /** Throws when the deadline passed or the caller aborted. */
  check(): void {
    if (this.signal?.aborted) throw this.error('aborted', 'the call was aborted');
    if (Date.now() >= this.deadlineAt) throw this.error('deadline', `the deadline of ${this.deadlineMs} ms passed`);
  }

  error(kind: ImageLibraryErrorKind, reason: string, extra: { status?: number; cause?: unknown } = {}): ImageLibraryError {
    return new ImageLibraryError({ kind, operation: this.operation, reason, attempts: this.attempts, ...extra });
  }
}

/**
 * How one attempt on one host ended. `retryable`: another host may do it. `final`: the call ends
 * with this kind of error. `progressed`: the attempt moved a transfer forward, so it does not use
 * up the attempt budget (a download that keeps advancing is bounded by its deadline instead).
 */
export class AttemptError extends Error {
  constructor(
    readonly record: Omit<AttemptRecord, 'url'>,
    readonly retryable: boolean,
    readonly final: ImageLibraryErrorKind = retryable ? 'unavailable' : 'http',
    readonly progressed = false,
    readonly reason?: string,
  ) {
    super(record.outcome);
    this.name = 'AttemptError';
  }

  static fromFailure(failure: ExchangeFailure, retryable = failure.retryable, progressed = false): AttemptError {
    const final: ImageLibraryErrorKind = failure.kind === 'deadline' ? 'deadline' : failure.kind === 'aborted' ? 'aborted' : failure.kind === 'source' ? 'io' : retryable ? 'unavailable' : 'ambiguous';
    const reason = final === 'deadline' ? undefined : final === 'ambiguous' ? `the request was sent but its answer was lost (${failure.message}): it may or may not have been applied` : undefined;
    return new AttemptError({ outcome: failure.message, ...(failure.code ? { code: failure.code } : {}) }, retryable, final, progressed, reason);
  }
}

export interface JsonRequest {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
  /** The request may be repeated after an answer was lost (reads, deletes, creates with our id). */
  repeatable: boolean;
  /** Try this endpoint URL first. */
  preferred?: string;
  /**
   * Called for a non-retryable error answer: return a value to end the call with it (e.g. a 409 to
   * a repeated create when the image is there), undefined to fail as usual.
   */
  recover?: (status: number, endpoint: ImageEndpoint, ambiguousBefore: boolean) => Promise<unknown>;
}

export interface JsonResult<T> {
  value: T;
  /** The endpoint that answered. */
  url: string;
}

export class Failover {
  constructor(
    readonly directory: EndpointDirectory,
    readonly settings: FailoverSettings,
  ) {}

  /**
   * Runs `attempt` on one endpoint after the other until it succeeds, fails with a non-retryable
   * error, the attempts are used up, or the deadline passes. After a full round it waits a little,
   * asks the controller again and starts over with a fresh order.
   */
  async run<T>(call: Call, attempt: (endpoint: ImageEndpoint) => Promise<T>, preferred?: () => string | undefined): Promise<T> {
    call.check();
    let candidates = await this.candidates(call, preferred?.());
    const maxAttempts = this.settings.maxAttempts ?? Math.max(3, candidates.length);
    let used = 0;
    let index = 0;
    let round = 0;
    for (;;) {
      call.check();
      if (index >= candidates.length) {
        round++;
        await this.pause(call, Math.min(2_000, 100 * 2 ** (round - 1)) * (0.5 + this.settings.random() / 2));
        await this.directory.refresh(call.deadlineAt);
        candidates = await this.candidates(call, preferred?.());
        index = 0;
      }
      const endpoint = candidates[index++]!;
      try {
        const value = await attempt(endpoint);
        this.directory.reportSuccess(endpoint.url);
        return value;
      } catch (error) {
        if (error instanceof ImageLibraryError) throw error;
        const failure = error instanceof AttemptError ? error : error instanceof ExchangeFailure ? AttemptError.fromFailure(error) : null;
        if (!failure) throw error;
        call.attempts.push({ url: endpoint.url, ...failure.record });
        if (!failure.retryable) {
          throw call.error(failure.final, failure.reason ?? (failure.final === 'deadline' ? `the deadline of ${call.deadlineMs} ms passed` : failure.record.outcome), {
            ...(failure.record.status !== undefined ? { status: failure.record.status } : {}),
          });
        }
        this.directory.reportFailure(endpoint.url);
        if (!failure.progressed) used++;
        if (used >= maxAttempts) {
          throw call.error('unavailable', `no host could do it (${used} attempt${used === 1 ? '' : 's'})`);
        }
        call.onRetry?.(call.attempts[call.attempts.length - 1]!);
      }
    }
  }

  /** A JSON request with failover; the parsed answer (null for an empty one) and who gave it. */
  async json<T>(call: Call, request: JsonRequest): Promise<JsonResult<T>> {
    let ambiguous = false;
    return this.run(
      call,
      async (endpoint) => {
        const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
        const headers: Record<string, string> = { 'X-Auth-Token': this.settings.token, Accept: 'application/json' };
        if (payload) {
          headers['Content-Type'] = request.contentType ?? 'application/json';
          headers['Content-Length'] = String(payload.length);
        }
        let answer: Exchange;
        try {
          answer = await this.exchange(call, endpoint, { method: request.method, path: request.path, headers, ...(payload ? { body: payload } : {}) });
        } catch (error) {
          throw this.lost(error, request.repeatable, () => (ambiguous = true));
        }
        let body: Buffer;
        try {
          body = await readAll(answer, MAX_JSON_BYTES);
        } catch (error) {
          throw this.lost(error, request.repeatable, () => (ambiguous = true));
        } finally {
          answer.close();
        }
        const outcome = describeAnswer(answer.status, answer.statusMessage, answer.headers, body);
        if (answer.status >= 200 && answer.status < 300) {
          const text = body.toString('utf8');
          try {
            return { value: (text === '' ? null : JSON.parse(text)) as T, url: endpoint.url };
          } catch {
            throw new AttemptError({ outcome: `${answer.status} with a body that is not JSON`, status: answer.status }, true);
          }
        }
        if (RETRY_STATUSES.has(answer.status)) {
          if (answer.status !== 503) ambiguous = true;
          throw new AttemptError({ outcome, status: answer.status }, true);
        }
        if (request.recover) {
          const recovered = await request.recover(answer.status, endpoint, ambiguous);
          if (recovered !== undefined) return { value: recovered as T, url: endpoint.url };
        }
        throw new AttemptError({ outcome, status: answer.status }, false, 'http', false, `${endpoint.url} answered ${outcome}`);
      },
      () => request.preferred,
    );
  }

  /** One exchange with the client's timeouts and the call's deadline and signal. */
  exchange(call: Call, endpoint: ImageEndpoint, request: { method: string; path: string; headers: Record<string, string>; body?: Buffer | BodyWriter; commit?: boolean }): Promise<Exchange> {
    return exchange({
      baseUrl: endpoint.url,
      method: request.method,
      path: request.path,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      connectTimeoutMs: this.settings.connectTimeoutMs,
      responseTimeoutMs: this.settings.responseTimeoutMs,
      ...(request.commit ? { commitTimeoutMs: this.settings.commitTimeoutMs } : {}),
      deadlineAt: call.deadlineAt,
      ...(call.signal ? { signal: call.signal } : {}),
    });
  }

  /** A failure with no usable answer: retryable before the request left, or when it may be repeated. */
  private lost(error: unknown, repeatable: boolean, markAmbiguous: () => void): unknown {
    if (!(error instanceof ExchangeFailure)) return error;
    if (error.phase === 'connect' || error.kind === 'deadline' || error.kind === 'aborted') return AttemptError.fromFailure(error);
    markAmbiguous();
    return AttemptError.fromFailure(error, repeatable && error.retryable);
  }

  private async candidates(call: Call, preferred?: string): Promise<ImageEndpoint[]> {
    let candidates: ImageEndpoint[];
    try {
      candidates = await this.directory.order(call.deadlineAt, preferred);
    } catch (error) {
      if (error instanceof ImageLibraryError) throw new ImageLibraryError({ kind: error.kind, operation: call.operation, reason: error.reason, attempts: call.attempts, cause: error });
      throw error;
    }
    if (candidates.length === 0) throw call.error('endpoints', 'no image endpoint is known (the controller lists no image-library host)');
    return candidates;
  }

  private pause(call: Call, ms: number): Promise<void> {
    const wait = Math.max(0, Math.min(ms, call.deadlineAt - Date.now()));
    return new Promise((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        call.signal?.removeEventListener('abort', done);
        resolve();
      }
      call.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
