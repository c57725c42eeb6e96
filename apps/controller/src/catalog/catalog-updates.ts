import type { CatalogUpdate } from '@imagelib/proto';
import type { ImageEntity } from '@imagelib/store';
import { toCatalogImage } from './image-mapping.js';

/**
 * Images (live or removed) per catalog update: a few hundred KiB, far below the agents' 4 MiB
 * message limit, however large the catalog grows.
 */
export const IMAGES_PER_UPDATE = 500;

/**
 * The updates that bring a host to `revision`: from nothing when `full` (the first update then
 * replaces the host's whole copy; deleted images are left out), else from where it was, given the
 * images changed since then. `changed` is in revision order. Each update holds at most
 * IMAGES_PER_UPDATE images unless one revision changed more (a revision is never split), and is
 * complete up to its own revision: a host that applied only the first ones catches up from there.
 */
export function catalogUpdates(changed: readonly ImageEntity[], revision: number, full: boolean): CatalogUpdate[] {
  const images = full ? changed.filter((image) => image.status !== 'deleted') : changed;
  const updates: CatalogUpdate[] = [];
  let chunk: ImageEntity[] = [];
  const emit = (upTo: number) => {
    updates.push({
      revision: upTo,
      full: full && updates.length === 0,
      images: chunk.filter((image) => image.status !== 'deleted').map(toCatalogImage),
      removedIds: chunk.filter((image) => image.status === 'deleted').map((image) => image.id),
    });
    chunk = [];
  };
  for (let start = 0; start < images.length; ) {
    let end = start + 1;
    while (end < images.length && images[end]!.revision === images[start]!.revision) end += 1;
    if (chunk.length > 0 && chunk.length + (end - start) > IMAGES_PER_UPDATE) emit(chunk.at(-1)!.revision);
    chunk.push(...images.slice(start, end));
    start = end;
  }
  if (chunk.length > 0 || updates.length === 0) emit(Math.max(revision, chunk.at(-1)?.revision ?? 0));
  return updates;
}
