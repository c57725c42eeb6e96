import type { Command } from 'commander';
import type { Session } from '../cli-context.js';
import { buildStatusMatrix, type MatrixFilters } from '../status-matrix.js';
import { renderStatusMatrix } from '../status-view.js';

export function registerStatusCommand(program: Command, session: Session): void {
  program
    .command('status')
    .description('the image × host matrix: ok, missing, no-access, cannot-delete, corrupt, offline (coloured on a terminal unless NO_COLOR is set)')
    .option('--image <image>', 'only this image (id or name)')
    .option('--host <host>', "only this host's column (id or name)")
    .option('--problems', 'only images that are not ok on every host')
    .option('--json', 'print the matrix as JSON: {hosts: [{id, hostname}], images: [{id, name, status, cells: [{hostId, hostname, status, reason}]}]}')
    .action(async (options: MatrixFilters & { json?: boolean }) => {
      const cx = session();
      const [images, hosts] = await Promise.all([cx.api.listImages(), cx.api.listHosts()]);
      const matrix = buildStatusMatrix(images, hosts, options);
      cx.show(matrix, options.json, () => renderStatusMatrix(matrix, cx.paint));
    });
}
