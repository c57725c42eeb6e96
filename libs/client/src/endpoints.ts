import { ImageLibraryError } from './errors.js';
import { describeAnswer, exchange, ExchangeFailure, readAll } from './http-exchange.js';

/** One image endpoint, as GET /api/v1/endpoints describes it (a fixed URL is healthy, with no host details). */
export interface ImageEndpoint {
  url: string;
  healthy: boolean;
  /** Why not healthy (empty when healthy). */
  reason: string;
  hostId?: string;
  hostname?: string;
  region?: string;
}

export interface ControllerDiscovery {
  /** The controller's REST API, `http://controller:8080`. */
  url: string;
  /** An operator token (`Authorization: Bearer`). */
  token: string;
  /** Only endpoints of this region. */
  region?: string;
  /** Ask again this often (default 30 s); also soon after a host failed. */
  refreshIntervalMs?: number;
}

export interface EndpointDirectoryOptions {
  fixed?: readonly string[];
  controller?: ControllerDiscovery;
  random: () => number;
  failureCooldownMs: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

/** How long a controller refresh may take before the client goes on with the list it has. */
const REFRESH_TIMEOUT_MS = 5_000;
/** Refreshes after failures are at most this frequent. */
const MIN_REFRESH_GAP_MS = 500;
const MAX_CATALOG_BYTES = 4 * 1024 * 1024;

/** Fisher–Yates with the given source of [0, 1) numbers. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

/**
 * The endpoints a call may use, in the order to try them: healthy ones shuffled (as Nova cycles
 * through a shuffled api_servers list), then healthy ones that failed for this client in the last
 * `failureCooldownMs`, then unhealthy ones as a last resort. With a controller the list is fetched
 * on first use, refreshed in the background when older than the refresh interval or after a failure,
 * and kept as it was when the controller cannot be reached (the image API goes on without it).
 */
export class EndpointDirectory {
  private endpoints: ImageEndpoint[];
  private fetchedAt = 0;
  private lastTryAt = 0;
  private stale = false;
  private deferred: NodeJS.Timeout | null = null;
  private lastError = '';
  private refreshing: Promise<void> | null = null;
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly options: EndpointDirectoryOptions) {
    const fixed = options.fixed ?? [];
    this.endpoints = fixed.map((url) => ({ url: url.replace(/\/+$/, ''), healthy: true, reason: '' }));
    if (!options.controller && this.endpoints.length === 0) throw new TypeError('ImageLibraryClient needs image endpoint URLs or a controller to ask for them');
  }

  /** The current list (a copy), healthy first as the controller sent it. */
  snapshot(): ImageEndpoint[] {
    return this.endpoints.map((endpoint) => ({ ...endpoint }));
  }

  /** The order for one call; `preferred` (a URL) goes first when it is healthy and has not failed lately. */
  async order(deadlineAt: number, preferred?: string): Promise<ImageEndpoint[]> {
    await this.ensureFresh(deadlineAt);
    const now = Date.now();
    const groups: ImageEndpoint[][] = [[], [], []];
    for (const endpoint of this.endpoints) {
      const failed = this.failedAt.get(endpoint.url);
      const cooling = failed !== undefined && now - failed < this.options.failureCooldownMs;
      groups[!endpoint.healthy ? 2 : cooling ? 1 : 0]!.push(endpoint);
    }
    const ordered = groups.flatMap((group) => shuffle(group, this.options.random));
    const first = preferred === undefined ? -1 : ordered.findIndex((e) => e.url === preferred);
    if (first > 0 && groups[0]!.includes(ordered[first]!)) ordered.unshift(...ordered.splice(first, 1));
    return ordered;
  }

  /** Remembers the failure and asks the controller again in the background (at most every 500 ms). */
  reportFailure(url: string): void {
    this.failedAt.set(url, Date.now());
    this.stale = true;
    this.refreshInBackground();
  }

  reportSuccess(url: string): void {
    this.failedAt.delete(url);
  }

