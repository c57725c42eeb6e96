import http from 'node:http';
import https from 'node:https';
import type { CreatedJoinTokenView, EndpointView, EndpointCatalogView, HostImageView, HostView, ImageTokenView, ImageView, RoleView } from './api-types.js';
import { ApiError, ControllerUnreachableError } from './errors.js';

const API = '/api/v1';

export interface ControllerApiOptions {
  /** `http://controller:8080` */
  url: string;
  /** Operator token (`Authorization: Bearer`). */
  token: string;
  /** Longest wait for one answer. */
  timeoutMs: number;
  /** Aborts requests in flight (Ctrl-C). */
  signal: AbortSignal;
}

/** The controller's REST API, one method per call the CLI makes. Errors: ApiError, ControllerUnreachableError. */
export class ControllerApi {
  constructor(private readonly options: ControllerApiOptions) {}

  listHosts(): Promise<HostView[]> {
    return this.request('GET', '/hosts');
  }

  getHost(id: string): Promise<HostView> {
    return this.request('GET', `/hosts/${encodeURIComponent(id)}`);
  }

  imagesOfHost(id: string): Promise<HostImageView[]> {
    return this.request('GET', `/hosts/${encodeURIComponent(id)}/images`);
  }

  assignImageLibraryRole(hostId: string, settings: { repositoryPath?: string; port?: number; requireMount?: boolean }): Promise<RoleView> {
    return this.request('PUT', `/hosts/${encodeURIComponent(hostId)}/roles/image-library`, settings);
  }

  removeImageLibraryRole(hostId: string, force: boolean): Promise<RoleView> {
    return this.request('DELETE', `/hosts/${encodeURIComponent(hostId)}/roles/image-library${force ? '?force=true' : ''}`);
  }

  drainImageLibraryRole(hostId: string, force: boolean): Promise<RoleView> {
    return this.request('POST', `/hosts/${encodeURIComponent(hostId)}/roles/image-library/drain`, { force });
  }

  createJoinToken(settings: { maxUses?: number; ttlSeconds?: number; description?: string }): Promise<CreatedJoinTokenView> {
    return this.request('POST', '/join-tokens', settings);
  }

  async endpoints(): Promise<EndpointView[]> {
    const document = await this.request<EndpointCatalogView>('GET', '/endpoints');
    return document.catalog.flatMap((service) => (service.type === 'image' ? service.endpoints : []));
  }

  listImages(): Promise<ImageView[]> {
    return this.request('GET', '/images');
  }

  getImage(id: string): Promise<ImageView> {
    return this.request('GET', `/images/${encodeURIComponent(id)}`);
  }

  createImageToken(request: { subject: string; admin: boolean; ttlSeconds: number }): Promise<ImageTokenView> {
    return this.request('POST', '/image-tokens', request);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { url, token, timeoutMs, signal } = this.options;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    let answer: Answer;
    try {
      answer = await send(new URL(`${url}${API}${path}`), method, headers, payload, timeoutMs, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new ControllerUnreachableError(url, unreachableReason(error, timeoutMs));
    }
    const json = parseJson(answer.text);
    if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, `${method} ${API}${path}`, errorDetail(json, answer));
    if (json === undefined) throw new ApiError(answer.status, `${method} ${API}${path}`, 'the answer is not JSON');
    return json as T;
  }
}

interface Answer {
  status: number;
  statusText: string;
  text: string;
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** One HTTP exchange with node:http (fetch refuses some ports); rejects on socket errors, the timeout or the signal. */
function send(target: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined, timeoutMs: number, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request(target, { method, headers, signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }));
    });
    const timer = setTimeout(() => request.destroy(new TimeoutError()), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(payload);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The controller's `{statusCode, error, message}`: message is a string or a list of problems. */
function errorDetail(json: unknown, response: Answer): string {
  const message = (json as { message?: unknown } | null | undefined)?.message;
  if (typeof message === 'string' && message) return message;
  if (Array.isArray(message) && message.length > 0) return message.map(String).join('; ');
  return `${response.status} ${response.statusText}`.trim();
}

function unreachableReason(error: unknown, timeoutMs: number): string {
  if (error instanceof TimeoutError) return `no answer within ${timeoutMs / 1000} s`;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
