import type { Command } from 'commander';
import { type HostView, IMAGE_LIBRARY_ROLE, type RoleView } from '../api-types.js';
import type { CliContext, Session } from '../cli-context.js';
import type { Paint } from '../color.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { integerIn, waitSeconds } from '../option-parsers.js';
import { findHost } from '../refs.js';
import { paintRoleState } from './hosts.js';

const DEFAULT_WAIT_SECONDS = 60;
const POLL_MS = 250;

/** What `--wait` waits for: the assignment of this generation active, or the role gone. */
export type RoleGoal = { kind: 'active'; generation: number } | { kind: 'gone' };

/** Where the host's image-library role stands against the goal. */
export function roleProgress(host: HostView, goal: RoleGoal): 'done' | 'failed' | 'waiting' {
  const role = host.roles.find((r) => r.role === IMAGE_LIBRARY_ROLE);
  if (goal.kind === 'gone') return role ? 'waiting' : 'done';
  if (!role || role.generation < goal.generation) return 'waiting';
  if (role.state === 'active') return 'done';
  return role.state === 'failed' ? 'failed' : 'waiting';
}

/** `host-a: image-library role pending (generation 3), http://…:9292, repository /var/lib/imagelib/images` */
export function renderRole(hostname: string, role: RoleView, paint: Paint): string {
  const where = [role.url, `repository ${role.repositoryPath}${role.requireMount ? ' (must be a mounted share)' : ''}`].filter(Boolean).join(', ');
  const reason = role.reason ? `: ${role.reason}` : '';
  return `${hostname}: ${role.role} role ${paintRoleState(role.state, paint)} (generation ${role.generation})${reason}, ${where}\n`;
}

async function waitForRole(cx: CliContext, host: HostView, goal: RoleGoal, seconds: number): Promise<HostView> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const current = await cx.api.getHost(host.id);
    const progress = roleProgress(current, goal);
    const role = current.roles.find((r) => r.role === IMAGE_LIBRARY_ROLE);
    if (progress === 'done') return current;
    if (progress === 'failed') throw new CliError(ExitCode.Failure, `the image-library role failed on ${host.hostname}: ${role?.reason || 'no reason given'}`);
    if (Date.now() >= deadline) {
      const want = goal.kind === 'active' ? 'active' : 'removed';
      throw new CliError(ExitCode.Failure, `the image-library role on ${host.hostname} is still ${role?.state ?? 'absent'} after ${seconds} s, not ${want}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface RoleOptions {
  json?: boolean;
  wait?: true | number;
}

async function report(cx: CliContext, host: HostView, role: RoleView, goal: RoleGoal, options: RoleOptions): Promise<void> {
  const seconds = waitSeconds(options.wait, DEFAULT_WAIT_SECONDS);
  let shown = role;
  if (seconds !== null) {
    const settled = await waitForRole(cx, host, goal, seconds);
    shown = settled.roles.find((r) => r.role === IMAGE_LIBRARY_ROLE) ?? role;
    if (goal.kind === 'gone' && !options.json) {
      cx.print(`${host.hostname}: image-library role removed\n`);
      return;
    }
  }
  cx.show(shown, options.json, () => renderRole(host.hostname, shown, cx.paint));
}

function waitOption(command: Command, what: string): Command {
  return command.option('--wait [seconds]', `wait until ${what} (default ${DEFAULT_WAIT_SECONDS} s); fails (exit 1) if it does not happen in time`, integerIn(1, 86_400));
}

export function registerRoleCommands(program: Command, session: Session): void {
  const role = program.command('role').description("a host's image-library role (the image service)");

  waitOption(
    role
      .command('assign')
      .description('give a host the image-library role; it goes pending → active, or failed with the reason')
      .argument('<host>', 'host id or name')
      .option('--repository-path <path>', 'absolute path of the image repository (default /var/lib/imagelib/images; the same on every host)')
      .option('--port <port>', 'TCP port of the image service (default 9292)', integerIn(1, 65_535))
      .option('--require-mount', 'the repository is on a share that must be mounted: nothing is written while it is not')
      .option('--json', 'print the role as JSON'),
    'the role is active',
  ).action(async (ref: string, options: RoleOptions & { repositoryPath?: string; port?: number; requireMount?: boolean }) => {
    const cx = session();
    const host = findHost(await cx.api.listHosts(), ref);
    const assigned = await cx.api.assignImageLibraryRole(host.id, {
      ...(options.repositoryPath !== undefined ? { repositoryPath: options.repositoryPath } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.requireMount ? { requireMount: true } : {}),
    });
    await report(cx, host, assigned, { kind: 'active', generation: assigned.generation }, options);
  });

  const removals = [
    { name: 'remove', description: 'take the role away: out of the endpoints now, the service stops after requests in flight', remove: (cx: CliContext, id: string, force: boolean) => cx.api.removeImageLibraryRole(id, force) },
    { name: 'drain', description: 'drain the host: out of the endpoints at once, its image service stops once requests in flight are done', remove: (cx: CliContext, id: string, force: boolean) => cx.api.drainImageLibraryRole(id, force) },
  ];
  for (const { name, description, remove } of removals) {
    waitOption(
      role
        .command(name)
        .description(description)
        .argument('<host>', 'host id or name')
        .option('--force', 'even if the host holds the only good copy of images (otherwise refused: exit 6)')
        .option('--json', 'print the role as JSON'),
      'the role is gone',
    ).action(async (ref: string, options: RoleOptions & { force?: boolean }) => {
      const cx = session();
      const host = findHost(await cx.api.listHosts(), ref);
      const removing = await remove(cx, host.id, options.force === true);
      await report(cx, host, removing, { kind: 'gone' }, options);
    });
  }
}
