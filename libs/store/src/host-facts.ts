/** What an agent reports about its host, as stored (plain JSON). */
export interface HostFactsRecord {
  addresses: string[];
  os: { platform: string; distro: string; release: string; kernel: string; arch: string };
  cpu: { brand: string; cores: number; physicalCores: number; speedGhz: number };
  memory: { totalBytes: number; availableBytes: number };
  repositories: RepositoryFactsRecord[];
}

export interface RepositoryFactsRecord {
  path: string;
  exists: boolean;
  writable: boolean;
  fsType: string;
  mountPoint: string;
  mountSource: string;
  sizeBytes: number;
  freeBytes: number;
  readOnly: boolean;
  /** Why the agent will not write there now; empty when usable. */
  unusableReason: string;
  /** Hosts seen writing into this repository's storage lately (the live probe); absent from older agents. */
  storagePeers?: string[];
  /** The probe has run long enough that a host missing from storagePeers is on another storage. */
  storageProbeSettled?: boolean;
}
