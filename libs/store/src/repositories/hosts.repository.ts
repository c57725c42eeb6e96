import { type EntityManager, QueryFailedError } from 'typeorm';
import { HostCredentialEntity } from '../entities/host-credential.entity.js';
import { HostRoleEntity, type RoleName, type RoleStateName } from '../entities/host-role.entity.js';
import { HostEntity } from '../entities/host.entity.js';
import { JoinTokenEntity } from '../entities/join-token.entity.js';
import type { HostFactsRecord } from '../host-facts.js';
import { rows } from '../sql.js';
import type { Store } from '../store.js';

export interface EnrolHostInput {
  hostId: string;
  hostname: string;
  region: string;
  agentVersion: string;
  joinTokenId: string;
  credential: { fingerprint: string; notAfter: Date };
  now: Date;
}

export type EnrolHostResult =
  | { ok: true; host: HostEntity }
  | { ok: false; reason: 'join-token-unusable' | 'hostname-taken'; existingHostId?: string };

export interface RoleConfig {
  repositoryPath: string;
  port: number;
  requireMount: boolean;
}

export interface RoleStatusUpdate {
  hostId: string;
  role: RoleName;
  generation: number;
  /** What the agent says it did with that generation. */
  outcome: 'active' | 'failed' | 'stopped';
  reason: string;
  url: string;
  storageId: string;
}

/**
 * The host aggregate: hosts, their roles and their credentials.
 *
 * Several controllers may write at once on PostgreSQL. A role change reads the role (its generation,
 * its state) before writing it, so it first locks the host's row (FOR NO KEY UPDATE, which lets
 * rows referring to the host still be inserted): one change per host at a time, each seeing the
 * one before, and every generation given once. A join token's use is one conditional UPDATE. Two
 * enrolments of one hostname at once meet at its unique constraint (see `enrol`).
 */
export class HostsRepository {
  constructor(private readonly store: Store) {}

  list(): Promise<HostEntity[]> {
    return this.store.dataSource.getRepository(HostEntity).find({ relations: { roles: true }, order: { hostname: 'ASC' } });
  }

  findById(id: string): Promise<HostEntity | null> {
    return this.store.dataSource.getRepository(HostEntity).findOne({ where: { id }, relations: { roles: true } });
  }

  /**
   * Consumes one use of the join token and creates the host with its first credential, atomically.
   * The loser of two enrolments of one hostname at once (on PostgreSQL, through two controllers)
   * fails on the unique hostname and is run again: it then sees the winner's host.
   */
  async enrol(input: EnrolHostInput): Promise<EnrolHostResult> {
    try {
      return await this.enrolOnce(input);
    } catch (error) {
      if (!takenMeanwhile(error)) throw error;
      return this.enrolOnce(input);
    }
  }

  private enrolOnce(input: EnrolHostInput): Promise<EnrolHostResult> {
    return this.store.write(async (manager) => {
      const existing = await manager.findOne(HostEntity, { where: { hostname: input.hostname } });
      if (existing) return { ok: false, reason: 'hostname-taken', existingHostId: existing.id };
      const consumed = await manager
        .createQueryBuilder()
        .update(JoinTokenEntity)
        .set({ uses: () => 'uses + 1' })
        .where('"id" = :id AND "uses" < "maxUses" AND "expiresAt" > :now', { id: input.joinTokenId, now: input.now })
        .execute();
      if (consumed.affected !== 1) return { ok: false, reason: 'join-token-unusable' };
      const host = manager.create(HostEntity, {
        id: input.hostId,
        hostname: input.hostname,
        region: input.region,
        agentVersion: input.agentVersion,
        facts: null,
        lastHeartbeatAt: null,
      });
      await manager.insert(HostEntity, host);
      await manager.insert(HostCredentialEntity, {
        fingerprint: input.credential.fingerprint,
        hostId: input.hostId,
        notAfter: input.credential.notAfter,
        revokedAt: null,
      });
      host.roles = [];
      return { ok: true, host };
    });
  }

  /** The host of the unrevoked credential with this fingerprint, or null: asked on every call from an agent, so one indexed read. */
  async trustedHostOf(fingerprint: string): Promise<string | null> {
    const [row] = await rows<{ hostId: string }>(this.store.dataSource.manager, 'SELECT "hostId" FROM "host_credentials" WHERE "fingerprint" = ? AND "revokedAt" IS NULL', [fingerprint]);
    return row?.hostId ?? null;
  }

  findCredential(fingerprint: string): Promise<HostCredentialEntity | null> {
    return this.store.dataSource.getRepository(HostCredentialEntity).findOneBy({ fingerprint });
  }

  /** Stores the host's facts, and its agent version when given (the hello carries it; later facts do not). */
  async saveFacts(hostId: string, facts: HostFactsRecord, agentVersion?: string): Promise<void> {
    await this.store.write((manager) => manager.update(HostEntity, { id: hostId }, agentVersion === undefined ? { facts } : { facts, agentVersion }));
  }


