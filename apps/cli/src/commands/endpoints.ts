import type { Command } from 'commander';
import type { EndpointView } from '../api-types.js';
import type { Session } from '../cli-context.js';
import type { Paint } from '../color.js';
import { renderTable } from '../format.js';

/** The image service endpoints, healthy first, with the reason when not. */
export function renderEndpoints(endpoints: readonly EndpointView[], paint: Paint): string {
  if (endpoints.length === 0) return 'no image endpoints (no host has the image-library role: imagelib role assign HOST)\n';
  return renderTable(
    ['URL', 'HOST', 'REGION', 'HEALTHY', 'REASON'],
    endpoints.map((e) => [e.url || '-', e.hostname, e.region, e.healthy ? paint('green', 'yes') : paint('red', 'no'), e.reason || '-']),
  );
}

export function registerEndpointsCommand(program: Command, session: Session): void {
  program
    .command('endpoints')
    .description('the image service endpoints (one per image-library host), healthy first')
    .option('--json', 'print the endpoints as a JSON array (from GET /api/v1/endpoints)')
    .action(async (options: { json?: boolean }) => {
      const cx = session();
      const endpoints = await cx.api.endpoints();
      cx.show(endpoints, options.json, () => renderEndpoints(endpoints, cx.paint));
    });
}
