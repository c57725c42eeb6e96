import type { HostFacts__Output } from '@imagelib/proto';
import type { HostFactsRecord } from '@imagelib/store';

const HOST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Keeps what the agent reported, bounded in size, as the store's plain record. */
export function factsFromProto(facts: HostFacts__Output): HostFactsRecord {
  return {
    addresses: facts.addresses.slice(0, 64).map((a) => a.slice(0, 64)),
    os: {
      platform: facts.os?.platform ?? '',
      distro: facts.os?.distro ?? '',
      release: facts.os?.release ?? '',
      kernel: facts.os?.kernel ?? '',
      arch: facts.os?.arch ?? '',
    },
    cpu: {
      brand: facts.cpu?.brand ?? '',
      cores: facts.cpu?.cores ?? 0,
      physicalCores: facts.cpu?.physicalCores ?? 0,
      speedGhz: facts.cpu?.speedGhz ?? 0,
    },
    memory: { totalBytes: facts.memory?.totalBytes ?? 0, availableBytes: facts.memory?.availableBytes ?? 0 },
    repositories: facts.repositories.slice(0, 16).map((r) => ({
      path: r.path,
      exists: r.exists,
      writable: r.writable,
      fsType: r.fsType,
      mountPoint: r.mountPoint,
      mountSource: r.mountSource,
      sizeBytes: r.sizeBytes,
      freeBytes: r.freeBytes,
      readOnly: r.readOnly,
      unusableReason: r.unusableReason.slice(0, 512),
      storagePeers: r.storagePeers.filter((peer) => HOST_ID.test(peer)).slice(0, 256),
      storageProbeSettled: r.storageProbeSettled,
    })),
  };
}
