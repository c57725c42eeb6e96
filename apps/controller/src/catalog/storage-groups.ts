import type { HostEntity } from '@imagelib/store';

/**
 * Which image-library hosts share one storage. A host's agent reports the storage id kept in a
 * marker file inside its repository; hosts reporting the same id share that storage once the live
 * probe confirms it (one host's writes into the repository seen by the other: either reporting the
 * other as a live peer links the two). A marker copied onto another disk (a cloned VM, an rsync of
 * the repository) matches the id but never the live writes: hosts whose probe has run long enough
 * (settled) and that see none of the others form a storage of their own. Hosts that cannot tell yet
 * (probe not settled, an older agent) stay with the marker's main group: assumed shared until
 * disproved, so nothing is copied onto a storage that may already hold it.
 */
export class StorageGroups {
  private readonly keyOfHost = new Map<string, string>();
  private readonly groups = new Map<string, HostEntity[]>();
  /** Storage ids whose hosts the probe found on different storages. */
  private readonly splitIds = new Set<string>();

  private constructor(hosts: HostEntity[]) {
    const byStorageId = new Map<string, HostEntity[]>();
    for (const host of [...hosts].sort(byName)) {
      const storageId = probeOf(host).storageId;
      if (!storageId) this.add(`host:${host.id}`, host);
      else byStorageId.set(storageId, [...(byStorageId.get(storageId) ?? []), host]);
    }
    for (const [storageId, members] of byStorageId) {
      const components = linkedByProbe(members);
      if (components.length > 1) this.splitIds.add(storageId);
      // The first component (the largest) keeps the plain key, so the key of a storage does not change while nothing is split.
      components.forEach((component, index) => {
        for (const host of component) this.add(index === 0 ? `storage:${storageId}` : `storage:${storageId}/${component[0]!.id}`, host);
      });
    }
  }

  static of(hosts: HostEntity[]): StorageGroups {
    return new StorageGroups(hosts);
  }

  /** The storage of a host: its group's key (a host on no known storage is one of its own). */
  keyOf(hostId: string): string {
    return this.keyOfHost.get(hostId) ?? `host:${hostId}`;
  }

  /** Groups by key, each in host-name order. */
  entries(): [string, HostEntity[]][] {
    return [...this.groups];
  }

  get size(): number {
    return this.groups.size;
  }

  /** The other hosts on the host's storage. */
  sharing(hostId: string): HostEntity[] {
    return (this.groups.get(this.keyOf(hostId)) ?? []).filter((host) => host.id !== hostId);
  }

  /** Hosts that report the same storage id but were found on another storage by the probe. */
  sameMarkerElsewhere(host: HostEntity): HostEntity[] {
    const storageId = probeOf(host).storageId;
    if (!storageId || !this.splitIds.has(storageId)) return [];
    const mine = this.keyOf(host.id);
    return [...this.groups].flatMap(([key, members]) => (key !== mine ? members.filter((other) => probeOf(other).storageId === storageId) : []));
  }

  private add(key: string, host: HostEntity): void {
    this.keyOfHost.set(host.id, key);
    this.groups.set(key, [...(this.groups.get(key) ?? []), host]);
  }
}

interface Probe {
  storageId: string;
  peers: string[];
  settled: boolean;
}

function probeOf(host: HostEntity): Probe {
  const role = host.roles.find((r) => r.role === 'image-library');
  const facts = host.facts?.repositories.find((repository) => repository.path === role?.repositoryPath);
  return { storageId: role?.storageId ?? '', peers: facts?.storagePeers ?? [], settled: facts?.storageProbeSettled ?? false };
}

/**
 * Hosts of one storage id, split into the sets the probe links (largest first); hosts that cannot
 * tell yet join the largest.
 */
function linkedByProbe(members: HostEntity[]): HostEntity[][] {
  const root = new Map(members.map((host) => [host.id, host.id]));
  const find = (id: string): string => {
    const parent = root.get(id)!;
    if (parent === id) return id;
    const top = find(parent);
    root.set(id, top);
    return top;
  };
  const linked = new Set<string>();
  for (const host of members) {
    for (const peer of probeOf(host).peers) {
      if (peer === host.id || !root.has(peer)) continue;
      root.set(find(peer), find(host.id));
      linked.add(host.id).add(peer);
    }
  }
  const undecided = members.filter((host) => !linked.has(host.id) && !probeOf(host).settled);
  const components = new Map<string, HostEntity[]>();
  for (const host of members) {
    if (undecided.includes(host)) continue;
    const top = find(host.id);
    components.set(top, [...(components.get(top) ?? []), host]);
  }
  const sorted = [...components.values()].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return [undecided];
  sorted[0] = [...sorted[0]!, ...undecided].sort(byName);
  return sorted;
}

function byName(a: HostEntity, b: HostEntity): number {
  return a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id);
}
