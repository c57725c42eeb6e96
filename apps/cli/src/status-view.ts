import type { Paint, Style } from './color.js';
import { renderTable } from './format.js';
import { isProblem, type StatusMatrix } from './status-matrix.js';

const STATUS_STYLES: Record<string, Style> = {
  ok: 'green',
  missing: 'yellow',
  'no-access': 'magenta',
  'cannot-delete': 'cyan',
  corrupt: 'red',
  offline: 'dim',
};

export function paintStatus(status: string, paint: Paint): string {
  const style = STATUS_STYLES[status];
  return style ? paint(style, status) : status;
}

/** The matrix as a table (a column per host, `-` where a host does not report the image), a tally, and every problem with its reason. */
export function renderStatusMatrix(matrix: StatusMatrix, paint: Paint): string {
  if (matrix.images.length === 0) return matrix.hosts.length === 0 ? 'no image-library hosts and no images\n' : 'no images to show\n';
  const header = ['IMAGE', 'ID', 'STATUS', ...matrix.hosts.map((host) => host.hostname)];
  const rows = matrix.images.map((image) => [
    image.name ?? '(no name)',
    image.id.slice(0, 8),
    image.status,
    ...matrix.hosts.map((host) => {
      const cell = image.cells.find((c) => c.hostId === host.id);
      return cell ? paintStatus(cell.status, paint) : paint('dim', '-');
    }),
  ]);
  const tally = new Map<string, number>();
  const problems: string[][] = [];
  for (const image of matrix.images) {
    for (const cell of image.cells) {
      tally.set(cell.status, (tally.get(cell.status) ?? 0) + 1);
      if (isProblem(cell.status)) problems.push([image.name ?? image.id, cell.hostname, paintStatus(cell.status, paint), cell.reason]);
    }
  }
  const counts = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([status, n]) => `${n} ${paintStatus(status, paint)}`);
  let text = `${renderTable(header, rows)}\n${matrix.images.length} image${matrix.images.length === 1 ? '' : 's'} × ${matrix.hosts.length} host${matrix.hosts.length === 1 ? '' : 's'}: ${counts.join(', ') || 'no reports'}\n`;
  if (problems.length > 0) text += `\nProblems:\n${renderTable(['IMAGE', 'HOST', 'STATUS', 'REASON'], problems)}`;
  return text;
}
