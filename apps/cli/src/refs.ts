import type { HostView, ImageView } from './api-types.js';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

interface Named {
  id: string;
  name: string | null;
}

/**
 * The item whose id is `ref`, else the only one named `ref`. Unknown: not-found error listing what
 * there is; a name several items share: usage error listing their ids.
 */
export function findByIdOrName<T>(items: readonly T[], ref: string, kind: 'host' | 'image', named: (item: T) => Named): T {
  const byId = items.find((item) => named(item).id === ref);
  if (byId) return byId;
  const byName = items.filter((item) => named(item).name === ref);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new CliError(ExitCode.Usage, `${byName.length} ${kind}s are named "${ref}" (${byName.map((item) => named(item).id).join(', ')}): give the id`);
  }
  const known = items.map((item) => named(item).name ?? named(item).id);
  const listed = known.length === 0 ? `there are no ${kind}s` : `${kind}s: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}`;
  throw new CliError(ExitCode.NotFound, `no ${kind} has the id or name "${ref}" (${listed})`);
}

export function findHost(hosts: readonly HostView[], ref: string): HostView {
  return findByIdOrName(hosts, ref, 'host', (host) => ({ id: host.id, name: host.hostname }));
}

/** A live image: a deleted one (listed while hosts still remove its files) is not there to show, fetch or delete. */
export function findImage(images: readonly ImageView[], ref: string): ImageView {
  return findByIdOrName(images.filter((image) => image.status !== 'deleted'), ref, 'image', (image) => image);
}
