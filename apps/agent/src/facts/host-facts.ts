import type { HostFacts, RepositoryFacts } from '@imagelib/proto';
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import si from 'systeminformation';
import type { StorageProbeView } from '../roles/storage-probe.js';
import { fileSystemSpace, type MountEntry, mountOf, readMountTable } from './mount-table.js';

export interface RepositoryState {
  path: string;
  /** Why the agent will not write there now; empty when usable. */
  unusableReason: string;
  /** What the live storage probe sees: hosts writing into the same storage, and whether that is settled. */
  storageProbe: StorageProbeView;
}

/**
 * What does not change while the agent runs (the OS and the CPU), collected once: systeminformation
 * runs commands for them (`hostname -f` and others with execSync, which stops the event loop for
 * tens of milliseconds, and lscpu), which the facts sent every minute need not repeat.
 */
let staticFacts: Promise<Pick<HostFacts, 'os' | 'cpu'>> | null = null;

function collectStaticFacts(): Promise<Pick<HostFacts, 'os' | 'cpu'>> {
  staticFacts ??= Promise.all([si.osInfo(), si.cpu()]).then(([os, cpu]) => ({
    os: { platform: os.platform, distro: os.distro, release: os.release, kernel: os.kernel, arch: os.arch },
    cpu: { brand: `${cpu.manufacturer} ${cpu.brand}`.trim(), cores: cpu.cores, physicalCores: cpu.physicalCores, speedGhz: cpu.speed },
  }));
  staticFacts.catch(() => (staticFacts = null));
  return staticFacts;
}

/** Facts about this host and its repositories, as the controller shows them to operators. */
export async function collectHostFacts(hostname: string, repositories: RepositoryState[]): Promise<HostFacts> {
  const [fixed, memory, mounts] = await Promise.all([collectStaticFacts(), si.mem(), readMountTable()]);
  return {
    hostname,
    addresses: hostAddresses(),
    ...fixed,
    memory: { totalBytes: memory.total, availableBytes: memory.available },
    repositories: await Promise.all(repositories.map((repository) => repositoryFacts(repository, mounts))),
  };
}

/** The repository and the file system it lives on: the mount holding its real path, and that mount's space. */
export async function repositoryFacts({ path, unusableReason, storageProbe }: RepositoryState, mounts: readonly MountEntry[]): Promise<RepositoryFacts> {
  const exists = await stat(path).then((s) => s.isDirectory(), () => false);
  const resolved = exists ? await realpath(path) : path;
  const mount = mountOf(resolved, mounts);
  const space = mount ? await fileSystemSpace(mount.mountPoint).catch(() => null) : null;
  return {
    path,
    exists,
    writable: exists && (await access(path, constants.W_OK | constants.X_OK).then(() => true, () => false)),
    fsType: mount?.type ?? '',
    mountPoint: mount?.mountPoint ?? '',
    mountSource: mount?.source ?? '',
    sizeBytes: space?.sizeBytes ?? 0,
    freeBytes: space?.freeBytes ?? 0,
    readOnly: mount?.readOnly ?? false,
    unusableReason,
    storagePeers: storageProbe.peers,
    storageProbeSettled: storageProbe.settled,
  };
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && !entry.internal)
    .map((entry) => entry!.address);
}
