import { writeFileAtomic } from '@imagelib/durable-fs';
import { type RoleAssignment__Output, RoleState, type RoleStatus } from '@imagelib/proto';
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from '../log.js';
import type { RepositoryState } from '../facts/host-facts.js';
import { ImageLibrary, type ImageLibraryDeps } from './image-library.js';

interface ImageLibraryRole {
  generation: number;
  repositoryPath: string;
  port: number;
  requireMount: boolean;
  running: ImageLibrary | null;
  status: RoleStatus;
}

export interface RoleManagerOptions {
  desiredStatePath: string;
  imageLibrary: ImageLibraryDeps;
  onStatus: (status: RoleStatus) => void;
}

/**
 * Runs the roles the controller wants on this host (today: the image library) and reports each
 * change of their state. Desired state is kept on disk, so the host serves on after a restart
 * while the controller is away. Changes are applied one at a time, in order.
 */
export class RoleManager {
  private imageLibraryRole: ImageLibraryRole | null = null;
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
    return this.imageLibraryRole ? [this.imageLibraryRole.status] : [];
  }

  /** The running image library, if the role is active here. */
  imageLibrary(): ImageLibrary | null {
    return this.imageLibraryRole?.running ?? null;
  }

  /** The repositories of the roles assigned here, running or failed. */
  repositories(): RepositoryState[] {
    const role = this.imageLibraryRole;
    if (!role) return [];
    return [{ path: role.repositoryPath, unusableReason: role.running?.unusableReason ?? role.status.reason ?? '', storageProbe: role.running?.storageProbe ?? { peers: [], settled: false } }];
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
    const current = this.imageLibraryRole;
    if (!wanted) {
      if (current) await this.stopImageLibrary();
      return;
    }
    const config = wanted.imageLibrary!;
    if (current && current.repositoryPath === config.repositoryPath && current.port === config.port && current.requireMount === config.requireMount && current.running) {
      if (current.generation !== wanted.generation) {
        current.generation = wanted.generation;
        this.report(current, current.status.state as RoleState, current.status.reason ?? '');
      }
      return;
    }
    if (current) await this.stopImageLibrary();
    await this.startImageLibrary(wanted.generation, config.repositoryPath, config.port, config.requireMount);
  }

  private async startImageLibrary(generation: number, repositoryPath: string, port: number, requireMount: boolean): Promise<void> {
    const role: ImageLibraryRole = { generation, repositoryPath, port, requireMount, running: null, status: { role: 'ROLE_IMAGE_LIBRARY' } };
    this.imageLibraryRole = role;
    try {
      role.running = await ImageLibrary.start(this.options.imageLibrary, repositoryPath, port, requireMount);
      this.report(role, RoleState.ROLE_STATE_ACTIVE, '');
    } catch (error) {
      const reason = describeStartError(error, port);
      this.log.warn({ generation, reason }, 'image-library role failed');
      this.report(role, RoleState.ROLE_STATE_FAILED, reason);
    }
  }

  private async stopImageLibrary(): Promise<void> {
    const role = this.imageLibraryRole;
    if (!role) return;
    await role.running?.stop();
    role.running = null;
    this.imageLibraryRole = null;
    this.report(role, RoleState.ROLE_STATE_STOPPED, '');
  }

  private report(role: ImageLibraryRole, state: RoleState, reason: string): void {
    const running = state === RoleState.ROLE_STATE_ACTIVE ? role.running : null;
    role.status = { role: 'ROLE_IMAGE_LIBRARY', state, reason, generation: role.generation, url: running?.url ?? '', storageId: running?.storageId ?? '' };
    this.options.onStatus(role.status);
  }
}

function describeStartError(error: unknown, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} is in use (EADDRINUSE)`;
  if (code === 'EACCES' && (error as { syscall?: string }).syscall === 'listen') return `not allowed to listen on port ${port} (EACCES)`;
  return error instanceof Error ? error.message : String(error);
}
