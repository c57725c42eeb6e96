import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { ClientGone } from './replayable-body.js';

/** Host answers that mean "not here, not now": nothing was stored, another host may take the data. */
const REFUSALS = new Set([404, 502, 503, 504]);

/** The request headers a host needs for an upload (its own checks run on them). */
const FORWARDED_HEADERS = ['content-type', 'content-length', 'content-md5', 'x-image-meta-os-hash-value', 'x-auth-token', 'x-openstack-request-id', 'user-agent'];

export interface UploadAttempt {
  /** `http://host:port/v2/images/{id}/file` */
  url: string;
  /** The client's request, for its headers. */
  request: IncomingMessage;
  /** Chunks of the body from its first byte (null at the end); rejects with ClientGone. */
  read: () => Promise<Buffer | null>;
  /** Longest wait for the host to connect and take the request (100 Continue) before giving up on it. */
  acceptTimeoutMs: number;
  /** Longest silence from the host while data flows or while it commits. */
  idleTimeoutMs: number;
  signal: AbortSignal;
}

/**
 * How an attempt ended:
 * - `answered`: the host's final answer, to relay to the client (success, or an error of its own);
 * - `refused`: connection failed, no 100 Continue in time, a refusal (404, 502-504), or the
 *   connection broke; `accepted` says whether the host had taken the request (it may then have
 *   begun storing), `sent` how many body bytes went out;
 * - `client-gone`: the client stopped sending; the host's request was cut off.
 */
export type AttemptOutcome =
  | { kind: 'answered'; answer: IncomingMessage; sent: number }
  | { kind: 'refused'; why: string; accepted: boolean; sent: number }
  | { kind: 'client-gone'; why: string };

/**
 * One PUT of the body to one host, with `Expect: 100-continue`: no data goes out before the host
 * has taken the request, so a host that is down, frozen or refusing costs nothing but time.
 */
export function attemptUpload(attempt: UploadAttempt): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { Expect: '100-continue' };
    for (const name of FORWARDED_HEADERS) {
      const value = attempt.request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = httpRequest(attempt.url, { method: 'PUT', headers, agent: false, signal: attempt.signal });
    let sent = 0;
    let accepted = false;
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(acceptTimer);
      resolve(outcome);
    };
    const refuse = (why: string) => {
      upstream.destroy();
      settle({ kind: 'refused', why, accepted, sent });
    };
    const acceptTimer = setTimeout(() => refuse(`no answer within ${attempt.acceptTimeoutMs} ms`), attempt.acceptTimeoutMs);
    upstream.setTimeout(attempt.idleTimeoutMs, () => refuse(`silent for ${attempt.idleTimeoutMs} ms`));
    upstream.on('error', (error: NodeJS.ErrnoException) => refuse(error.code ?? error.message));
    upstream.on('response', (answer) => {
      if (REFUSALS.has(answer.statusCode ?? 0)) {
        answer.resume();
        refuse(`answered ${answer.statusCode} ${answer.statusMessage ?? ''}`.trim());
        return;
      }
      settle({ kind: 'answered', answer, sent });
    });
    upstream.on('continue', () => {
      accepted = true;
      clearTimeout(acceptTimer);
      const pump = async () => {
        for (;;) {
          const chunk = await attempt.read();
          if (settled || upstream.destroyed) return;
          if (chunk === null) {
            upstream.end();
            return;
          }
          sent += chunk.length;
          if (!upstream.write(chunk)) await drained(upstream);
        }
      };
      pump().catch((error: unknown) => {
        if (!(error instanceof ClientGone)) return refuse(error instanceof Error ? error.message : String(error));
        upstream.destroy();
        settle({ kind: 'client-gone', why: error.message });
      });
    });
    upstream.flushHeaders();
  });
}

function drained(request: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      request.off('drain', done);
      request.off('close', done);
      resolve();
    };
    request.on('drain', done);
    request.on('close', done);
  });
}
