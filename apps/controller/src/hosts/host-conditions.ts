import type { HostEntity } from '@imagelib/store';
import type { StorageGroups } from '../catalog/storage-groups.js';
import type { ConditionDto } from './dto/host.dto.js';

/**
 * What is wrong with a host's image repository, from its role and the facts its agent reports.
 * Blocking conditions take the host out of the healthy endpoints. All image-library hosts must use
 * the same repository path (a share is mounted at the same path everywhere).
 */
export function repositoryConditions(host: HostEntity, imageLibraryHosts: HostEntity[], minFreeBytes: number): ConditionDto[] {
  const role = host.roles.find((r) => r.role === 'image-library');
  if (!role || role.state === 'removing') return [];
  const conditions: ConditionDto[] = [];
  const paths = new Map<string, number>();
  for (const other of imageLibraryHosts) {
    const path = other.roles.find((r) => r.role === 'image-library')?.repositoryPath;
    if (path) paths.set(path, (paths.get(path) ?? 0) + 1);
  }
  const [usual] = [...paths].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
  if (paths.size > 1 && usual !== undefined && usual !== role.repositoryPath) {
    conditions.push({ type: 'repository-path-mismatch', blocking: false, reason: `uses ${role.repositoryPath} while ${paths.get(usual)} host(s) use ${usual}; every host must use the same path` });
  }
  const facts = host.facts?.repositories.find((r) => r.path === role.repositoryPath);
  if (!facts) return conditions;
  if (facts.unusableReason) conditions.push({ type: 'repository-unusable', blocking: true, reason: facts.unusableReason });
  if (facts.readOnly) conditions.push({ type: 'repository-read-only', blocking: true, reason: `${facts.mountPoint} is mounted read-only` });
  else if (facts.exists && !facts.writable) conditions.push({ type: 'repository-not-writable', blocking: true, reason: `the service user cannot write to ${facts.path}` });
  if (facts.sizeBytes > 0 && facts.freeBytes < minFreeBytes) {
    conditions.push({ type: 'low-free-space', blocking: false, reason: `${facts.freeBytes} bytes free on ${facts.mountPoint}, under ${minFreeBytes}` });
  }
  return conditions;
}

/**
 * A host whose repository carries the storage marker of other hosts that the live probe shows are on
 * another storage: the marker was copied (a cloned disk, an rsync of the repository). Images are
 * kept on it as on a storage of its own; the operator should give it an identity of its own.
 */
export function storageConditions(host: HostEntity, storages: StorageGroups): ConditionDto[] {
  const elsewhere = storages.sameMarkerElsewhere(host);
  if (elsewhere.length === 0) return [];
  const role = host.roles.find((r) => r.role === 'image-library');
  const names = elsewhere.map((other) => other.hostname).join(', ');
  return [
    {
      type: 'storage-marker-copied',
      blocking: false,
      reason: `${role?.repositoryPath ?? 'the repository'} carries storage id ${role?.storageId} like ${names}, but neither sees the other's writes: treated as a storage of its own (remove its .imagelib-storage-id and restart the agent to give it a new id)`,
    },
  ];
}
