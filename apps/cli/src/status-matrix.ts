import { type HostView, IMAGE_LIBRARY_ROLE, type ImageView } from './api-types.js';
import { findHost, findImage } from './refs.js';

/** One image on one host: ok, missing, no-access, cannot-delete, corrupt, offline. */
export interface MatrixCell {
  hostId: string;
  hostname: string;
  status: string;
  reason: string;
}

export interface MatrixRow {
  id: string;
  name: string | null;
  /** The image's Glance status (active, queued, …, deleted while files are being removed). */
  status: string;
  /** One per column host that reports on this image. */
  cells: MatrixCell[];
}

/** The image × host matrix: columns are image-library hosts, rows images. */
export interface StatusMatrix {
  hosts: { id: string; hostname: string }[];
  images: MatrixRow[];
}

export interface MatrixFilters {
  /** Only this image (id or name). */
  image?: string;
  /** Only this host's column (id or name). */
  host?: string;
  /** Only images with a cell that is not ok. */
  problems?: boolean;
}

export function isProblem(status: string): boolean {
  return status !== 'ok';
}

/** Builds the matrix from GET /images and GET /hosts; unknown --image or --host fail as not found. */
export function buildStatusMatrix(images: readonly ImageView[], hosts: readonly HostView[], filters: MatrixFilters = {}): StatusMatrix {
  const columns = new Map<string, string>();
  for (const host of hosts) if (host.roles.some((role) => role.role === IMAGE_LIBRARY_ROLE)) columns.set(host.id, host.hostname);
  for (const image of images) for (const cell of image.hosts) columns.set(cell.hostId, cell.hostname);
  let selectedHosts = [...columns].map(([id, hostname]) => ({ id, hostname })).sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
  if (filters.host !== undefined) {
    const host = findHost(hosts, filters.host);
    selectedHosts = [{ id: host.id, hostname: host.hostname }];
  }
  const selectedImages = filters.image !== undefined ? [findImage(images, filters.image)] : [...images];
  const rows = selectedImages
    .map((image): MatrixRow => ({
      id: image.id,
      name: image.name,
      status: image.status,
      cells: selectedHosts.flatMap((host) => image.hosts.filter((cell) => cell.hostId === host.id)).map((cell) => ({ ...cell })),
    }))
    .filter((row) => !filters.problems || row.cells.some((cell) => isProblem(cell.status)))
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id));
  return { hosts: selectedHosts, images: rows };
}
