import type { Command } from 'commander';
import { type HostImageView, type HostView, IMAGE_LIBRARY_ROLE, type RoleView } from '../api-types.js';
import type { Session } from '../cli-context.js';
import type { Paint, Style } from '../color.js';
import { formatAge, formatBytes, renderFields, renderTable } from '../format.js';
import { findHost } from '../refs.js';
import { paintStatus } from '../status-view.js';

const ROLE_STYLES: Record<string, Style> = { active: 'green', pending: 'yellow', failed: 'red', removing: 'yellow' };

export function paintRoleState(state: string, paint: Paint): string {
  const style = ROLE_STYLES[state];
  return style ? paint(style, state) : state;
}

function connected(host: HostView, paint: Paint): string {
  return host.connected ? paint('green', 'yes') : paint('red', 'no');
}

function imageLibraryRole(host: HostView): RoleView | undefined {
  return host.roles.find((role) => role.role === IMAGE_LIBRARY_ROLE);
}

/** `hosts list`: one line per host. */
export function renderHostList(hosts: readonly HostView[], paint: Paint, now: number): string {
  if (hosts.length === 0) return 'no hosts enrolled (imagelib join-token create, then start an agent with it)\n';
  const rows = [...hosts]
    .sort((a, b) => a.hostname.localeCompare(b.hostname))
    .map((host) => {
      const role = imageLibraryRole(host);
      return [
        host.hostname,
        host.id,
        host.region,
        connected(host, paint),
        formatAge(host.lastHeartbeatAt, now),
        role ? paintRoleState(role.state, paint) : '-',
        role?.url || '-',
        host.conditions.length ? paint('yellow', host.conditions.map((c) => c.type).join(',')) : '-',
      ];
    });
  return renderTable(['HOSTNAME', 'ID', 'REGION', 'CONNECTED', 'HEARTBEAT', 'IMAGE-LIBRARY', 'URL', 'CONDITIONS'], rows);
}

/** `hosts show HOST`: the host, its roles, repositories, conditions and images. */
export function renderHost(host: HostView, images: readonly HostImageView[], paint: Paint, now: number): string {
  const facts = host.facts;
  const fields: [string, string][] = [
    ['hostname', host.hostname],
    ['id', host.id],
    ['region', host.region],
    ['addresses', host.addresses.join(', ') || '-'],
    ['agent', host.agentVersion || '-'],
    ['connected', connected(host, paint)],
    ['last heartbeat', host.lastHeartbeatAt ? `${host.lastHeartbeatAt} (${formatAge(host.lastHeartbeatAt, now)})` : 'never'],
    ['enrolled', host.createdAt],
    ['shares storage with', host.sharesStorageWith.join(', ') || '-'],
  ];
  if (facts) {
    fields.push(['os', `${facts.os.distro} ${facts.os.release} (${facts.os.platform} ${facts.os.kernel}, ${facts.os.arch})`]);
    fields.push(['cpu', `${facts.cpu.cores} × ${facts.cpu.brand}`]);
    fields.push(['memory', `${formatBytes(facts.memory.availableBytes)} free of ${formatBytes(facts.memory.totalBytes)}`]);
  }
  let text = renderFields(fields);
  text += '\nRoles:\n';
  text += host.roles.length
    ? renderTable(
        ['ROLE', 'STATE', 'URL', 'REPOSITORY', 'PORT', 'GENERATION', 'REASON'],
        host.roles.map((role) => [role.role, paintRoleState(role.state, paint), role.url || '-', `${role.repositoryPath}${role.requireMount ? ' (share)' : ''}`, String(role.port), String(role.generation), role.reason || '-']),
      )
    : '  none\n';
  if (host.repositories.length) {
    text += '\nRepositories:\n';
    text += renderTable(
      ['PATH', 'FILESYSTEM', 'MOUNT', 'FREE', 'SIZE', 'WRITABLE', 'PROBLEM'],
      host.repositories.map((r) => [r.path, r.fsType, r.mountPoint, formatBytes(r.freeBytes), formatBytes(r.sizeBytes), r.readOnly ? 'read-only' : r.writable ? 'yes' : 'no', r.unusableReason || '-']),
    );
  }
  if (host.conditions.length) {
    text += '\nConditions:\n';
    text += renderTable(
      ['CONDITION', 'BLOCKING', 'REASON'],
      host.conditions.map((c) => [paint('yellow', c.type), c.blocking ? paint('red', 'yes') : 'no', c.reason]),
    );
  }
  text += '\nImages:\n';
  text += images.length
    ? renderTable(
        ['IMAGE', 'ID', 'STATUS', 'REASON'],
        images.map((image) => [image.name ?? '(no name)', image.imageId, paintStatus(image.status, paint), image.reason || '-']),
      )
    : '  none\n';
  return text;
}

export function registerHostCommands(program: Command, session: Session): void {
  const hosts = program.command('hosts').description('hosts enrolled with the controller');

  hosts
    .command('list')
    .description('every host: connection, heartbeat, image-library role, conditions')
    .option('--json', 'print the hosts as JSON (GET /api/v1/hosts)')
    .action(async (options: { json?: boolean }) => {
      const cx = session();
      const list = await cx.api.listHosts();
      cx.show(list, options.json, () => renderHostList(list, cx.paint, Date.now()));
    });

  hosts
    .command('show')
    .description('one host: facts, roles, repositories, conditions, and every image on it')
    .argument('<host>', 'host id or name')
    .option('--json', 'print the host as JSON (GET /api/v1/hosts/{id} with "images": GET /api/v1/hosts/{id}/images)')
    .action(async (ref: string, options: { json?: boolean }) => {
      const cx = session();
      const { id } = findHost(await cx.api.listHosts(), ref);
      const [host, images] = await Promise.all([cx.api.getHost(id), cx.api.imagesOfHost(id)]);
      cx.show({ ...host, images }, options.json, () => renderHost(host, images, cx.paint, Date.now()));
    });
}
