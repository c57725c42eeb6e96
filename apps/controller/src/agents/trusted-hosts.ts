import { Injectable } from '@nestjs/common';
import { HostsRepository } from '@imagelib/store';
import { ClusterBus } from '../cluster/cluster-bus.js';

/** A credential found trusted is believed for this long without asking the store again. */
export const TRUSTED_FOR_MS = 10_000;
/** Credentials remembered at most (a fleet's worth; the oldest go first). */
const MAX_REMEMBERED = 20_000;

/**
 * Which host an agent's certificate belongs to, asked on every stream and every catalog write:
 * answered from memory for TRUSTED_FOR_MS after one read of the store, so a fleet reconnecting at
 * once (its controller died) does not queue thousands of reads before their welcomes. Removing a
 * host revokes its credential: this controller forgets it at once, the others when the cluster
 * bus tells them to end its stream (and within TRUSTED_FOR_MS whatever happens).
 */
@Injectable()
export class TrustedHosts {
  private readonly known = new Map<string, { hostId: string; until: number }>();

  constructor(
    private readonly hosts: HostsRepository,
    bus: ClusterBus,
  ) {
    bus.on('disconnect', (message) => this.forget(message.hostId));
  }

  /** The host of the unrevoked credential with this fingerprint, or null. */
  async hostOf(fingerprint: string): Promise<string | null> {
    const cached = this.known.get(fingerprint);
    if (cached && cached.until > Date.now()) return cached.hostId;
    const hostId = await this.hosts.trustedHostOf(fingerprint);
    this.known.delete(fingerprint);
    if (hostId) {
      if (this.known.size >= MAX_REMEMBERED) this.known.delete(this.known.keys().next().value!);
      this.known.set(fingerprint, { hostId, until: Date.now() + TRUSTED_FOR_MS });
    }
    return hostId;
  }

  /** The host's credentials were revoked: they are asked of the store again. */
  forget(hostId: string): void {
    for (const [fingerprint, entry] of this.known) if (entry.hostId === hostId) this.known.delete(fingerprint);
  }
}
