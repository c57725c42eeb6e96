import type { HostEntity } from '@imagelib/store';

/**
 * The storage a host's repository is on: hosts whose agents report the same storage id (a marker
 * inside the repository) share one; a host that reported none is on its own.
 */
export function storageOf(host: HostEntity | undefined, hostId: string): string {
  const storageId = host?.roles.find((role) => role.role === 'image-library')?.storageId;
  return storageId ? `storage:${storageId}` : `host:${hostId}`;
}

/** Image-library hosts grouped by storage, each group in host-name order. */
export function groupByStorage(hosts: HostEntity[]): Map<string, HostEntity[]> {
  const groups = new Map<string, HostEntity[]>();
  for (const host of [...hosts].sort((a, b) => a.hostname.localeCompare(b.hostname))) {
    const storage = storageOf(host, host.id);
    groups.set(storage, [...(groups.get(storage) ?? []), host]);
  }
  return groups;
}
