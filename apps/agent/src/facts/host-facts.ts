import type { HostFacts, RepositoryFacts } from '@imagelib/proto';
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import si from 'systeminformation';
import type { StorageProbeView } from '../roles/storage-probe.js';

export interface RepositoryState {
  path: string;
  /** Why the agent will not write there now; empty when usable. */
  unusableReason: string;
  /** What the live storage probe sees: hosts writing into the same storage, and whether that is settled. */
  storageProbe: StorageProbeView;
}

/** Facts about this host and its repositories, as the controller shows them to operators. */
export async function collectHostFacts(hostname: string, repositories: RepositoryState[]): Promise<HostFacts> {
  const [os, cpu, memory, filesystems] = await Promise.all([si.osInfo(), si.cpu(), si.mem(), si.fsSize()]);
  return {
    hostname,
    addresses: hostAddresses(),
    os: { platform: os.platform, distro: os.distro, release: os.release, kernel: os.kernel, arch: os.arch },
    cpu: { brand: `${cpu.manufacturer} ${cpu.brand}`.trim(), cores: cpu.cores, physicalCores: cpu.physicalCores, speedGhz: cpu.speed },
    memory: { totalBytes: memory.total, availableBytes: memory.available },
    repositories: await Promise.all(repositories.map((repository) => repositoryFacts(repository, filesystems))),
  };
}

/** The filesystem a repository path lives on: the mount with the longest prefix of its real path. */
export async function repositoryFacts({ path, unusableReason, storageProbe }: RepositoryState, filesystems: si.Systeminformation.FsSizeData[]): Promise<RepositoryFacts> {
  const exists = await stat(path).then((s) => s.isDirectory(), () => false);
  const resolved = exists ? await realpath(path) : path;
  const mount = filesystems
    .filter((fs) => resolved === fs.mount || resolved.startsWith(fs.mount.endsWith('/') ? fs.mount : `${fs.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  return {
    path,
    exists,
    writable: exists && (await access(path, constants.W_OK | constants.X_OK).then(() => true, () => false)),
    fsType: mount?.type ?? '',
    mountPoint: mount?.mount ?? '',
    mountSource: mount?.fs ?? '',
    sizeBytes: mount?.size ?? 0,
    freeBytes: mount?.available ?? 0,
    readOnly: mount?.rw === false,
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