  async recordLastHeartbeat(hostId: string, at: Date): Promise<void> {
    await this.store.write((manager) => manager.update(HostEntity, { id: hostId }, { lastHeartbeatAt: at }));
  }

  /** Removes the host and its roles and revokes every credential it was given. */
  async remove(hostId: string, now: Date): Promise<boolean> {
    return this.store.write(async (manager) => {
      await manager.update(HostCredentialEntity, { hostId }, { revokedAt: now });
      const deleted = await manager.delete(HostEntity, { id: hostId });
      return deleted.affected === 1;
    });
  }

  /** Hosts that hold the role in any state other than being removed. */
  hostsWithRole(role: RoleName): Promise<HostEntity[]> {
    return this.store.dataSource
      .getRepository(HostEntity)
      .createQueryBuilder('host')
      .innerJoinAndSelect('host.roles', 'role', 'role.role = :role AND role.state != :removing', { role, removing: 'removing' })
      .getMany();
  }

  /**
   * Assigns the role or changes its config. An identical assignment that is not being removed is
   * left as it is (PUT is idempotent); anything else starts a new generation in `pending`.
   */
  assignRole(hostId: string, role: RoleName, config: RoleConfig): Promise<HostRoleEntity> {
    return this.store.write(async (manager) => {
      await this.lockHost(manager, hostId);
      const current = await manager.findOneBy(HostRoleEntity, { hostId, role });
      const unchanged =
        current &&
        current.state !== 'removing' &&
        current.repositoryPath === config.repositoryPath &&
        current.port === config.port &&
        current.requireMount === config.requireMount;
      if (unchanged) return current;
      return this.writeRole(manager, hostId, role, {
        ...config,
        generation: (current?.generation ?? 0) + 1,
        state: 'pending',
      });
    });
  }

  /** Marks the role for removal; the row goes once the agent confirms it stopped. */
  markRoleRemoving(hostId: string, role: RoleName): Promise<HostRoleEntity | null> {
    return this.store.write(async (manager) => {
      await this.lockHost(manager, hostId);
      const current = await manager.findOneBy(HostRoleEntity, { hostId, role });
      if (!current) return null;
      if (current.state === 'removing') return current;
      return this.writeRole(manager, hostId, role, {
        repositoryPath: current.repositoryPath,
        port: current.port,
        requireMount: current.requireMount,
        generation: current.generation + 1,
        state: 'removing',
      });
    });
  }

  /**
   * Applies what the agent reports for a generation. Reports for another generation than the
   * current one are stale and ignored, except a stop while the role is being removed, which
   * completes the removal. Returns the role as it now is (null when it is gone).
   */
  applyRoleStatus(update: RoleStatusUpdate): Promise<HostRoleEntity | null> {
    return this.store.write(async (manager) => {
      await this.lockHost(manager, update.hostId);
      const current = await manager.findOneBy(HostRoleEntity, { hostId: update.hostId, role: update.role });
      if (!current) return null;
      if (current.state === 'removing') {
        // Whatever generation it ran, a role that stopped after its removal was asked for is gone.
        if (update.outcome !== 'stopped') return current;
        await manager.delete(HostRoleEntity, { hostId: update.hostId, role: update.role });
        return null;
      }
      if (current.generation !== update.generation) return current;
      const state: RoleStateName = update.outcome === 'active' ? 'active' : 'failed';
      const reason = update.outcome === 'stopped' ? update.reason || 'the agent stopped the role' : update.reason;
      await manager.update(HostRoleEntity, { hostId: update.hostId, role: update.role }, { state, reason, url: update.outcome === 'active' ? update.url : '', storageId: update.storageId });
      return manager.findOneBy(HostRoleEntity, { hostId: update.hostId, role: update.role });
    });
  }

  private lockHost(manager: EntityManager, hostId: string): Promise<void> {
    return this.store.lock(manager, HostEntity, { id: hostId }, 'for_no_key_update');
  }

  private async writeRole(
    manager: EntityManager,
    hostId: string,
    role: RoleName,
    fields: RoleConfig & { generation: number; state: RoleStateName },
  ): Promise<HostRoleEntity> {
    await manager.upsert(HostRoleEntity, { hostId, role, ...fields, reason: '', url: '' }, ['hostId', 'role']);
    return manager.findOneByOrFail(HostRoleEntity, { hostId, role });
  }
}

/** A unique violation of the hostname (PostgreSQL's 23505): another enrolment took it since this one looked. */
function takenMeanwhile(error: unknown): boolean {
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: unknown; constraint?: unknown }) : null;
  return driverError?.code === '23505' && driverError.constraint === 'UQ_hosts_hostname';
}
