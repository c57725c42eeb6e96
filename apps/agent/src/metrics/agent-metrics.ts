import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Transfers of image data take from milliseconds (a small image) to an hour (a large one on a slow link). */
const TRANSFER_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

/** The agent's Prometheus metrics: image API traffic, image transfers, replication, and Node's process metrics. */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestDuration: Histogram<'method' | 'route'>;
  readonly bytesSent: Counter<'route'>;
  readonly bytesReceived: Counter<'route'>;
  readonly uploadDuration: Histogram<'result'>;
  readonly downloadDuration: Histogram<'result'>;
  readonly replicationCopies: Counter<'result'>;
  readonly replicationBytes: Counter;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'imagelib_image_api_requests_total', help: 'Image API requests answered, by method, route template and status (499: the client went away first)', labelNames: ['method', 'route', 'status'], registers });
    this.requestDuration = new Histogram({
      name: 'imagelib_image_api_request_duration_seconds',
      help: 'Time from an image API request until its response ended',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300, 3600],
      registers,
    });
    this.bytesSent = new Counter({ name: 'imagelib_image_api_bytes_sent_total', help: 'Bytes the image API wrote to clients (headers and bodies), by route template', labelNames: ['route'], registers });
    this.bytesReceived = new Counter({ name: 'imagelib_image_api_bytes_received_total', help: 'Bytes the image API read from clients (headers and bodies), by route template', labelNames: ['route'], registers });
    this.uploadDuration = new Histogram({ name: 'imagelib_image_upload_duration_seconds', help: 'Image data uploads (PUT /v2/images/{id}/file): ok when stored', labelNames: ['result'], buckets: TRANSFER_BUCKETS, registers });
    this.downloadDuration = new Histogram({ name: 'imagelib_image_download_duration_seconds', help: 'Image data downloads (GET /v2/images/{id}/file): ok when sent whole', labelNames: ['result'], buckets: TRANSFER_BUCKETS, registers });
    this.replicationCopies = new Counter({ name: 'imagelib_replication_copies_total', help: 'Image copies from other hosts this host finished, by result', labelNames: ['result'], registers });
    this.replicationBytes = new Counter({ name: 'imagelib_replication_bytes_total', help: 'Bytes received from other hosts for image copies', registers });
  }
}

/** The process's metrics: one registry for the whole agent, whichever role instance serves them. */
export const agentMetrics = new AgentMetrics();
