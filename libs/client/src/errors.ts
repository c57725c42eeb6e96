/** One try of one request on one host, as the error message reports it. */
export interface AttemptRecord {
  /** The image endpoint (or controller) URL the request went to. */
  url: string;
  /** What it answered or how it failed: `503 Service Unavailable: …`, `connection refused (ECONNREFUSED)`. */
  outcome: string;
  /** The HTTP status, when the host answered. */
  status?: number;
  /** The socket error code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, …), when it did not. */
  code?: string;
}

/**
 * - `http`: a host answered with an error that is not retried (most 4xx, 500); `status` says which
 * - `unavailable`: every attempt failed with a retryable failure (connection errors, timeouts, 502/503/504)
 * - `deadline`: the call's deadline passed
 * - `aborted`: the caller's AbortSignal fired
 * - `integrity`: downloaded or uploaded data does not match the image's size or hash
 * - `state`: the image is in a state that does not allow the call (no data to download, stuck `saving`, …)
 * - `ambiguous`: a write was sent but its answer was lost; it may or may not have been applied
 * - `endpoints`: no image endpoint is known (none configured, or the controller could not be asked)
 * - `io`: reading the upload source or writing the download destination failed
 */
export type ImageLibraryErrorKind = 'http' | 'unavailable' | 'deadline' | 'aborted' | 'integrity' | 'state' | 'ambiguous' | 'endpoints' | 'io';

export interface ImageLibraryErrorDetails {
  kind: ImageLibraryErrorKind;
  /** The call, e.g. `GET /v2/images/…` or `download of image …`. */
  operation: string;
  /** Why the call failed, without the list of attempts. */
  reason: string;
  attempts?: readonly AttemptRecord[];
  status?: number;
  cause?: unknown;
}

/** Every failure of the client: says what was asked, why it failed, and what each host answered. */
export class ImageLibraryError extends Error {
  readonly kind: ImageLibraryErrorKind;
  readonly operation: string;
  readonly reason: string;
  readonly attempts: readonly AttemptRecord[];
  /** The HTTP status of the answer that ended the call (for `http`, and `state` from a 204). */
  readonly status: number | undefined;

  constructor(details: ImageLibraryErrorDetails) {
    const attempts = details.attempts ?? [];
    super(`${details.operation}: ${details.reason}${describeAttempts(attempts)}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ImageLibraryError';
    this.kind = details.kind;
    this.operation = details.operation;
    this.reason = details.reason;
    this.attempts = Object.freeze([...attempts]);
    this.status = details.status;
  }
}

function describeAttempts(attempts: readonly AttemptRecord[]): string {
  if (attempts.length === 0) return '';
  return ` [tried: ${attempts.map((a) => `${a.url} → ${a.outcome}`).join('; ')}]`;
}
