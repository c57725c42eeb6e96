import { writeFileAtomic } from '@imagelib/durable-fs';
import { type RoleAssignment__Output, RoleState, type RoleStatus } from '@imagelib/proto';
import { existsSync, readFileSync } from 'node:fs';
import { ImageService } from '../image-service/image-service.js';
import type { Logger } from '../log.js';
import { prepareRepository } from './repository-directory.js';

const DRAIN_TIMEOUT_MS = 10_000;

interface RunningImageLibrary {
  generation: number;
  repositoryPath: string;
  port: number;
  service: ImageService | null;
  status: RoleStatus;
}

export interface RoleManagerOptions {
  bindAddress: string;
  /** The address other hosts and clients reach this host at, for the role's URL. */
  advertisedHost: string;
  desiredStatePath: string;
  onStatus: (status: RoleStatus) => void;
}

/**
 * Runs the roles the controller wants on this host (today: the image library) and reports each
 * change of their state. Desired state is kept on disk, so the host serves on after a restart
 * while the controller is away. Changes are applied one at a time, in order.
 */
export class RoleManager {
  private imageLibrary: RunningImageLibrary | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: RoleManagerOptions,
    private readonly log: Logger,
  ) {}

  /** The desired state saved by the last run, if any. */
  savedDesiredState(): RoleAssignment__Output[] {
    if (!existsSync(this.options.desiredStatePath)) return [];
    return JSON.parse(readFileSync(this.options.desiredStatePath, 'utf8')) as RoleAssignment__Output[];
  }

  /** The state of every role this host runs, for the hello on (re)connect. */
  statuses(): RoleStatus[] {
    return this.imageLibrary ? [this.imageLibrary.status] : [];
  }

  /** The repository paths of the roles assigned here, running or failed. */
  repositoryPaths(): string[] {
    return this.imageLibrary ? [this.imageLibrary.repositoryPath] : [];
  }

  apply(roles: RoleAssignment__Output[], persist: boolean): Promise<void> {
    const run = this.queue.then(async () => {
      if (persist) await writeFileAtomic(this.options.desiredStatePath, JSON.stringify(roles), 0o600);
      await this.reconcileImageLibrary(roles.find((role) => role.role === 'ROLE_IMAGE_LIBRARY' && role.imageLibrary));
    });
    this.queue = run.catch((error: unknown) => this.log.error({ err: error }, 'could not apply the desired state'));
    return this.queue;
  }

  stopAll(): Promise<void> {
    const run = this.queue.then(() => this.stopImageLibrary());
    this.queue = run;
    return run;
  }

  private async reconcileImageLibrary(wanted: RoleAssignment__Output | undefined): Promise<void> {
    const running = this.imageLibrary;
    if (!wanted) {
      if (running) await this.stopImageLibrary();
      return;
    }
    const config = wanted.imageLibrary!;
    if (running && running.repositoryPath === config.repositoryPath && running.port === config.port && running.service) {
      if (running.generation !== wanted.generation) {
        running.generation = wanted.generation;
        this.report(running, running.status.state as RoleState, running.status.reason ?? '', running.status.url ?? '');
      }
      return;
    }
    if (running) await this.stopImageLibrary();
    await this.startImageLibrary(wanted.generation, config.repositoryPath, config.port);
  }

  private async startImageLibrary(generation: number, repositoryPath: string, port: number): Promise<void> {
    const role: RunningImageLibrary = { generation, repositoryPath, port, service: null, status: { role: 'ROLE_IMAGE_LIBRARY' } };
    this.imageLibrary = role;
    try {
      await prepareRepository(repositoryPath);
      const service = new ImageService({ bindAddress: this.options.bindAddress, port, repositoryPath, drainTimeoutMs: DRAIN_TIMEOUT_MS }, this.log);
      await service.start();
      role.service = service;
      this.report(role, RoleState.ROLE_STATE_ACTIVE, '', `http://${this.options.advertisedHost}:${service.port}`);
    } catch (error) {
      const reason = describeStartError(error, port);
      this.log.warn({ generation, reason }, 'image-library role failed');
      this.report(role, RoleState.ROLE_STATE_FAILED, reason, '');
    }
  }

  private async stopImageLibrary(): Promise<void> {
    const running = this.imageLibrary;
    if (!running) return;
    await running.service?.stop();
    this.imageLibrary = null;
    this.report(running, RoleState.ROLE_STATE_STOPPED, '', '');
  }

  private report(role: RunningImageLibrary, state: RoleState, reason: string, url: string): void {
    role.status = { role: 'ROLE_IMAGE_LIBRARY', state, reason, url, generation: role.generation };
    this.options.onStatus(role.status);
  }
}

function describeStartError(error: unknown, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} is in use (EADDRINUSE)`;
  if (code === 'EACCES' && (error as { syscall?: string }).syscall === 'listen') return `not allowed to listen on port ${port} (EACCES)`;
  return error instanceof Error ? error.message : String(error);
}
