// The controller's REST documents (/api/v1) as the CLI reads them; the OpenAPI document at /api/docs-json is the reference.

export interface RoleView {
  role: string;
  /** pending, active, failed, removing */
  state: string;
  reason: string;
  repositoryPath: string;
  port: number;
  requireMount: boolean;
  url: string;
  generation: number;
  updatedAt: string;
}

export interface ConditionView {
  type: string;
  blocking: boolean;
  reason: string;
}

export interface RepositoryView {
  path: string;
  exists: boolean;
  writable: boolean;
  fsType: string;
  mountPoint: string;
  mountSource: string;
  sizeBytes: number;
  freeBytes: number;
  readOnly: boolean;
  unusableReason: string;
}

export interface HostView {
  id: string;
  hostname: string;
  region: string;
  addresses: string[];
  agentVersion: string;
  connected: boolean;
  lastHeartbeatAt: string | null;
  facts: {
    os: { platform: string; distro: string; release: string; kernel: string; arch: string };
    cpu: { brand: string; cores: number; physicalCores: number; speedGhz: number };
    memory: { totalBytes: number; availableBytes: number };
  } | null;
  repositories: RepositoryView[];
  roles: RoleView[];
  conditions: ConditionView[];
  /** Ids of the other image-library hosts on the same storage (same marker, confirmed by the live probe). */
  sharesStorageWith: string[];
  createdAt: string;
}

/** An image's status on one host: ok, missing, no-access, cannot-delete, corrupt, offline. */
export interface ImageOnHostView {
  hostId: string;
  hostname: string;
  status: string;
  reason: string;
}

export interface ImageView {
  id: string;
  name: string | null;
  status: string;
  diskFormat: string | null;
  containerFormat: string | null;
  size: number | null;
  virtualSize: number | null;
  checksum: string | null;
  osHashValue: string | null;
  visibility: string;
  protected: boolean;
  fileName: string | null;
  createdAt: string;
  updatedAt: string;
  hosts: ImageOnHostView[];
}

export interface HostImageView {
  imageId: string;
  name: string | null;
  status: string;
  reason: string;
}

export interface EndpointView {
  url: string;
  hostId: string;
  hostname: string;
  region: string;
  healthy: boolean;
  reason: string;
}

export interface EndpointCatalogView {
  catalog: { type: string; name: string; endpoints: EndpointView[] }[];
}

export interface CreatedJoinTokenView {
  id: string;
  description: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
  createdAt: string;
  token: string;
  caCertHash: string;
  controllerAddress: string;
  agentCommand: string;
}

export interface ImageTokenView {
  token: string;
  expiresAt: string;
}

export const IMAGE_LIBRARY_ROLE = 'image-library';
