import { Injectable, Logger } from '@nestjs/common';
import { GlanceError, type ImageRecord } from '@imagelib/glance';
import { CatalogRepository } from '@imagelib/store';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetPresence } from '../cluster/fleet-presence.js';
import type { HealthyHost } from '../endpoints/endpoints.service.js';
import { DataHosts } from './data-hosts.js';
import { ReplayableBody } from './replayable-body.js';
import { type AttemptOutcome, attemptUpload } from './upload-attempt.js';

/** How much of the start of an upload is kept to send it again to another host. */
const REPLAY_BYTES = 4 * 1024 * 1024;
const ACCEPT_TIMEOUT_MS = 5_000;
/** Hosts fsync and finish hashing after the last byte before they answer. */
const IDLE_TIMEOUT_MS = 120_000;
/** Longest wait for a host to apply the catalog revision that created the image. */
const CATALOG_WAIT_MS = 2_000;
const POLL_MS = 50;

/**
 * PUT /v2/images/{id}/file on the front door: the body streams through to a healthy host with
 * room (never stored here; at most its first REPLAY_BYTES are kept), and the host's answer comes
 * back. Another host is tried when one refuses or fails before it committed anything: connection
 * refused, no 100 Continue in time, a 404/502/503/504 answer, or a broken connection with the
 * image back to `queued` — as long as the body can still be sent again from its first byte.
 * Otherwise the upload fails with 503 and the image is where the host's own rules put it (queued
 * when the transfer broke, killed when the data was refused).
 */
@Injectable()
export class UploadRelay {
  private readonly logger = new Logger(UploadRelay.name);

  constructor(
    private readonly dataHosts: DataHosts,
    private readonly catalog: CatalogRepository,
    private readonly presence: FleetPresence,
  ) {}

  async relay(image: ImageRecord, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const declared = request.headers['content-length'] === undefined ? null : Number(request.headers['content-length']);
    const hosts = await this.dataHosts.forUpload(Number.isSafeInteger(declared) ? declared : null);
    const body = new ReplayableBody(request, REPLAY_BYTES);
    const clientGone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) clientGone.abort();
    });
    try {
      await this.tryHosts(hosts, image, request, response, body, clientGone.signal);
    } finally {
      // Answered before the client finished sending: read the rest and drop it, as a host does, so
      // that the client (which reads the answer only once it sent everything) sees the answer.
      if (!request.complete && !clientGone.signal.aborted) void body.discard();
    }
  }

  private async tryHosts(hosts: HealthyHost[], image: ImageRecord, request: IncomingMessage, response: ServerResponse, body: ReplayableBody, clientGone: AbortSignal): Promise<void> {
    const refusals: string[] = [];
    for (const host of hosts) {
      await this.untilHostKnows(host, image.id);
      const outcome = await attemptUpload({
        url: `${host.url.replace(/\/+$/, '')}/v2/images/${image.id}/file`,
        request,
        read: body.reader(),
        acceptTimeoutMs: ACCEPT_TIMEOUT_MS,
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        signal: clientGone,
      });
      if (outcome.kind === 'answered') {
        this.logger.log(`image ${image.id}: upload relayed to host ${host.hostname}, which answered ${outcome.answer.statusCode} after ${outcome.sent} bytes`);
        return relayAnswer(outcome.answer, response);
      }
      if (outcome.kind === 'client-gone' || clientGone.aborted) {
        this.logger.warn(`image ${image.id}: upload to host ${host.hostname} stopped: ${outcome.kind === 'client-gone' ? outcome.why : 'the client went away'}`);
        response.destroy();
        return;
      }
      refusals.push(`${host.hostname}: ${outcome.why}`);
      const status = await this.statusAfter(outcome, image.id);
      if (status !== 'queued' || !body.replayable) {
        this.logger.warn(`image ${image.id}: upload to host ${host.hostname} failed after ${outcome.sent} bytes (${outcome.why}); image ${status}, not sent elsewhere`);
        throw brokeOff(image.id, host, outcome, status, body.replayable);
      }
      this.logger.warn(`image ${image.id}: host ${host.hostname} did not take the upload (${outcome.why}); trying another host`);
    }
    throw GlanceError.serviceUnavailable(`No image-library host took the data of image ${image.id} (${refusals.join('; ')}); try again later.`);
  }

  /** A host that has not applied the image's creation yet would answer 404: give it a moment. */
  private async untilHostKnows(host: HealthyHost, imageId: string): Promise<void> {
    const revision = (await this.catalog.findById(imageId))?.revision ?? 0;
    for (let waited = 0; waited < CATALOG_WAIT_MS; waited += POLL_MS) {
      const acked = this.presence.catalogAcked(host.hostId);
      if (acked === null || acked >= revision) return;
      await sleep(POLL_MS);
    }
  }

  /**
   * The image's status once a refused attempt settled. A host that never took the request did
   * nothing; one that did may have begun storing: its own abort, or the controller noticing it
   * gone, turns `saving` back to `queued` (within a few heartbeat intervals).
   */
  private async statusAfter(outcome: Extract<AttemptOutcome, { kind: 'refused' }>, imageId: string): Promise<string> {
    const until = Date.now() + (outcome.accepted ? 3 * this.presence.heartbeatIntervalMs + 1_000 : 0);
    for (;;) {
      const status = (await this.catalog.findById(imageId))?.status ?? 'deleted';
      if (status !== 'saving' || Date.now() >= until) return status;
      await sleep(POLL_MS * 2);
    }
  }
}

/** The host's answer as the client's: status, type, length and body. */
async function relayAnswer(answer: IncomingMessage, response: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'content-length']) {
    const value = answer.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  response.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
  try {
    await pipeline(answer, response);
  } finally {
    answer.destroy();
  }
}

function brokeOff(imageId: string, host: HealthyHost, outcome: Extract<AttemptOutcome, { kind: 'refused' }>, status: string, replayable: boolean): GlanceError {
  const after = `The upload of image ${imageId} to host ${host.hostname} failed after ${outcome.sent} bytes (${outcome.why})`;
  if (status === 'queued' && !replayable) return GlanceError.serviceUnavailable(`${after}, too far in to send it to another host; image ${imageId} is queued: upload its data again.`);
  if (status === 'saving') return GlanceError.serviceUnavailable(`${after}; image ${imageId} is still saving and goes back to queued once host ${host.hostname} is found gone: upload its data again then.`);
  return GlanceError.serviceUnavailable(`${after}; image ${imageId} is ${status}.`);
}