  /** Asks the controller now (no-op for a fixed list); keeps the old list when that fails. */
  async refresh(deadlineAt: number): Promise<void> {
    if (!this.options.controller) return;
    this.refreshing ??= this.fetch(Math.min(deadlineAt, Date.now() + REFRESH_TIMEOUT_MS)).finally(() => {
      this.refreshing = null;
    });
    // A refresh already under way may have a later deadline than this caller: wait no longer than ours.
    const wait = deadlineAt - Date.now();
    if (!Number.isFinite(wait)) return this.refreshing;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.refreshing, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, wait))))]);
    clearTimeout(timer);
  }

  private async ensureFresh(deadlineAt: number): Promise<void> {
    const controller = this.options.controller;
    if (!controller) return;
    if (this.fetchedAt === 0) {
      await this.refresh(deadlineAt);
      if (this.fetchedAt === 0) {
        throw new ImageLibraryError({
          kind: 'endpoints',
          operation: `GET ${controller.url}/api/v1/endpoints`,
          reason: `could not learn the image endpoints from the controller: ${this.lastError}`,
        });
      }
      return;
    }
    if (Date.now() - this.fetchedAt >= (controller.refreshIntervalMs ?? 30_000)) this.stale = true;
    this.refreshInBackground();
  }

  /** Refreshes now, or once MIN_REFRESH_GAP_MS after the last try (a timer that never keeps the process alive). */
  private refreshInBackground(): void {
    if (!this.options.controller || !this.stale || this.fetchedAt === 0 || this.deferred) return;
    const wait = this.lastTryAt + MIN_REFRESH_GAP_MS - Date.now();
    if (wait <= 0) {
      this.refresh(Infinity).catch(() => undefined);
      return;
    }
    this.deferred = setTimeout(() => {
      this.deferred = null;
      this.refreshInBackground();
    }, wait);
    this.deferred.unref();
  }

  private async fetch(deadlineAt: number): Promise<void> {
    const controller = this.options.controller!;
    this.lastTryAt = Date.now();
    try {
      const answer = await exchange({
        baseUrl: controller.url,
        method: 'GET',
        path: '/api/v1/endpoints',
        headers: { Authorization: `Bearer ${controller.token}`, Accept: 'application/json' },
        connectTimeoutMs: this.options.connectTimeoutMs,
        responseTimeoutMs: this.options.responseTimeoutMs,
        deadlineAt,
      });
      let body: Buffer;
      try {
        body = await readAll(answer, MAX_CATALOG_BYTES);
      } finally {
        answer.close();
      }
      if (answer.status !== 200) throw new Error(describeAnswer(answer.status, answer.statusMessage, answer.headers, body));
      this.endpoints = parseCatalog(JSON.parse(body.toString('utf8')) as unknown, controller.region);
      this.fetchedAt = Date.now();
      this.stale = false;
      this.lastError = '';
    } catch (error) {
      this.lastError = error instanceof ExchangeFailure || error instanceof Error ? error.message : String(error);
    }
  }
}

/** The image service's endpoints from `{catalog: [{type: 'image', endpoints: [...]}]}`. */
export function parseCatalog(document: unknown, region?: string): ImageEndpoint[] {
  const catalog = (document as { catalog?: unknown } | null)?.catalog;
  if (!Array.isArray(catalog)) throw new Error('the controller answered without a catalog');
  const endpoints: ImageEndpoint[] = [];
  for (const service of catalog as { type?: unknown; endpoints?: unknown }[]) {
    if (service?.type !== 'image' || !Array.isArray(service.endpoints)) continue;
    for (const raw of service.endpoints as Record<string, unknown>[]) {
      if (typeof raw?.url !== 'string' || raw.url === '') continue;
      if (region !== undefined && raw.region !== region) continue;
      endpoints.push({
        url: raw.url.replace(/\/+$/, ''),
        healthy: raw.healthy === true,
        reason: typeof raw.reason === 'string' ? raw.reason : '',
        ...(typeof raw.hostId === 'string' ? { hostId: raw.hostId } : {}),
        ...(typeof raw.hostname === 'string' ? { hostname: raw.hostname } : {}),
        ...(typeof raw.region === 'string' ? { region: raw.region } : {}),
      });
    }
  }
  return endpoints;
}
