import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROLLER_MAIN, exited, freePort, startNode, tempDir, waitFor } from './processes.js';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export interface HostView {
  id: string;
  hostname: string;
  region: string;
  connected: boolean;
  lastHeartbeatAt: string | null;
  agentVersion: string;
  facts: { os: { platform: string }; cpu: { cores: number }; memory: { totalBytes: number } } | null;
  repositories: {
    path: string;
    exists: boolean;
    writable: boolean;
    fsType: string;
    mountPoint: string;
    freeBytes: number;
    unusableReason: string;
    storagePeers: string[];
    storageProbeSettled: boolean;
  }[];
  roles: { role: string; state: string; reason: string; url: string; port: number; repositoryPath: string; generation: number }[];
  conditions: { type: string; blocking: boolean; reason: string }[];
  sharesStorageWith: string[];
}

/** An image as the controller's REST API shows it, with its status on every image-library host. */
export interface ImageView {
  id: string;
  name: string | null;
  status: string;
  diskFormat: string | null;
  size: number | null;
  virtualSize: number | null;
  osHashValue: string | null;
  fileName: string | null;
  hosts: { hostId: string; hostname: string; status: string; reason: string }[];
}

export interface JoinToken {
  token: string;
  caCertHash: string;
}

/** A real controller process on loopback with its own data directory. */
export class ControllerProcess {
  child: ChildProcess | null = null;
  readonly logFile: string;
  httpPort = 0;
  grpcPort = 0;

  /** A second controller given the data directory of another (a standby on shared disk) logs to a file of its own name. */
  constructor(
    private readonly extraEnv: NodeJS.ProcessEnv = {},
    readonly dataDir = tempDir('controller'),
    name = 'controller',
  ) {
    this.logFile = join(dataDir, `${name}.log`);
  }

  get grpcAddress(): string {
    return `${this.extraEnv.IMAGELIB_GRPC_HOST ?? '127.0.0.1'}:${this.grpcPort}`;
  }

  get adminToken(): string {
    return readFileSync(join(this.dataDir, 'admin-token'), 'utf8').trim();
  }

  get caPem(): string {
    return readFileSync(join(this.dataDir, 'ca.crt'), 'utf8');
  }

  async start(): Promise<this> {
    if (!this.httpPort) this.httpPort = await freePort();
    if (!this.grpcPort) this.grpcPort = await freePort();
    this.child = startNode(
      CONTROLLER_MAIN,
      [],
      {
        IMAGELIB_DATA_DIR: this.dataDir,
        IMAGELIB_HTTP_HOST: '127.0.0.1',
        IMAGELIB_HTTP_PORT: String(this.httpPort),
        IMAGELIB_GRPC_HOST: '127.0.0.1',
        IMAGELIB_GRPC_PORT: String(this.grpcPort),
        ...this.extraEnv,
      },
      this.logFile,
    );
    await waitFor('the controller to answer /readyz', async () => (await this.request('GET', '/readyz', undefined, null)).status === 200, 20_000);
    return this;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child) return;
    const child = this.child;
    child.kill(signal);
    await exited(child);
    this.child = null;
  }

  /** An operator call with the admin token (or the given one; null sends none). */
  async request<T = unknown>(method: string, path: string, body?: unknown, token: string | null = this.adminToken, rawBody?: string): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined || rawBody !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${this.httpPort}${path}`, { method, headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async joinToken(options: { maxUses?: number; ttlSeconds?: number } = {}): Promise<JoinToken> {
    const response = await this.request<JoinToken>('POST', '/api/v1/join-tokens', options);
    if (response.status !== 201) throw new Error(`join token: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Gives each host the image-library role on a free port with its repository; resolves with their URLs once all are active. */
  async giveImageLibraryRole(hostIds: string[], repositoryPaths: string[]): Promise<string[]> {
    const urls: string[] = [];
    for (const [i, id] of hostIds.entries()) {
      const port = await freePort();
      urls.push(`http://127.0.0.1:${port}`);
      const assigned = await this.request('PUT', `/api/v1/hosts/${id}/roles/image-library`, { repositoryPath: repositoryPaths[i], port });
      if (assigned.status !== 200) throw new Error(`role for ${id}: ${assigned.status} ${JSON.stringify(assigned.body)}`);
    }
    await waitFor('every role active', async () => (await Promise.all(hostIds.map((id) => this.host(id)))).every((h) => h.roles[0]?.state === 'active'));
    return urls;
  }

  async hosts(): Promise<HostView[]> {
    return (await this.request<HostView[]>('GET', '/api/v1/hosts')).body;
  }

  async host(id: string): Promise<HostView> {
    return (await this.request<HostView>('GET', `/api/v1/hosts/${id}`)).body;
  }
}
